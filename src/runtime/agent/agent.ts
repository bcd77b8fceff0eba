/**
 * The agent proper (Mesos' `Slave`): it takes the master's tasks and runs each in a container
 * (containerizer.ts), reports their states through the status update manager, kills them,
 * applies offer operations to its resources, and recovers all of it from its checkpoints after a
 * restart. Every task runs one flow, launch → wait → report the end, so the statuses of a task
 * are produced in order.
 */
import {randomUUID} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {
  CALL_BATCH,
  STATUS_BATCH,
  type AgentTaskReport,
  type BatchResponse,
  type KillTaskRequest,
  type RegisterAgentRequest,
  type RegisterAgentResponse,
  type RunTaskRequest,
} from '../../mesos/agent-protocol'
import {scalar} from '../../mesos/resources'
import {isTerminal, type Attribute, type FrameworkInfo, type Operation, type Resource, type TaskInfo, type TaskState, type TaskStatus} from '../../mesos/types'
import {serviceHeaders} from '../auth'
import {MESOS_VERSION, type AgentConfig} from '../config'
import {HttpError, conflict} from '../http'
import type {Logger} from '../log'
import {streamKey, type Checkpoint, type TaskRecord} from './checkpoint'
import {Containerizer, type SandboxPreparation, type Termination} from './containerizer'
import {executorName} from './executor'
import type {ContainerLimits, Isolator} from './isolation'
import {MasterLink} from './master-link'
import {applyOperations} from './operations'
import {isCheckpointed, totalResources} from './resources'
import {EXIT_STATUS_FILE, removeDir, taskVolumes, type Layout} from './sandbox'
import {StatusUpdateManager} from './status-updates'

const MiB = 1024 * 1024
/** Mesos' MAX_COMPLETED_EXECUTORS_PER_FRAMEWORK: older completed tasks (and sandboxes) go. */
const MAX_COMPLETED_PER_FRAMEWORK = 150
/** Mesos' MIN_MEMORY for a container. */
const MIN_TASK_MEM_MB = 32
/** Most status updates in one request to the master. */
const MAX_STATUS_BATCH = 64
/** How long shutdown() waits for the master to acknowledge the final updates. */
const SHUTDOWN_FLUSH_MS = 5000

interface ActiveTask {
  record: TaskRecord
  /** Aborts the launch while the container is being prepared. */
  abort?: AbortController
  /** The task's flow: launch or recovery, then the wait for its end, until that is reported. */
  flow: Promise<void>
  /** Serialises the task's status updates. */
  reporting: Promise<void>
}

export interface AgentOptions {
  config: AgentConfig
  log: Logger
  now: () => number
  layout: Layout
  checkpoint: Checkpoint
  isolator: Isolator
  pageSize: number
  /** Resources before checkpointed reservations and volumes. */
  base: Resource[]
  attributes: Attribute[]
  /** Where the agent serves, as tasks and the master see it. */
  host: string
  port: number
}

/** One line of /monitor/statistics. */
export interface MonitorEntry {
  framework_id: string
  executor_id: string
  executor_name: string
  source: string
  statistics: Record<string, number>
}

export class Agent {
  readonly startTime: number
  readonly now: () => number
  readonly hostname: string
  readonly attributes: Attribute[]
  #o: AgentOptions
  #log: Logger
  #agentId?: string
  #masterId?: string
  #total: Resource[]
  #active = new Map<string, ActiveTask>()
  #byTask = new Map<string, ActiveTask>()
  #completed: TaskRecord[] = []
  #updates: StatusUpdateManager
  #link: MasterLink
  #containerizer: Containerizer
  /** Serialises offer operations: each applies to the total the previous one left. */
  #operations: Promise<unknown> = Promise.resolve()
  #closed = false
  /** shutdown() began: no new tasks. */
  #draining = false
  #version = 0
  /** The master takes several status updates in one request. */
  #statusBatch = false
  /** Updates waiting for the end of this turn of the event loop, to go in one request. */
  #outbox: {framework_id: string; status: TaskStatus; resolve: (ok: boolean) => void}[] = []
  /** Terminal states reported since start, for /metrics/snapshot. */
  readonly terminalCounts = new Map<TaskState, number>()

  constructor(o: AgentOptions) {
    this.#o = o
    this.#log = o.log
    this.now = o.now
    this.startTime = o.now()
    this.hostname = o.config.hostname ?? o.config.host
    this.attributes = o.attributes
    const stored = o.checkpoint.agent()
    this.#agentId = stored.agent_id
    const {total, fits} = totalResources(o.base, stored.resources)
    if (!fits) this.#log.warn('checkpointed reservations and volumes exceed the resources this host now has; reporting them all the same')
    this.#total = total
    this.#updates = new StatusUpdateManager({
      checkpoint: o.checkpoint,
      retryMs: o.config.statusRetryMs,
      log: o.log,
      send: (frameworkId, status) => this.#sendUpdate(frameworkId, status),
      onAcknowledged: (frameworkId, status) => this.#acknowledged(frameworkId, status),
    })
    this.#containerizer = new Containerizer({
      layout: o.layout,
      isolator: o.isolator,
      log: o.log,
      now: o.now,
      pageSize: o.pageSize,
      persist: (record) => o.checkpoint.saveTask(record),
    })
    this.#link = new MasterLink({
      masterUrl: o.config.masterUrl,
      headers: serviceHeaders(o.config.auth),
      log: o.log,
      registration: () => this.registration(),
      onRegistered: (res) => this.#registered(res),
      onDisconnected: () => this.#updates.pause(),
    })
  }

  // ---- what the HTTP endpoints read ----

  get agentId(): string | undefined {
    return this.#agentId
  }

  get masterId(): string | undefined {
    return this.#masterId
  }

  get registeredWithMaster(): boolean {
    return this.#link.registered
  }

  /** Bumped on every change the state endpoints show. */
  get version(): number {
    return this.#version
  }

  get totalResources(): Resource[] {
    return this.#total
  }

  get endpoint(): string {
    return `${this.#o.host}:${this.#o.port}`
  }

  get isolatorName(): string {
    return this.#o.isolator.name
  }

  activeTasks(): TaskRecord[] {
    return [...this.#active.values()].map((t) => t.record)
  }

  completedTasks(): TaskRecord[] {
    return this.#completed
  }

  // ---- lifecycle ----

  /**
   * Recovers from the checkpoints: completed tasks, update streams, and each task's container,
   * re-adopting live processes and reporting the end of those that ended while the agent was down.
   */
  async recover(): Promise<void> {
    this.#completed = this.#o.checkpoint.completed().sort((a, b) => (a.completed_at ?? 0) - (b.completed_at ?? 0))
    for (const record of this.#o.checkpoint.tasks()) {
      const task: ActiveTask = {record, flow: Promise.resolve(), reporting: Promise.resolve()}
      this.#track(task)
      if (isTerminal(record.state)) {
        if (record.framework_removed || !this.#updates.hasPending(record.framework_id, record.task.task_id.value)) await this.#complete(task)
      } else if (record.leader) {
        this.#flow(task, this.#waitForEnd(task))
      } else {
        this.#flow(task, this.#abandonLaunch(task))
      }
    }
  }

  /** Starts talking to the master. */
  start(): void {
    this.#link.start()
  }

  /** Stops everything the agent does; task processes keep running (re-adopted on restart). */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#containerizer.close()
    for (const task of this.#active.values()) task.abort?.abort()
    await this.#link.close()
    this.#updates.close()
    const tasks = [...this.#active.values()]
    await Promise.allSettled(tasks.flatMap((t) => [t.flow, t.reporting]))
    await this.#o.checkpoint.close()
  }

  /** Kills every task (each with its grace period), sends their last updates as far as the master takes them, then closes. */
  async shutdown(): Promise<void> {
    this.#draining = true
    const tasks = [...this.#active.values()].filter((t) => !isTerminal(t.record.state))
    const grace = Math.max(0, ...tasks.map((t) => this.#graceMs(t.record.task)))
    await Promise.all(tasks.map((t) => this.kill({framework_id: t.record.framework_id, task_id: t.record.task.task_id.value})))
    await within(Promise.allSettled(tasks.map((t) => t.flow)), grace + 5000)
    const deadline = Date.now() + SHUTDOWN_FLUSH_MS
    while (this.#updates.pendingCount > 0 && this.#link.registered && Date.now() < deadline) await sleep(50)
    await this.close()
  }

  // ---- the master's requests ----

  registration(): RegisterAgentRequest {
    const tasks: AgentTaskReport[] = this.activeTasks().map((r) => ({framework_id: r.framework_id, task: r.task, state: r.state, statuses: r.statuses}))
    const frameworks = new Map<string, FrameworkInfo>()
    for (const r of this.activeTasks()) frameworks.set(r.framework_id, r.framework_info)
    return {
      agent_id: this.#agentId,
      agent_info: {
        hostname: this.hostname,
        port: this.#o.port,
        ...(this.#agentId ? {id: {value: this.#agentId}} : {}),
        resources: this.#total,
        attributes: this.attributes,
      },
      url: `http://${this.endpoint}`,
      version: MESOS_VERSION,
      resources: this.#total,
      tasks,
      frameworks: [...frameworks.values()],
      capabilities: [CALL_BATCH],
    }
  }

  /** Accepts a task (checkpointed before this resolves); its statuses follow as updates. */
  async run(req: RunTaskRequest): Promise<void> {
    const agentId = this.#agentId
    if (this.#draining || this.#closed) throw new HttpError(503, 'The agent is shutting down')
    if (!agentId) throw new HttpError(503, 'The agent is not registered with a master')
    const frameworkId = req.framework_info.id.value
    const taskId = req.task.task_id.value
    if (req.task.agent_id?.value && req.task.agent_id.value !== agentId)
      throw conflict(`Task '${taskId}' is meant for agent '${req.task.agent_id.value}'; this is agent '${agentId}'`)
    if (this.#byTask.has(streamKey(frameworkId, taskId))) throw conflict(`Task '${taskId}' of framework '${frameworkId}' is already running on this agent`)
    const containerId = randomUUID()
    const record: TaskRecord = {
      framework_id: frameworkId,
      framework_info: req.framework_info,
      task: req.task,
      container_id: containerId,
      directory: this.#o.layout.sandbox(agentId, frameworkId, taskId, containerId),
      limits: this.#limits(req.task),
      state: 'TASK_STAGING',
      statuses: [],
    }
    const sandbox = this.#containerizer.plan(record)
    const task: ActiveTask = {record, flow: Promise.resolve(), reporting: Promise.resolve()}
    this.#track(task)
    await this.#o.checkpoint.saveTask(record)
    this.#log.info(`launching task ${taskId} of framework ${frameworkId} in container ${containerId}`)
    this.#flow(task, this.#launch(task, sandbox))
  }

  /**
   * Kills a task: SIGTERM to its process group, SIGKILL after the grace period. A task this
   * agent does not run is reported TASK_LOST (TASK_DROPPED to partition-aware frameworks), as a
   * Mesos agent reports it, when the agent knows its framework; otherwise the kill is ignored.
   */
  async kill(req: KillTaskRequest): Promise<void> {
    this.#assertOpen()
    const task = this.#byTask.get(streamKey(req.framework_id, req.task_id))
    if (!task) return this.#reportUnknown(req.framework_id, req.task_id)
    const record = task.record
    if (isTerminal(record.state) || record.kill) return
    if (!record.leader) {
      task.abort?.abort()
      return
    }
    const graceMs = this.#graceMs(record.task, req.kill_policy?.grace_period?.nanoseconds)
    this.#log.info(`killing task ${req.task_id} (grace ${graceMs} ms)`)
    await this.#containerizer.kill(record, graceMs)
    this.#changed()
    if (record.state === 'TASK_RUNNING' && hasCapability(record.framework_info, 'TASK_KILLING_STATE'))
      void this.#report(task, 'TASK_KILLING', {source: 'SOURCE_EXECUTOR'})
  }

  acknowledge(frameworkId: string, taskId: string, uuid: string): Promise<boolean> {
    this.#assertOpen()
    return this.#updates.acknowledge(frameworkId, taskId, uuid)
  }

  /** The framework is gone: its updates are dropped and its tasks killed (and completed at once). */
  async shutdownFramework(frameworkId: string): Promise<void> {
    this.#assertOpen()
    await this.#updates.dropFramework(frameworkId)
    for (const task of [...this.#active.values()]) {
      if (task.record.framework_id !== frameworkId || this.#closed) continue
      task.record.framework_removed = true
      await this.#o.checkpoint.saveTask(task.record)
      if (isTerminal(task.record.state)) await this.#complete(task)
      else await this.kill({framework_id: frameworkId, task_id: task.record.task.task_id.value})
    }
  }

  /** Applies offer operations to the total resources (checkpointed); returns the new total. */
  applyOperations(operations: Operation[]): Promise<Resource[]> {
    this.#assertOpen()
    const next = this.#operations.then(() => this.#apply(operations))
    this.#operations = next.catch(() => {})
    return next
  }

  async #apply(operations: Operation[]): Promise<Resource[]> {
    this.#assertOpen()
    const volumeUser = (id: string) =>
      this.activeTasks().find((r) => !isTerminal(r.state) && taskVolumes(r.task.resources).some((v) => v.ref.persistenceId === id))?.task.task_id.value
    const result = applyOperations(this.#total, operations, volumeUser)
    for (const ref of result.created) await fs.promises.mkdir(this.#o.layout.volumeDir(ref), {recursive: true})
    await this.#o.checkpoint.saveAgent({agent_id: this.#agentId, resources: result.total.filter(isCheckpointed)})
    this.#total = result.total
    this.#changed()
    for (const ref of result.destroyed) await fs.promises.rm(this.#o.layout.volumeDir(ref), {recursive: true, force: true})
    return this.#total
  }

  /** /monitor/statistics: the resource usage of every running task. */
  statistics(): MonitorEntry[] {
    const running = this.activeTasks().filter((r) => !isTerminal(r.state))
    return [...this.#containerizer.usage(running)].map(([r, statistics]) => ({
      framework_id: r.framework_id,
      executor_id: r.task.task_id.value,
      executor_name: executorName(r.task),
      source: r.task.task_id.value,
      statistics,
    }))
  }

  // ---- internals ----

  /** After close() the checkpoints are closed: the master's requests wait for the next agent. */
  #assertOpen(): void {
    if (this.#closed) throw new HttpError(503, 'The agent is stopping')
  }

  #track(task: ActiveTask): void {
    this.#active.set(task.record.container_id, task)
    this.#byTask.set(streamKey(task.record.framework_id, task.record.task.task_id.value), task)
    this.#changed()
  }

  /** A task's flow must never reject: a failure is logged, the task stays as it is. */
  #flow(task: ActiveTask, flow: Promise<void>): void {
    task.flow = flow.catch((e: Error) => this.#log.error(`task ${task.record.task.task_id.value}: ${e.stack ?? e.message}`))
  }

  #changed(): void {
    this.#version++
  }

  #limits(task: TaskInfo): ContainerLimits {
    const limit = task.limits?.mem
    // A string limit is "infinity": no memory limit (TASK_RESOURCE_LIMITS).
    const memMb = typeof limit === 'string' ? undefined : (limit?.value ?? (scalar(task.resources, 'mem') || undefined))
    return {
      memBytes: memMb === undefined ? undefined : Math.max(memMb, MIN_TASK_MEM_MB) * MiB,
      maxProcesses: this.#o.config.maxTaskProcesses,
    }
  }

  #graceMs(task: TaskInfo, nanoseconds?: number): number {
    const ns = nanoseconds ?? task.kill_policy?.grace_period?.nanoseconds
    return ns === undefined ? this.#o.config.killGracePeriodMs : Math.round(ns / 1e6)
  }

  async #launch(task: ActiveTask, sandbox: SandboxPreparation): Promise<void> {
    const record = task.record
    const abort = (task.abort = new AbortController())
    const progress = (line: string) => appendLog(path.join(record.directory, 'stderr'), line, this.#o.now())
    const env = {
      agentId: this.#agentId!,
      endpoint: this.endpoint,
      frameworkId: record.framework_id,
      checkpoint: record.framework_info.checkpoint === true,
      graceMs: this.#graceMs(record.task),
    }
    const starting = () => void this.#report(task, 'TASK_STARTING', {source: 'SOURCE_EXECUTOR'})
    try {
      await this.#containerizer.launch(record, sandbox, env, abort.signal, progress, starting)
    } catch (error) {
      task.abort = undefined
      if (this.#closed) return
      if (abort.signal.aborted && !record.leader)
        return this.#report(task, 'TASK_KILLED', {source: 'SOURCE_AGENT', reason: 'REASON_TASK_KILLED_DURING_LAUNCH', message: 'Task killed during launch'})
      if (!record.leader) {
        const message = `Failed to launch container: ${(error as Error).message}`
        if (fs.existsSync(record.directory)) progress(message)
        this.#log.warn(`task ${record.task.task_id.value}: ${message}`)
        return this.#report(task, 'TASK_FAILED', {source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message})
      }
      throw error
    }
    task.abort = undefined
    if (this.#closed) return
    if (abort.signal.aborted) {
      // Killed while its process was being started.
      await this.#containerizer.kill(record, 0)
    } else {
      // Checkpoints the record with its new leader, then the update: recovery knows the process
      // before anyone hears it runs.
      void this.#report(task, 'TASK_RUNNING', {source: 'SOURCE_EXECUTOR'})
    }
    await this.#waitForEnd(task)
  }

  /** The agent restarted while this task was launching: the container never (knowingly) started. */
  async #abandonLaunch(task: ActiveTask): Promise<void> {
    await this.#containerizer.abandon(task.record)
    await this.#report(task, 'TASK_FAILED', {
      source: 'SOURCE_AGENT',
      reason: 'REASON_AGENT_RESTARTED',
      message: 'The agent restarted while the task was launching',
    })
  }

  async #waitForEnd(task: ActiveTask): Promise<void> {
    const end: Termination | undefined = await this.#containerizer.wait(task.record)
    if (end && !this.#closed) await this.#report(task, end.state, end.status)
  }

  #status(record: TaskRecord, state: TaskState, extra: Partial<TaskStatus>): TaskStatus {
    return {
      task_id: {value: record.task.task_id.value},
      state,
      ...extra,
      agent_id: {value: this.#agentId ?? ''},
      executor_id: {value: record.task.task_id.value},
      timestamp: this.#o.now() / 1000,
      uuid: updateUuid(),
      container_status: {
        container_id: {value: record.container_id},
        ...(record.leader ? {executor_pid: record.leader.pid} : {}),
        network_infos: [{ip_addresses: [{protocol: 'IPv4', ip_address: this.#o.host}]}],
      },
    }
  }

  /**
   * Records a new state: checkpoints the task record and hands the update to the status update
   * manager, which checkpoints it in the task's stream and sends it once both are on disk. Both
   * writes are issued at once, in call order, so the updates of a task keep their order and a
   * burst of them (STARTING, RUNNING) shares an fsync instead of waiting for one another.
   */
  #report(task: ActiveTask, state: TaskState, extra: Partial<TaskStatus>): Promise<void> {
    const record = task.record
    const status = this.#status(record, state, extra)
    record.state = state
    record.statuses.push(status)
    if (isTerminal(state)) {
      this.terminalCounts.set(state, (this.terminalCounts.get(state) ?? 0) + 1)
      this.#log.info(`task ${record.task.task_id.value} of framework ${record.framework_id} is ${state}${extra.message ? `: ${extra.message}` : ''}`)
    }
    this.#changed()
    if (this.#closed) return task.reporting
    const saved = this.#o.checkpoint.saveTask(record)
    const recorded = record.framework_removed
      ? saved.then(() => (isTerminal(state) ? this.#complete(task) : undefined))
      : this.#updates.update(record.framework_id, status, saved)
    const done = recorded.catch((e: Error) => this.#log.error(`recording ${state} of task ${record.task.task_id.value}: ${e.message}`))
    task.reporting = task.reporting.then(() => done)
    return task.reporting
  }

  /**
   * Reports a kill of a task this agent does not run. A framework the agent does not know is
   * ignored, as the Mesos agent does ("no such framework is running"): no one would acknowledge
   * the update, and it would be re-sent for ever, one more stream for every such request.
   */
  async #reportUnknown(frameworkId: string, taskId: string): Promise<void> {
    const framework = [...this.activeTasks(), ...this.#completed].find((r) => r.framework_id === frameworkId)?.framework_info
    if (!framework) {
      this.#log.warn(`ignoring a kill of task ${taskId}: framework ${frameworkId} has no tasks on this agent`)
      return
    }
    const state: TaskState = hasCapability(framework, 'PARTITION_AWARE') ? 'TASK_DROPPED' : 'TASK_LOST'
    this.#log.warn(`cannot kill task ${taskId} of framework ${frameworkId}: no such task on this agent`)
    await this.#updates.update(frameworkId, {
      task_id: {value: taskId},
      state,
      source: 'SOURCE_AGENT',
      reason: 'REASON_EXECUTOR_TERMINATED',
      message: 'Cannot find executor',
      agent_id: {value: this.#agentId ?? ''},
      timestamp: this.#o.now() / 1000,
      uuid: updateUuid(),
    })
  }

  #acknowledged(frameworkId: string, status: TaskStatus): void {
    if (!isTerminal(status.state) || this.#closed) return
    const task = this.#byTask.get(streamKey(frameworkId, status.task_id.value))
    if (task && isTerminal(task.record.state) && !this.#updates.hasPending(frameworkId, status.task_id.value))
      void this.#complete(task).catch((e: Error) => this.#log.error(`completing task ${status.task_id.value}: ${e.message}`))
  }

  /** The task's end is acknowledged: it moves to the completed tasks (bounded per framework). */
  async #complete(task: ActiveTask): Promise<void> {
    const record = task.record
    if (this.#active.get(record.container_id) !== task) return
    this.#active.delete(record.container_id)
    this.#byTask.delete(streamKey(record.framework_id, record.task.task_id.value))
    record.completed_at = this.#o.now()
    this.#completed.push(record)
    this.#changed()
    await this.#o.checkpoint.completeTask(record)
    await removeDir(this.#o.layout.containerMetaDir(record.container_id), [EXIT_STATUS_FILE])
    const ofFramework = this.#completed.filter((r) => r.framework_id === record.framework_id)
    for (const old of ofFramework.slice(0, Math.max(0, ofFramework.length - MAX_COMPLETED_PER_FRAMEWORK))) {
      this.#completed.splice(this.#completed.indexOf(old), 1)
      await this.#o.checkpoint.forgetCompleted(old.container_id)
      await removeDir(old.directory, ['stdout', 'stderr'])
    }
  }

  async #registered(res: RegisterAgentResponse): Promise<void> {
    if (this.#agentId !== res.agent_id) {
      if (this.#agentId) this.#log.warn(`the master assigned agent id ${res.agent_id} (was ${this.#agentId})`)
      this.#agentId = res.agent_id
      await this.#o.checkpoint.saveAgent({agent_id: res.agent_id, resources: this.#total.filter(isCheckpointed)})
    }
    this.#masterId = res.master_id
    this.#statusBatch = res.capabilities?.includes(STATUS_BATCH) === true
    this.#changed()
    this.#updates.resume()
  }

  /**
   * Sends one update; to a master that takes batches (STATUS_BATCH), the updates sent in one turn
   * of the event loop go together, in order, in one request.
   */
  #sendUpdate(frameworkId: string, status: TaskStatus): Promise<boolean> {
    if (!this.#statusBatch) return this.#postUpdate(frameworkId, status)
    return new Promise((resolve) => {
      this.#outbox.push({framework_id: frameworkId, status, resolve})
      if (this.#outbox.length === 1) setImmediate(() => this.#flushUpdates())
    })
  }

  async #postUpdate(frameworkId: string, status: TaskStatus): Promise<boolean> {
    const res = await this.#link.post('/agent/status', {agent_id: this.#agentId, framework_id: frameworkId, status})
    return !!res?.ok
  }

  #flushUpdates(): void {
    const all = this.#outbox
    this.#outbox = []
    for (let i = 0; i < all.length; i += MAX_STATUS_BATCH) {
      const batch = all.slice(i, i + MAX_STATUS_BATCH)
      if (batch.length === 1) {
        this.#postUpdate(batch[0].framework_id, batch[0].status).then(batch[0].resolve, () => batch[0].resolve(false))
        continue
      }
      const updates = batch.map(({framework_id, status}) => ({framework_id, status}))
      this.#link.post('/agent/statuses', {agent_id: this.#agentId, updates}).then(
        (res) => {
          let results: BatchResponse['results'] | undefined
          try {
            results = res?.ok ? (JSON.parse(res.text) as BatchResponse).results : undefined
          } catch {
            results = undefined
          }
          batch.forEach((u, k) => u.resolve(!!results && results[k]?.status >= 200 && results[k]?.status < 300))
        },
        () => batch.forEach((u) => u.resolve(false)),
      )
    }
  }
}

/**
 * A status update's uuid: 16 random bytes, base64 (the v1 API's bytes). From randomUUID, which
 * draws from a cached entropy pool: randomBytes asks OpenSSL every time, and with thousands of
 * updates that was a tenth of a launch's cost on the agent's thread.
 */
function updateUuid(): string {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64')
}

function hasCapability(framework: FrameworkInfo, type: string): boolean {
  return (framework.capabilities ?? []).some((c) => c.type === type)
}

/** Appends a glog-style line (as the Mesos fetcher writes them) to a sandbox log. */
function appendLog(file: string, line: string, now: number): void {
  const d = new Date(now)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  const stamp = `I${pad(d.getMonth() + 1)}${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}`
  fs.appendFileSync(file, `${stamp} ${process.pid} fetcher.cpp] ${line}\n`)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Waits for `promise`, but no longer than `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}
