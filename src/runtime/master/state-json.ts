/**
 * The read-only master endpoints' JSON, field for field as Mesos writes it
 * (`src/master/readonly_handler.cpp`, `src/common/http.cpp`): /master/state, /state-summary,
 * /slaves, /frameworks, /tasks, /roles and /flags. Pure functions of the master's model.
 */
import type {Attribute, Labels, Resource, TaskStatus} from '../../mesos/types'
import {add, isReserved, reservationRole, summary} from '../../mesos/resources'
import {MESOS_VERSION} from '../config'
import {agentAddress, type Master} from './master'
import {
  frameworkRoles,
  isConnected,
  isMultiRole,
  MAX_COMPLETED_FRAMEWORKS,
  MAX_COMPLETED_TASKS,
  MAX_UNREACHABLE_TASKS,
  type AgentEntry,
  type FrameworkEntry,
  type OfferEntry,
  type TaskEntry,
} from './model'
import {normalize} from './resource-format'
import {executorId} from './statuses'

type Json = Record<string, unknown>

/** Mesos resources as a summary object: cpus, gpus, mem, disk always, ports as text. */
const resourcesJson = (resources: Resource[]) => summary(resources)

/** `Resource` JSON in the endpoint format: post-refinement with the deprecated `role` alongside. */
function resourceFull(r: Resource): Resource {
  const out = normalize(r)
  out.role = reservationRole(r)
  return out
}

function attributesJson(attributes: Attribute[] | undefined): Json {
  const out: Json = {}
  for (const a of attributes ?? []) {
    if (a.type === 'SCALAR') out[a.name] = a.scalar?.value ?? 0
    else if (a.type === 'RANGES') out[a.name] = `[${(a.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(', ')}]`
    else if (a.type === 'SET') out[a.name] = `{${(a.set?.item ?? []).join(', ')}}`
    else out[a.name] = a.text?.value ?? ''
  }
  return out
}

const labelsJson = (labels: Labels | undefined) => (labels?.labels ?? []).map((l) => ({...l}))

function statusJson(s: TaskStatus): Json {
  const out: Json = {state: s.state, timestamp: s.timestamp ?? 0}
  if (s.labels) out.labels = labelsJson(s.labels)
  if (s.container_status !== undefined) out.container_status = s.container_status
  if (s.healthy !== undefined) out.healthy = s.healthy
  return out
}

export function taskJson(task: TaskEntry): Json {
  const {info} = task
  const out: Json = {
    id: info.task_id.value,
    name: info.name,
    framework_id: task.frameworkId,
    executor_id: executorId(task) ?? '',
    slave_id: task.agentId,
    state: task.state,
    resources: resourcesJson(info.resources),
  }
  if (info.limits && Object.keys(info.limits).length) out.limits = info.limits
  out.role = task.role
  out.statuses = task.statuses.map(statusJson)
  if (info.command?.user) out.user = info.command.user
  if (info.labels) out.labels = labelsJson(info.labels)
  if (info.discovery !== undefined) out.discovery = info.discovery
  if (info.container !== undefined) out.container = info.container
  if (info.health_check !== undefined) out.health_check = info.health_check
  return out
}

function offerJson(offer: OfferEntry): Json {
  return {
    id: offer.id,
    framework_id: offer.frameworkId,
    allocation_info: {role: offer.role},
    slave_id: offer.agentId,
    resources: resourcesJson(offer.resources),
  }
}

function sumByRole(map: Map<string, Resource[]>): Resource[] {
  let total: Resource[] = []
  for (const r of map.values()) total = add(total, r)
  return total
}

/** Mesos `Summary<Framework>`. */
function frameworkSummaryJson(f: FrameworkEntry): Json {
  return {
    id: f.id,
    name: f.info.name,
    used_resources: resourcesJson(sumByRole(f.usedByRole)),
    offered_resources: resourcesJson(sumByRole(f.offeredByRole)),
    capabilities: (f.info.capabilities ?? []).map((c) => c.type),
    hostname: f.info.hostname ?? '',
    webui_url: f.info.webui_url ?? '',
    active: isConnected(f),
    connected: isConnected(f),
    recovered: f.recovered,
  }
}

/** Mesos `FullFrameworkWriter`. */
export function frameworkJson(f: FrameworkEntry): Json {
  const out = frameworkSummaryJson(f)
  out.user = f.info.user
  out.failover_timeout = f.info.failover_timeout ?? 0
  out.checkpoint = f.info.checkpoint ?? false
  out.registered_time = f.registeredTime
  out.unregistered_time = f.unregisteredTime
  if (f.info.principal !== undefined) out.principal = f.info.principal
  out.resources = resourcesJson(add(sumByRole(f.usedByRole), sumByRole(f.offeredByRole)))
  if (f.reregisteredTime !== f.registeredTime) out.reregistered_time = f.reregisteredTime
  if (isMultiRole(f.info)) out.roles = frameworkRoles(f.info)
  else out.role = f.info.role ?? '*'
  out.tasks = [...f.tasks.values()].map(taskJson)
  out.unreachable_tasks = [...f.unreachableTasks.values()].map(taskJson)
  out.completed_tasks = f.completedTasks.map(taskJson)
  out.offers = [...f.offers].map(offerJson)
  out.executors = []
  if (f.info.labels) out.labels = labelsJson(f.info.labels)
  out.offer_constraints = {}
  return out
}

function reservations(total: Resource[]): Map<string, Resource[]> {
  const byRole = new Map<string, Resource[]>()
  for (const r of total.filter(isReserved)) {
    const role = reservationRole(r)
    byRole.set(role, add(byRole.get(role) ?? [], [r]))
  }
  return byRole
}

/** Mesos `json(SlaveInfo)`: what /master/state shows of a recovered agent. */
function slaveInfoJson(agent: AgentEntry): Json {
  return {id: agent.id, hostname: agent.info.hostname, port: agent.info.port, attributes: attributesJson(agent.info.attributes)}
}

/** Mesos `SlaveWriter`. */
export function slaveJson(agent: AgentEntry): Json {
  const {ip, port} = agentAddress(agent)
  const out = slaveInfoJson(agent)
  out.pid = `slave(1)@${ip}:${port}`
  out.registered_time = agent.registeredTime
  if (agent.reregisteredTime !== undefined) out.reregistered_time = agent.reregisteredTime
  out.resources = resourcesJson(agent.total)
  out.used_resources = resourcesJson(agent.used)
  out.offered_resources = resourcesJson(agent.offered)
  out.reserved_resources = Object.fromEntries([...reservations(agent.total)].map(([role, r]) => [role, resourcesJson(r)]))
  out.unreserved_resources = resourcesJson(agent.total.filter((r) => !isReserved(r)))
  out.active = agent.status === 'registered'
  out.deactivated = false
  out.version = agent.version
  out.capabilities = ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT']
  return out
}

/** /master/slaves adds the full resource lists to each agent. */
function slaveFullJson(agent: AgentEntry): Json {
  const out = slaveJson(agent)
  out.reserved_resources_full = Object.fromEntries([...reservations(agent.total)].map(([role, r]) => [role, r.map(resourceFull)]))
  out.unreserved_resources_full = agent.total.filter((r) => !isReserved(r)).map(resourceFull)
  out.used_resources_full = agent.used.map(resourceFull)
  out.offered_resources_full = agent.offered.map(resourceFull)
  return out
}

const registered = (m: Master) => [...m.state.agents.values()].filter((a) => a.status === 'registered')
const recovered = (m: Master) => [...m.state.agents.values()].filter((a) => a.status === 'recovered')

/** Mesos duration text (`1secs`, `500ms`). */
function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}secs` : `${ms}ms`
}

export function flagsJson(m: Master): Record<string, string> {
  const c = m.config
  const flags: Record<string, string> = {
    agent_ping_timeout: duration(c.agentHeartbeatIntervalMs),
    agent_reregister_timeout: duration(c.agentUnreachableTimeoutMs),
    allocation_interval: duration(c.allocationIntervalMs),
    authenticate_agents: 'false',
    authenticate_frameworks: 'false',
    authenticate_http_frameworks: 'false',
    authenticate_http_readonly: 'false',
    authenticate_http_readwrite: 'false',
    cluster: c.clusterName,
    framework_sorter: 'drf',
    hostname: c.host,
    ip: c.host,
    max_agent_ping_timeouts: String(Math.max(1, Math.ceil(c.agentUnreachableTimeoutMs / Math.max(1, c.agentHeartbeatIntervalMs)))),
    max_completed_frameworks: String(MAX_COMPLETED_FRAMEWORKS),
    max_completed_tasks_per_framework: String(MAX_COMPLETED_TASKS),
    max_unreachable_tasks_per_framework: String(MAX_UNREACHABLE_TASKS),
    min_allocatable_resources: 'cpus:0.01|mem:32',
    port: String(m.port),
    registry: 'replicated_log',
    role_sorter: 'drf',
    user_sorter: 'drf',
    work_dir: c.workDir,
  }
  if (c.weights && Object.keys(c.weights).length)
    flags.weights = Object.entries(c.weights)
      .map(([role, w]) => `${role}=${w}`)
      .join(',')
  if (c.logFile) flags.external_log_file = c.logFile
  return flags
}

export function stateJson(m: Master): Json {
  const out: Json = {
    version: MESOS_VERSION,
    ...m.build,
    start_time: m.startTime / 1000,
    elected_time: m.startTime / 1000,
    id: m.id,
    pid: m.pid,
    hostname: m.host,
    capabilities: m.info.capabilities.map((c) => c.type),
    activated_slaves: registered(m).length,
    deactivated_slaves: 0,
    unreachable_slaves: [...m.state.agents.values()].filter((a) => a.status === 'unreachable').length,
    leader: m.pid,
    leader_info: {id: m.id, pid: m.pid, port: m.port, hostname: m.host},
    cluster: m.config.clusterName,
  }
  if (m.config.logFile) out.external_log_file = m.config.logFile
  out.flags = flagsJson(m)
  out.slaves = registered(m).map(slaveJson)
  out.recovered_slaves = recovered(m).map(slaveInfoJson)
  out.frameworks = [...m.state.frameworks.values()].map(frameworkJson)
  out.completed_frameworks = m.state.completedFrameworks.map(frameworkJson)
  out.orphan_tasks = []
  out.unregistered_frameworks = []
  return out
}

const COUNTED_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_KILLED',
  'TASK_FAILED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_UNREACHABLE',
] as const

function allTasks(f: FrameworkEntry): TaskEntry[] {
  return [...f.tasks.values(), ...f.unreachableTasks.values(), ...f.completedTasks]
}

function counts(tasks: TaskEntry[]): Json {
  const out: Json = {}
  for (const s of COUNTED_STATES) out[s] = tasks.filter((t) => t.state === s).length
  return out
}

export function stateSummaryJson(m: Master): Json {
  const frameworks = [...m.state.frameworks.values()]
  const tasks = frameworks.flatMap(allTasks)
  return {
    hostname: m.host,
    cluster: m.config.clusterName,
    slaves: registered(m).map((a) => {
      const mine = tasks.filter((t) => t.agentId === a.id)
      return {...slaveJson(a), ...counts(mine), framework_ids: [...new Set(mine.map((t) => t.frameworkId))]}
    }),
    frameworks: frameworks.map((f) => {
      const mine = allTasks(f)
      return {...frameworkSummaryJson(f), ...counts(mine), slave_ids: [...new Set(mine.map((t) => t.agentId))]}
    }),
  }
}

export function slavesJson(m: Master, slaveId?: string): Json {
  const pick = (a: AgentEntry) => slaveId === undefined || a.id === slaveId
  return {slaves: registered(m).filter(pick).map(slaveFullJson), recovered_slaves: recovered(m).filter(pick).map(slaveInfoJson)}
}

export function frameworksJson(m: Master, frameworkId?: string): Json {
  const pick = (f: FrameworkEntry) => frameworkId === undefined || f.id === frameworkId
  return {
    frameworks: [...m.state.frameworks.values()].filter(pick).map(frameworkJson),
    completed_frameworks: m.state.completedFrameworks.filter(pick).map(frameworkJson),
    unregistered_frameworks: [],
  }
}

export interface TasksQuery {
  frameworkId?: string
  taskId?: string
  limit: number
  offset: number
  order: 'asc' | 'desc'
}

/** /master/tasks: active, unreachable and completed tasks, by first status time (Mesos `TaskComparator`). */
export function tasksJson(m: Master, q: TasksQuery): Json {
  const frameworks = [...m.state.frameworks.values(), ...m.state.completedFrameworks].filter(
    (f) => q.frameworkId === undefined || f.id === q.frameworkId,
  )
  const tasks = frameworks.flatMap(allTasks).filter((t) => q.taskId === undefined || t.info.task_id.value === q.taskId)
  const first = (t: TaskEntry) => t.statuses[0]?.timestamp
  tasks.sort((a, b) => {
    const x = first(a)
    const y = first(b)
    if (x === undefined && y === undefined) return 0
    if (q.order === 'asc') return x === undefined ? -1 : y === undefined ? 1 : x - y
    return y === undefined ? -1 : x === undefined ? 1 : y - x
  })
  return {tasks: tasks.slice(q.offset, q.offset + q.limit).map(taskJson)}
}

/** Scalar quantities (Mesos `ResourceQuantities`): only what is there. */
function quantities(resources: Resource[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of resources) if (r.type === 'SCALAR') out[r.name] = Math.round(((out[r.name] ?? 0) + (r.scalar?.value ?? 0)) * 1e6) / 1e6
  return out
}

export function rolesJson(m: Master): Json {
  const frameworks = [...m.state.frameworks.values()]
  const agents = registered(m)
  const names = new Set<string>([...frameworks.flatMap((f) => frameworkRoles(f.info)), ...Object.keys(m.config.weights ?? {})])
  for (const a of agents) for (const role of reservations(a.total).keys()) names.add(role)
  return {
    roles: [...names].sort().map((name) => {
      let allocated: Resource[] = []
      let offered: Resource[] = []
      for (const f of frameworks) {
        allocated = add(allocated, f.usedByRole.get(name) ?? [])
        offered = add(offered, f.offeredByRole.get(name) ?? [])
      }
      let reserved: Resource[] = []
      for (const a of agents) reserved = add(reserved, reservations(a.total).get(name) ?? [])
      const weight = m.config.weights?.[name] ?? 1
      return {
        name,
        weight,
        quota: {role: name, guarantee: {}, limit: {}, consumed: quantities(allocated)},
        resources: quantities(add(allocated, offered)),
        allocated: quantities(allocated),
        offered: quantities(offered),
        reserved: quantities(reserved),
        frameworks: frameworks.filter((f) => frameworkRoles(f.info).includes(name)).map((f) => f.id),
      }
    }),
  }
}
