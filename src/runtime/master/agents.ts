/**
 * The master's side of the agent protocol (src/mesos/agent-protocol.ts) and the agent
 * lifecycle: (re-)registration adopts the tasks an agent reports, heartbeats keep it reachable,
 * status updates move tasks and are relayed to their frameworks, and an agent silent for
 * `agentUnreachableTimeoutMs` is marked unreachable (Mesos `markUnreachable`): its tasks become
 * TASK_UNREACHABLE for partition-aware frameworks and TASK_LOST for the others.
 */
import type {
  AgentTaskReport,
  BatchResponse,
  HeartbeatResponse,
  RegisterAgentRequest,
  RegisterAgentResponse,
  StatusUpdateRequest,
} from '../../mesos/agent-protocol'
import {AGENT_PROTOCOL_PREFIX, CALL_BATCH, STATUS_BATCH} from '../../mesos/agent-protocol'
import type {FrameworkInfo, TaskState, TaskStatus} from '../../mesos/types'
import {TASK_STATES, isTerminal} from '../../mesos/types'
import {redactSecrets} from '../../mesos/secrets'
import {HttpError, badRequest, checkId, conflict, reply, type Request, type Router} from '../http'
import type {Master} from './master'
import {
  frameworkRoles,
  isPartitionAware,
  newAgent,
  newFramework,
  type AgentEntry,
  type FrameworkEntry,
  type TaskEntry,
} from './model'
import {normalize} from './resource-format'
import {applyStatus, executorId, masterStatus} from './statuses'
import * as wire from './wire'

export function agentRoutes(router: Router, master: Master): void {
  const path = `${AGENT_PROTOCOL_PREFIX}/agent`
  router.post(`${path}/register`, async (req) => register(master, parseRegister(await shaped(req))))
  router.post(`${path}/heartbeat`, async (req) => heartbeat(master, await shaped(req)))
  router.post(`${path}/status`, async (req) => {
    statusUpdate(master, parseStatus(await shaped(req)))
    return reply(202)
  })
  router.post(`${path}/statuses`, async (req) => statusUpdates(master, await shaped(req)))
}

/** Most updates in one STATUS_BATCH request. */
export const MAX_STATUS_BATCH = 256

/** Several status updates, each handled as if it came alone (StatusUpdateBatchRequest). */
function statusUpdates(master: Master, o: wire.Json): BatchResponse {
  const {agentId, updates} = shapeChecked(() => {
    const agentId = wire.req(o, 'agent_id', 'body', wire.string)
    const updates = wire.req(o, 'updates', 'body', (v, p) => wire.array(v, p, wire.object))
    return {agentId, updates}
  })
  if (updates.length > MAX_STATUS_BATCH) throw badRequest(`'body.updates' holds ${updates.length} updates; the limit is ${MAX_STATUS_BATCH}`)
  const results: BatchResponse['results'] = []
  for (const u of updates) {
    try {
      statusUpdate(master, parseStatus({...u, agent_id: agentId}))
      results.push({status: 202})
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      results.push({status: error.status, message: error.message})
    }
  }
  return {results}
}

async function shaped(req: Request): Promise<wire.Json> {
  const json = await req.json()
  return shapeChecked(() => wire.object(json, 'body'))
}

/** Runs shape checks, turning a ShapeError into a 400. */
function shapeChecked<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof wire.ShapeError) throw badRequest(error.message)
    throw error
  }
}

function parseRegister(o: wire.Json): RegisterAgentRequest {
  return shapeChecked(() => {
    const agentId = wire.opt(o, 'agent_id', 'body', wire.string)
    if (agentId !== undefined) checkId('agent_id', agentId)
    wire.req(o, 'agent_info', 'body', wire.agentInfo)
    const url = wire.req(o, 'url', 'body', wire.string)
    if (!URL.canParse(url) || new URL(url).protocol !== 'http:') throw badRequest(`'body.url' must be an http:// URL, got '${url}'`)
    wire.req(o, 'version', 'body', wire.string)
    wire.req(o, 'resources', 'body', wire.resources)
    o.tasks = wire.opt(o, 'tasks', 'body', (v, p) => wire.array(v, p, taskReport)) ?? []
    o.frameworks = wire.opt(o, 'frameworks', 'body', (v, p) => wire.array(v, p, wire.frameworkInfo)) ?? []
    o.capabilities = wire.opt(o, 'capabilities', 'body', (v, p) => wire.array(v, p, wire.string)) ?? []
    return o as unknown as RegisterAgentRequest
  })
}

function taskReport(v: unknown, path: string): AgentTaskReport {
  const o = wire.object(v, path)
  checkId(`${path}.framework_id`, wire.req(o, 'framework_id', path, wire.string))
  const task = wire.req(o, 'task', path, wire.taskInfo)
  checkId(`${path}.task.task_id`, task.task_id.value)
  wire.req(o, 'state', path, (s, p) => wire.oneOf<TaskState>(s, p, TASK_STATES))
  o.statuses = wire.opt(o, 'statuses', path, (s, p) => wire.array(s, p, wire.taskStatus)) ?? []
  return o as unknown as AgentTaskReport
}

function parseStatus(o: wire.Json): StatusUpdateRequest {
  return shapeChecked(() => {
    checkId('agent_id', wire.req(o, 'agent_id', 'body', wire.string))
    checkId('framework_id', wire.req(o, 'framework_id', 'body', wire.string))
    const status = wire.req(o, 'status', 'body', wire.taskStatus)
    checkId('status.task_id', status.task_id.value)
    return o as unknown as StatusUpdateRequest
  })
}

// ---- registration ----

async function register(master: Master, req: RegisterAgentRequest): Promise<RegisterAgentResponse> {
  const {state} = master
  const now = master.now()
  const total = req.resources.map((r) => normalize(r))
  let agent = req.agent_id ? state.agents.get(req.agent_id) : undefined
  const wasUnreachable = agent?.status === 'unreachable'
  if (agent) {
    for (const offer of [...agent.offers]) master.removeOffer(offer, true)
    agent.info = {...req.agent_info, id: {value: agent.id}}
    agent.url = req.url
    agent.batchCalls = req.capabilities?.includes(CALL_BATCH) === true
    agent.version = req.version
    agent.total = total
    agent.status = 'registered'
    agent.lastSeen = now
    agent.reregisteredTime = now / 1000
    agent.unreachableSince = undefined
  } else {
    const id = req.agent_id ?? master.registry.nextAgentId()
    agent = newAgent({
      id,
      info: {...req.agent_info, id: {value: id}},
      url: req.url,
      batchCalls: req.capabilities?.includes(CALL_BATCH) === true,
      version: req.version,
      total,
      registeredTime: now / 1000,
      reregisteredTime: req.agent_id ? now / 1000 : undefined,
      status: 'registered',
      lastSeen: now,
    })
    state.agents.set(id, agent)
  }
  adoptTasks(master, agent, req, wasUnreachable)
  await master.saveAgent(agent)
  state.touch()
  master.requestAllocation()
  master.log.info(`agent ${agent.id} at ${agent.url} ${req.agent_id ? 're-registered' : 'registered'} with ${req.tasks.length} task(s)`)
  return {agent_id: agent.id, master_id: master.id, heartbeat_interval_ms: master.config.agentHeartbeatIntervalMs, capabilities: [STATUS_BATCH]}
}

/**
 * Takes the agent's word for its tasks (Mesos `_reregisterSlave`): reported tasks are (re-)added,
 * creating inactive framework entries for frameworks this master does not know; tasks of removed
 * frameworks are shut down; tasks the agent had been given but no longer knows are lost.
 * Coming back from unreachable, partition-aware frameworks hear their tasks' state again;
 * tasks of the other frameworks (told TASK_LOST already) are killed.
 */
function adoptTasks(master: Master, agent: AgentEntry, req: RegisterAgentRequest, wasUnreachable: boolean): void {
  const {state} = master
  const now = master.now()
  const infos = new Map(req.frameworks.filter((f) => f.id).map((f) => [f.id!.value, f]))
  const reported = new Set<string>()
  const shutdown = new Set<string>()
  const kills: {framework_id: string; task_id: string}[] = []
  for (const report of req.tasks) {
    const frameworkId = report.framework_id
    const taskId = report.task.task_id.value
    reported.add(`${frameworkId}\u0000${taskId}`)
    if (state.completedFramework(frameworkId)) {
      shutdown.add(frameworkId)
      continue
    }
    const framework = state.frameworks.get(frameworkId) ?? adoptFramework(master, frameworkId, infos.get(frameworkId))
    const statuses = report.statuses.map(({data: _data, ...s}) => s)
    const existing = framework.tasks.get(taskId)
    if (existing) {
      if (existing.agentId !== agent.id) {
        master.log.warn(`agent ${agent.id} reports task ${taskId} of framework ${frameworkId}, which runs on agent ${existing.agentId}`)
        continue
      }
      existing.delivered = true
      if (statuses.length) existing.statuses = statuses
      if (report.state !== existing.state) master.updateTask(framework, existing, latest(report, agent.id, now))
      continue
    }
    const wasUnreachableTask = framework.unreachableTasks.has(taskId)
    state.forgetTask(framework, taskId)
    const task: TaskEntry = {
      info: redactSecrets(report.task),
      frameworkId,
      agentId: agent.id,
      role: report.task.resources[0]?.allocation_info?.role ?? frameworkRoles(framework.info)[0],
      state: report.state,
      statuses,
      appliedUuids: statuses.flatMap((s) => (s.uuid ? [s.uuid] : [])),
      delivered: true,
    }
    if (isTerminal(report.state)) {
      state.completeTask(framework, task)
      continue
    }
    state.addTask(framework, agent, task)
    if (!wasUnreachableTask || !wasUnreachable) continue
    if (isPartitionAware(framework)) {
      master.forward(
        framework,
        masterStatus({
          taskId,
          agentId: agent.id,
          executorId: executorId(task),
          state: report.state,
          reason: 'REASON_AGENT_REREGISTERED',
          message: 'Unreachable agent re-reregistered',
          now,
        }),
      )
    } else kills.push({framework_id: frameworkId, task_id: taskId})
  }
  for (const task of [...agent.tasks]) {
    if (reported.has(`${task.frameworkId}\u0000${task.info.task_id.value}`) || !task.delivered) continue
    const framework = state.frameworks.get(task.frameworkId)
    if (!framework) continue
    const status = masterStatus({
      taskId: task.info.task_id.value,
      agentId: agent.id,
      executorId: executorId(task),
      state: isPartitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST',
      reason: 'REASON_RECONCILIATION',
      message: 'Task is unknown to the agent',
      now,
    })
    master.updateTask(framework, task, status)
    master.forward(framework, status)
  }
  for (const frameworkId of shutdown) void master.tellAgent(agent, 'shutdown_framework', {framework_id: frameworkId})
  for (const k of kills) void master.tellAgent(agent, 'kill_task', k)
}

/** The latest status of a reported task, or one made from its state. */
function latest(report: AgentTaskReport, agentId: string, now: number): TaskStatus {
  const last = report.statuses[report.statuses.length - 1]
  if (last && last.state === report.state) return last
  return {task_id: report.task.task_id, state: report.state, source: 'SOURCE_AGENT', agent_id: {value: agentId}, timestamp: now / 1000}
}

/** A framework known only from an agent's report: inactive until it subscribes or times out. */
function adoptFramework(master: Master, id: string, info: FrameworkInfo | undefined): FrameworkEntry {
  const now = master.now()
  const framework = newFramework({...(info ?? {user: '', name: ''}), id: {value: id}}, now / 1000, true)
  framework.failoverDeadline = now + Math.max((framework.info.failover_timeout ?? 0) * 1000, master.recoveryGraceMs)
  master.state.frameworks.set(id, framework)
  master.saveFramework(framework).catch((e) => master.log.error(`registry: ${(e as Error).message}`))
  return framework
}

// ---- liveness ----

function heartbeat(master: Master, o: wire.Json): HeartbeatResponse {
  const id = shapeChecked(() => wire.req(o, 'agent_id', 'body', wire.string))
  const agent = master.state.agents.get(id)
  if (agent?.status !== 'registered') return {reregister: true}
  agent.lastSeen = master.now()
  return {reregister: false}
}

/** Marks agents unreachable that have not been heard from within the timeout. */
export function sweepAgents(master: Master, now: number): void {
  const timeout = master.config.agentUnreachableTimeoutMs
  for (const agent of master.state.agents.values()) {
    const silentSince = agent.status === 'recovered' ? master.startTime : agent.lastSeen
    if (agent.status !== 'unreachable' && now - silentSince > timeout) markUnreachable(master, agent, now)
  }
}

function markUnreachable(master: Master, agent: AgentEntry, now: number): void {
  const {state} = master
  master.log.warn(`agent ${agent.id} (${agent.url}) is unreachable: no heartbeat for ${now - agent.lastSeen} ms`)
  agent.status = 'unreachable'
  agent.unreachableSince = now
  for (const offer of [...agent.offers]) master.removeOffer(offer, true)
  for (const task of [...agent.tasks]) {
    const framework = state.frameworks.get(task.frameworkId)
    if (!framework) continue
    const status = masterStatus({
      taskId: task.info.task_id.value,
      agentId: agent.id,
      executorId: executorId(task),
      state: isPartitionAware(framework) ? 'TASK_UNREACHABLE' : 'TASK_LOST',
      reason: 'REASON_AGENT_REMOVED',
      message: 'health check timed out',
      now,
      unreachableSince: now,
    })
    applyStatus(task, status)
    master.countTransition(status.state)
    state.makeUnreachable(framework, task)
    master.forward(framework, status)
  }
  for (const framework of state.frameworks.values()) master.send(framework, {type: 'FAILURE', failure: {agent_id: {value: agent.id}}})
  state.touch()
}

// ---- status updates ----

/**
 * A status update from an agent. Updates carrying a uuid are re-sent until acknowledged, so a
 * repeat changes nothing here but is still relayed: the framework's ACK may have been lost.
 */
function statusUpdate(master: Master, req: StatusUpdateRequest): void {
  const {state} = master
  const agent = state.agents.get(req.agent_id)
  if (agent?.status !== 'registered')
    throw conflict(`Agent ${req.agent_id} is not registered with this master; it must re-register before sending status updates`)
  agent.lastSeen = master.now()
  const status: TaskStatus = {...req.status}
  status.agent_id ??= {value: agent.id}
  status.timestamp ??= master.now() / 1000
  const taskId = status.task_id.value
  const framework = state.frameworks.get(req.framework_id)
  if (!framework) {
    master.counters.invalidStatusUpdates++
    // A removed framework will never acknowledge: acknowledge for it so the agent stops re-sending.
    if (state.completedFramework(req.framework_id) && status.uuid)
      void master.tellAgent(agent, 'ack', {framework_id: req.framework_id, task_id: taskId, uuid: status.uuid})
    return
  }
  const task = findTask(framework, taskId, agent.id)
  if (task) {
    task.delivered = true
    if (!status.uuid || !task.appliedUuids.includes(status.uuid)) master.updateTask(framework, task, status)
  }
  master.counters.validStatusUpdates++
  master.forward(framework, status)
}

function findTask(framework: FrameworkEntry, taskId: string, agentId: string): TaskEntry | undefined {
  const active = framework.tasks.get(taskId)
  if (active) return active.agentId === agentId ? active : undefined
  for (let i = framework.completedTasks.length - 1; i >= 0; i--) {
    const t = framework.completedTasks[i]
    if (t.info.task_id.value === taskId && t.agentId === agentId) return t
  }
  return undefined
}
