/**
 * The task tracker (Marathon's instance tracker): every task Marathon launched and has not seen
 * end, by id and by app, with what the API shows of it. The durable part (`TaskRecord`) is
 * stored before a launch is sent and on every state change that matters, so a restarted
 * Marathon knows its tasks and launches no duplicates; health and readiness are runtime only.
 *
 * Ids are Marathon 1.10's: instance `<app path with / as _>.instance-<uuid>`, task
 * `<instance>._app.<incarnation>` (a resident instance's relaunch increments the incarnation).
 */
import {randomUUID} from 'node:crypto'
import type {Attribute, Resource, TaskState} from '../../mesos/types'
import {isTerminal} from '../../mesos/types'
import {safePath} from './path-id'

/** What a resident instance holds on its agent: reserved resources and persistent volumes. */
export interface TaskReservation {
  agentId: string
  /** The reserved resources (cpus, mem, disk, ports) and the volumes, as the offer shows them. */
  resources: Resource[]
  volumeIds: string[]
  /** Set when the instance is being given up: its volumes are destroyed and resources unreserved. */
  releasing?: boolean
}

export interface TaskRecord {
  id: string
  instanceId: string
  appId: string
  incarnation: number
  agentId: string
  host: string
  /** The agent's attributes, for constraints of later placements. */
  attributes: Attribute[]
  ports: number[]
  servicePorts: number[]
  state: TaskState
  stagedAt: string
  startedAt?: string
  /** The app version the task was launched with. */
  version: string
  /** The app's `lastConfigChangeAt` at launch: a task is current while it equals the app's. */
  configVersion: string
  role: string
  message?: string
  reservation?: TaskReservation
  /** Passed its readiness check (or the app has none); kept so a failover does not forget it. */
  ready: boolean
}

export interface HealthResult {
  alive: boolean
  consecutiveFailures: number
  firstSuccess: string | null
  lastSuccess: string | null
  lastFailure: string | null
  lastFailureCause: string | null
}

export interface ReadinessResult {
  name: string
  taskId: string
  ready: boolean
  lastResponse?: {status: number; contentType: string; body: string}
}

export type KillReason = 'scale' | 'upgrade' | 'unhealthy' | 'user' | 'delete' | 'orphan'

export interface Task extends TaskRecord {
  /** Epoch ms of the last KILL sent, while the task is being killed. */
  killRequestedAt?: number
  killReason?: KillReason
  /** One entry per health check of the app, once it has a result. */
  health: (HealthResult | undefined)[]
  readiness?: ReadinessResult
}

export function newInstanceId(appId: string): string {
  return `${safePath(appId)}.instance-${randomUUID()}`
}

export function taskIdOf(instanceId: string, incarnation: number): string {
  return `${instanceId}._app.${incarnation}`
}

/** The instance id inside a task id of either form we write; undefined for anything else. */
export function instanceIdOf(taskId: string): string | undefined {
  const m = /^(.+\.instance-[0-9a-f-]{36})\._app\.\d+$/.exec(taskId)
  return m?.[1]
}

export function isActive(task: TaskRecord): boolean {
  return !isTerminal(task.state)
}

export function isRunning(task: TaskRecord): boolean {
  return task.state === 'TASK_RUNNING'
}

/** Alive by every health check (and it has them), as `tasksHealthy` counts. */
export function isHealthy(task: Task, checks: number): boolean {
  if (checks === 0 || !isRunning(task)) return false
  for (let i = 0; i < checks; i++) if (task.health[i]?.alive !== true) return false
  return true
}

export function isUnhealthy(task: Task): boolean {
  return task.health.some((h) => h !== undefined && !h.alive)
}

export function record(task: Task): TaskRecord {
  const {killRequestedAt: _k, killReason: _r, health: _h, readiness: _rd, ...rec} = task
  return rec
}

export class TaskTracker {
  readonly #byId = new Map<string, Task>()
  readonly #byApp = new Map<string, Map<string, Task>>()

  get size(): number {
    return this.#byId.size
  }

  get(id: string): Task | undefined {
    return this.#byId.get(id)
  }

  add(task: Task): void {
    this.#byId.set(task.id, task)
    let app = this.#byApp.get(task.appId)
    if (!app) this.#byApp.set(task.appId, (app = new Map()))
    app.set(task.id, task)
  }

  remove(id: string): Task | undefined {
    const task = this.#byId.get(id)
    if (!task) return undefined
    this.#byId.delete(id)
    const app = this.#byApp.get(task.appId)
    app?.delete(id)
    if (app?.size === 0) this.#byApp.delete(task.appId)
    return task
  }

  ofApp(appId: string): Task[] {
    const app = this.#byApp.get(appId)
    return app ? [...app.values()] : []
  }

  appIds(): string[] {
    return [...this.#byApp.keys()]
  }

  all(): IterableIterator<Task> {
    return this.#byId.values()
  }
}

export interface TaskCounts {
  tasksStaged: number
  tasksRunning: number
  tasksHealthy: number
  tasksUnhealthy: number
}

export function countTasks(tasks: Task[], checks: number): TaskCounts {
  const counts = {tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0}
  for (const t of tasks) {
    if (t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING') counts.tasksStaged++
    else if (t.state === 'TASK_RUNNING') counts.tasksRunning++
    else continue
    if (isHealthy(t, checks)) counts.tasksHealthy++
    else if (isUnhealthy(t)) counts.tasksUnhealthy++
  }
  return counts
}

/** The task as `/v2/tasks` and `/v2/apps/{id}/tasks` show it (`types/task.raml`). */
export function taskJson(task: Task): Record<string, unknown> {
  const health = task.health.flatMap((h) => (h ? [{...h, instanceId: task.instanceId}] : []))
  return {
    id: task.id,
    slaveId: task.agentId,
    host: task.host,
    state: task.state,
    ...(task.startedAt && {startedAt: task.startedAt}),
    stagedAt: task.stagedAt,
    ports: task.ports,
    version: task.version,
    ipAddresses: [{ipAddress: task.host, protocol: 'IPv4'}],
    appId: task.appId,
    ...(health.length > 0 && {healthCheckResults: health}),
    servicePorts: task.servicePorts,
    ...(task.reservation && {
      localVolumes: task.reservation.volumeIds.map((persistenceId) => ({runSpecId: task.appId, containerPath: containerPathOf(task, persistenceId), persistenceId})),
    }),
    role: task.role,
  }
}

function containerPathOf(task: Task, persistenceId: string): string {
  const volume = task.reservation?.resources.find((r) => r.disk?.persistence?.id === persistenceId)
  return volume?.disk?.volume?.container_path ?? ''
}
