/**
 * The v1 operator API (`POST /api/v1`, docs/operator-http-api.md), the read calls tools use
 * (GET_STATE, GET_AGENTS, GET_TASKS, GET_FRAMEWORKS, GET_EXECUTORS, GET_HEALTH, GET_VERSION,
 * GET_FLAGS, GET_MASTER) and TEARDOWN, answered in the v1 protobuf JSON shapes.
 */
import {MESOS_VERSION} from '../config'
import {HttpError, badRequest, checkId, reply, type Request, type Router} from '../http'
import {removeFramework} from './frameworks'
import {agentAddress, type Master} from './master'
import {isConnected, type AgentEntry, type FrameworkEntry, type TaskEntry} from './model'
import {flagsJson} from './state-json'
import * as wire from './wire'

type Json = Record<string, unknown>

/** `master::Call.Type` values; the ones not listed in `handlers` answer 501. */
const MASTER_CALLS = [
  'GET_HEALTH', 'GET_FLAGS', 'SET_LOGGING_LEVEL', 'LIST_FILES', 'READ_FILE', 'GET_METRICS', 'GET_VERSION',
  'GET_LOGGING_LEVEL', 'GET_STATE', 'GET_AGENTS', 'GET_FRAMEWORKS', 'GET_EXECUTORS', 'GET_OPERATIONS', 'GET_TASKS',
  'GET_ROLES', 'GET_WEIGHTS', 'UPDATE_WEIGHTS', 'GET_MASTER', 'SUBSCRIBE', 'RESERVE_RESOURCES', 'UNRESERVE_RESOURCES',
  'CREATE_VOLUMES', 'DESTROY_VOLUMES', 'GROW_VOLUME', 'SHRINK_VOLUME', 'GET_MAINTENANCE_STATUS',
  'GET_MAINTENANCE_SCHEDULE', 'UPDATE_MAINTENANCE_SCHEDULE', 'START_MAINTENANCE', 'STOP_MAINTENANCE', 'DRAIN_AGENT',
  'DEACTIVATE_AGENT', 'REACTIVATE_AGENT', 'GET_QUOTA', 'UPDATE_QUOTA', 'SET_QUOTA', 'REMOVE_QUOTA', 'TEARDOWN',
  'MARK_AGENT_GONE',
] as const

const time = (secs: number) => ({nanoseconds: Math.round(secs * 1e9)})

function agentV1(a: AgentEntry): Json {
  const out: Json = {
    agent_info: {...a.info, id: {value: a.id}, resources: a.total},
    active: a.status === 'registered',
    deactivated: false,
    version: a.version,
    pid: `slave(1)@${agentAddress(a).ip}:${agentAddress(a).port}`,
    registered_time: time(a.registeredTime),
    total_resources: a.total,
    allocated_resources: [...a.tasks].flatMap((t) => t.info.resources),
    offered_resources: [...a.offers].flatMap((o) => o.resources),
    capabilities: [{type: 'MULTI_ROLE'}, {type: 'HIERARCHICAL_ROLE'}, {type: 'RESERVATION_REFINEMENT'}],
  }
  if (a.reregisteredTime !== undefined) out.reregistered_time = time(a.reregisteredTime)
  return out
}

function getAgents(m: Master): Json {
  const agents = [...m.state.agents.values()]
  return {
    agents: agents.filter((a) => a.status === 'registered').map(agentV1),
    recovered_agents: agents.filter((a) => a.status === 'recovered').map((a) => ({...a.info, id: {value: a.id}})),
  }
}

function frameworkV1(m: Master, f: FrameworkEntry): Json {
  const out: Json = {
    framework_info: f.info,
    active: isConnected(f),
    connected: isConnected(f),
    recovered: f.recovered,
    registered_time: time(f.registeredTime),
    reregistered_time: time(f.reregisteredTime),
    offers: [...f.offers].flatMap((o) => {
      const agent = m.state.agents.get(o.agentId)
      return agent ? [m.offerJson(f, agent, o)] : []
    }),
    inverse_offers: [],
    allocated_resources: [...f.tasks.values()].flatMap((t) => t.info.resources),
    offered_resources: [...f.offers].flatMap((o) => o.resources),
  }
  if (f.unregisteredTime) out.unregistered_time = time(f.unregisteredTime)
  return out
}

function getFrameworks(m: Master): Json {
  return {
    frameworks: [...m.state.frameworks.values()].map((f) => frameworkV1(m, f)),
    completed_frameworks: m.state.completedFrameworks.map((f) => frameworkV1(m, f)),
  }
}

function taskV1(t: TaskEntry): Json {
  const {info} = t
  const out: Json = {
    name: info.name,
    task_id: info.task_id,
    framework_id: {value: t.frameworkId},
    agent_id: {value: t.agentId},
    state: t.state,
    resources: info.resources,
    statuses: t.statuses,
  }
  const executor = (info.executor as {executor_id?: unknown} | undefined)?.executor_id
  if (executor) out.executor_id = executor
  const last = t.statuses[t.statuses.length - 1]
  if (last) out.status_update_state = last.state
  if (last?.uuid) out.status_update_uuid = last.uuid
  for (const key of ['labels', 'discovery', 'container', 'health_check', 'kill_policy', 'limits'] as const)
    if (info[key] !== undefined) out[key] = info[key]
  if (info.command?.user) out.user = info.command.user
  return out
}

function getTasks(m: Master): Json {
  const active = [...m.state.frameworks.values()]
  return {
    pending_tasks: [],
    tasks: active.flatMap((f) => [...f.tasks.values()]).map(taskV1),
    unreachable_tasks: active.flatMap((f) => [...f.unreachableTasks.values()]).map(taskV1),
    completed_tasks: [...active, ...m.state.completedFrameworks].flatMap((f) => f.completedTasks).map(taskV1),
    orphan_tasks: [],
  }
}

const getExecutors = () => ({executors: [], orphan_executors: []})

type Handler = (m: Master) => Json

const handlers: Partial<Record<(typeof MASTER_CALLS)[number], Handler>> = {
  GET_HEALTH: () => ({get_health: {healthy: true}}),
  GET_VERSION: (m) => ({get_version: {version_info: {version: MESOS_VERSION, ...m.build}}}),
  GET_FLAGS: (m) => ({get_flags: {flags: Object.entries(flagsJson(m)).map(([name, value]) => ({name, value}))}}),
  GET_MASTER: (m) => ({get_master: {master_info: m.info, start_time: m.startTime / 1000, elected_time: m.startTime / 1000}}),
  GET_AGENTS: (m) => ({get_agents: getAgents(m)}),
  GET_FRAMEWORKS: (m) => ({get_frameworks: getFrameworks(m)}),
  GET_TASKS: (m) => ({get_tasks: getTasks(m)}),
  GET_EXECUTORS: () => ({get_executors: getExecutors()}),
  GET_STATE: (m) => ({
    get_state: {get_tasks: getTasks(m), get_executors: getExecutors(), get_frameworks: getFrameworks(m), get_agents: getAgents(m)},
  }),
}

export function operatorRoutes(router: Router, master: Master): void {
  router.post('/api/v1', (req) => handle(master, req))
}

async function handle(master: Master, req: Request): Promise<unknown> {
  const contentType = req.header('content-type')
  if (contentType === undefined) throw badRequest("Expecting 'Content-Type' to be present")
  if (contentType.split(';')[0].trim().toLowerCase() !== 'application/json')
    throw new HttpError(415, "Expecting 'Content-Type' of application/json")
  let json: unknown
  try {
    json = await req.json()
  } catch (error) {
    if (error instanceof HttpError && error.status === 400) throw badRequest(`Failed to parse body into JSON: ${error.message}`)
    throw error
  }
  let call: wire.Json
  let type: (typeof MASTER_CALLS)[number]
  try {
    call = wire.object(json, 'Call')
    type = wire.req(call, 'type', 'Call', (v, p) => wire.oneOf(v, p, MASTER_CALLS))
  } catch (error) {
    if (error instanceof wire.ShapeError) throw badRequest(`Failed to convert JSON into Call protobuf: ${error.message}`)
    throw error
  }
  if (type === 'TEARDOWN') {
    const id = (call.teardown as {framework_id?: {value?: unknown}} | undefined)?.framework_id?.value
    const framework = master.state.frameworks.get(checkId('teardown.framework_id', id))
    if (!framework) throw badRequest('No framework found with specified ID')
    removeFramework(master, framework)
    return reply(200)
  }
  const handler = handlers[type]
  if (!handler) throw new HttpError(501, `Operator call ${type} is not implemented by this master`)
  return {type, ...handler(master)}
}
