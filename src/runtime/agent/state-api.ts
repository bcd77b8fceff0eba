/**
 * The agent's read-only endpoints in the real Mesos agent's shapes (src/slave/http.cpp):
 * /state (also /state.json and under /slave(1)), /flags, /monitor/statistics, /metrics/snapshot,
 * /health and /version. /state is serialised once per state version.
 */
import os from 'node:os'
import {isReserved, reservationRole, scalar, summary, formatRanges} from '../../mesos/resources'
import {isTerminal, type Attribute, type Resource, type TaskState} from '../../mesos/types'
import {MESOS_VERSION, type AgentConfig} from '../config'
import {RawJson, jsonp, reply, type Request, type Router} from '../http'
import type {Agent} from './agent'
import type {TaskRecord} from './checkpoint'
import {executorName} from './executor'

/** What a Mesos 1.11 agent advertises. */
const CAPABILITIES = ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT', 'RESOURCE_PROVIDER', 'RESIZE_VOLUME', 'AGENT_OPERATION_FEEDBACK', 'AGENT_DRAINING', 'TASK_RESOURCE_LIMITS']

function attributesJson(attributes: Attribute[]): Record<string, number | string> {
  const out: Record<string, number | string> = {}
  for (const a of attributes) {
    if (a.type === 'SCALAR') out[a.name] = a.scalar?.value ?? 0
    else if (a.type === 'TEXT') out[a.name] = a.text?.value ?? ''
    else if (a.type === 'RANGES') out[a.name] = formatRanges(a.ranges?.range ?? [])
    else out[a.name] = `{${(a.set?.item ?? []).join(', ')}}`
  }
  return out
}

function taskRole(r: TaskRecord): string {
  const allocated = r.task.resources.find((x) => x.allocation_info?.role)?.allocation_info?.role
  return allocated ?? r.framework_info.roles?.[0] ?? r.framework_info.role ?? '*'
}

/** `json(Task)`: as the master shows tasks; `executor_id` is "" for command tasks. */
function taskJson(r: TaskRecord, agentId: string): Record<string, unknown> {
  const t = r.task
  return {
    id: t.task_id.value,
    name: t.name,
    framework_id: r.framework_id,
    executor_id: '',
    slave_id: agentId,
    state: r.state,
    resources: summary(t.resources),
    role: taskRole(r),
    statuses: r.statuses.map((s) => ({
      state: s.state,
      timestamp: s.timestamp,
      ...(s.container_status ? {container_status: s.container_status} : {}),
      ...(s.healthy !== undefined ? {healthy: s.healthy} : {}),
      ...(s.labels ? {labels: s.labels.labels} : {}),
    })),
    ...(t.labels ? {labels: t.labels.labels} : {}),
    ...(t.discovery ? {discovery: t.discovery} : {}),
    ...(t.container ? {container: t.container} : {}),
    ...(t.health_check ? {health_check: t.health_check} : {}),
    ...(t.command?.user ? {user: t.command.user} : {}),
  }
}

function executorJson(r: TaskRecord, agentId: string, completed: boolean): Record<string, unknown> {
  const task = taskJson(r, agentId)
  return {
    id: r.task.task_id.value,
    name: executorName(r.task),
    source: r.task.task_id.value,
    container: r.container_id,
    directory: r.directory,
    resources: summary(r.task.resources),
    role: taskRole(r),
    type: 'COMMAND',
    ...(r.task.labels ? {labels: r.task.labels.labels} : {}),
    tasks: !completed && r.state !== 'TASK_STAGING' ? [task] : [],
    queued_tasks: !completed && r.state === 'TASK_STAGING' ? [task] : [],
    completed_tasks: completed ? [task] : [],
  }
}

function frameworkJson(records: {active: TaskRecord[]; completed: TaskRecord[]}, agentId: string): Record<string, unknown> {
  const r = records.active.at(-1) ?? records.completed.at(-1)!
  const f = r.framework_info
  return {
    id: r.framework_id,
    name: f.name ?? '',
    user: f.user ?? '',
    failover_timeout: f.failover_timeout ?? 0,
    checkpoint: f.checkpoint ?? false,
    hostname: f.hostname ?? '',
    ...(f.principal ? {principal: f.principal} : {}),
    ...(f.roles ? {roles: f.roles} : {role: f.role ?? '*'}),
    capabilities: (f.capabilities ?? []).map((c) => c.type),
    executors: records.active.map((x) => executorJson(x, agentId, false)),
    completed_executors: records.completed.map((x) => executorJson(x, agentId, true)),
  }
}

function byRole(resources: Resource[]): Record<string, Resource[]> {
  const out: Record<string, Resource[]> = {}
  for (const r of resources.filter(isReserved)) (out[reservationRole(r)] ??= []).push(r)
  return out
}

function mapValues<T, U>(o: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]))
}

function agentFlags(config: AgentConfig, agent: Agent): Record<string, string> {
  return {
    work_dir: config.workDir,
    ip: config.host,
    port: String(config.port),
    hostname: agent.hostname,
    master: config.masterUrl,
    resources: config.resources ?? '',
    attributes: config.attributes ?? '',
    isolation: agent.isolatorName,
    launcher: agent.isolatorName.startsWith('cgroups') ? 'linux' : 'posix',
    cgroups_root: 'mesos',
    executor_shutdown_grace_period: `${config.killGracePeriodMs / 1000}secs`,
    max_task_processes: String(config.maxTaskProcesses),
    switch_user: 'false',
    checkpoint: 'true',
    recover: 'reconnect',
    strict: 'true',
    default_role: '*',
    ...(config.logFile ? {external_log_file: config.logFile} : {}),
  }
}

function stateJson(agent: Agent, config: AgentConfig): Record<string, unknown> {
  const agentId = agent.agentId ?? ''
  const frameworks = new Map<string, {active: TaskRecord[]; completed: TaskRecord[]}>()
  const entry = (id: string) => frameworks.get(id) ?? frameworks.set(id, {active: [], completed: []}).get(id)!
  for (const r of agent.completedTasks()) entry(r.framework_id).completed.push(r)
  for (const r of agent.activeTasks()) entry(r.framework_id).active.push(r)
  const total = agent.totalResources
  const used = agent.activeTasks().filter((r) => !isTerminal(r.state)).flatMap((r) => r.task.resources)
  const start = agent.startTime / 1000
  return {
    version: MESOS_VERSION,
    build_date: new Date(agent.startTime).toISOString(),
    build_time: start,
    build_user: 'dcos',
    git_tag: MESOS_VERSION,
    start_time: start,
    id: agentId,
    pid: `slave(1)@${agent.endpoint}`,
    hostname: agent.hostname,
    capabilities: CAPABILITIES,
    resources: summary(total),
    reserved_resources: mapValues(byRole(total), summary),
    unreserved_resources: summary(total.filter((r) => !isReserved(r))),
    reserved_resources_full: byRole(total),
    unreserved_resources_full: total.filter((r) => !isReserved(r)),
    reserved_resources_allocated: mapValues(byRole(used), summary),
    unreserved_resources_allocated: summary(used.filter((r) => !isReserved(r))),
    resource_providers: [],
    attributes: attributesJson(agent.attributes),
    ...(agent.masterId ? {master_hostname: new URL(config.masterUrl).hostname} : {}),
    ...(config.logFile ? {external_log_file: config.logFile} : {}),
    flags: agentFlags(config, agent),
    frameworks: [...frameworks.values()].filter((f) => f.active.length > 0).map((f) => frameworkJson(f, agentId)),
    completed_frameworks: [...frameworks.values()].filter((f) => f.active.length === 0).map((f) => frameworkJson(f, agentId)),
  }
}

function metrics(agent: Agent): Record<string, number> {
  const active = agent.activeTasks()
  const running = active.filter((r) => !isTerminal(r.state))
  const count = (state: TaskState) => active.filter((r) => r.state === state).length
  const out: Record<string, number> = {
    'slave/registered': agent.registeredWithMaster ? 1 : 0,
    'slave/uptime_secs': (agent.now() - agent.startTime) / 1000,
    'slave/frameworks_active': new Set(running.map((r) => r.framework_id)).size,
    'slave/executors_registering': 0,
    'slave/executors_running': running.filter((r) => r.leader && !r.kill).length,
    'slave/executors_terminating': running.filter((r) => r.kill).length,
    'slave/executors_terminated': [...agent.terminalCounts.values()].reduce((a, b) => a + b, 0),
    'slave/tasks_staging': count('TASK_STAGING'),
    'slave/tasks_starting': count('TASK_STARTING'),
    'slave/tasks_running': count('TASK_RUNNING'),
    'slave/tasks_killing': count('TASK_KILLING'),
    'system/cpus_total': os.cpus().length,
    'system/mem_total_bytes': os.totalmem(),
    'system/mem_free_bytes': os.freemem(),
    'system/load_1min': os.loadavg()[0],
    'system/load_5min': os.loadavg()[1],
    'system/load_15min': os.loadavg()[2],
  }
  for (const state of ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_LOST', 'TASK_ERROR', 'TASK_GONE', 'TASK_DROPPED'] as const)
    out[`slave/tasks_${state.slice(5).toLowerCase()}`] = agent.terminalCounts.get(state) ?? 0
  const used = running.flatMap((r) => r.task.resources)
  for (const name of ['cpus', 'mem', 'disk', 'gpus']) {
    const total = scalar(agent.totalResources, name)
    const inUse = scalar(used, name)
    out[`slave/${name}_total`] = total
    out[`slave/${name}_used`] = inUse
    out[`slave/${name}_percent`] = total > 0 ? inUse / total : 0
  }
  return out
}

export function stateRoutes(router: Router, agent: Agent, config: AgentConfig): void {
  let cached: {version: number; body: RawJson} | undefined
  const state = (req: Request) => {
    if (cached?.version !== agent.version) cached = {version: agent.version, body: new RawJson(JSON.stringify(stateJson(agent, config)))}
    return jsonp(req, cached.body)
  }
  const flags = (req: Request) => jsonp(req, {flags: agentFlags(config, agent)})
  const statistics = (req: Request) => jsonp(req, agent.statistics())
  const health = () => reply(200)
  for (const prefix of ['', '/slave(1)']) {
    router.get(`${prefix}/state`, state)
    router.get(`${prefix}/state.json`, state)
    router.get(`${prefix}/flags`, flags)
    router.get(`${prefix}/monitor/statistics`, statistics)
    router.get(`${prefix}/monitor/statistics.json`, statistics)
    router.get(`${prefix}/health`, health)
  }
  router.get('/metrics/snapshot', (req) => jsonp(req, metrics(agent)))
  router.get('/version', (req) =>
    jsonp(req, {version: MESOS_VERSION, build_date: new Date(agent.startTime).toISOString(), build_time: agent.startTime / 1000, build_user: 'dcos', git_tag: MESOS_VERSION}),
  )
}
