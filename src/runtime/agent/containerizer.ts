/**
 * The containerizer (Mesos' MesosContainerizer with the command executor folded in): prepares a
 * task's container (sandbox, fetched URIs, persistent volumes, cgroups), starts its process,
 * watches it (or re-adopts it after an agent restart), enforces its limits, kills it with a grace
 * period, and says how it ended. It changes only the container fields of a task record. Those
 * are checkpointed before they matter: the planned cgroups with the task's first record (the
 * agent saves it after `plan`), a kill through `persist`, and the leader with the TASK_RUNNING
 * update that the agent checkpoints as soon as `launch` returns (one fsync for both).
 *
 * Launch latency: creating files and directories costs 0.2-1 ms apiece on a busy ext4 (they
 * wait on the journal that fsyncs commit), so the sandbox is made while the task's first
 * checkpoint is being synced; nothing needs that checkpoint to precede a sandbox (an orphaned
 * one is harmless), unlike cgroups, which recovery must know to remove.
 */
import path from 'node:path'
import {scalar} from '../../mesos/resources'
import type {TaskInfo, TaskState, TaskStatus} from '../../mesos/types'
import type {Logger} from '../log'
import type {TaskRecord} from './checkpoint'
import {
  commandArgv,
  describeExit,
  killAll,
  prepareExitStatusFile,
  readExitStatus,
  signalGroup,
  spawnTask,
  taskEnvironment,
  watchExit,
  type EnvironmentContext,
  type ExitInfo,
} from './executor'
import {fetchUris} from './fetcher'
import {destroyCgroups, type IsolatedContainer, type Isolator} from './isolation'
import {CLOCK_TICKS_PER_SECOND, groupByTask, isRunning, processTable, type TaskLeader} from './procfs'
import {createSandbox, linkVolumes, type Layout} from './sandbox'
import {TaskSpawner, type TaskChild} from './spawner'

/** How often running containers are checked against their limits, and re-adopted ones polled. */
const MONITOR_INTERVAL_MS = 250
/** A limits pass may take at most 1/MONITOR_BUDGET of the agent's time (see #monitorLimits). */
const MONITOR_BUDGET = 20
const FETCH_MAX_BYTES = 1024 * 1024 * 1024
const FETCH_TIMEOUT_MS = 10 * 60_000

/** The sandbox being made (`plan`): resolves with the error if making it failed. */
export type SandboxPreparation = Promise<Error | undefined>

/** How a container ended: the state and status fields that report it. */
export interface Termination {
  state: TaskState
  status: Pick<TaskStatus, 'source' | 'reason' | 'message' | 'limitation'>
}

export interface ContainerizerOptions {
  layout: Layout
  isolator: Isolator
  log: Logger
  now: () => number
  pageSize: number
  /** Checkpoints a task record whose container fields changed. */
  persist: (record: TaskRecord) => Promise<void>
}

interface Watched {
  record: TaskRecord
  watcher: {ended: Promise<ExitInfo | undefined>; stop: () => void}
  /** The task's process when this agent started it (a re-adopted one has another parent). */
  child?: TaskChild
  killTimer?: NodeJS.Timeout
}

export class Containerizer {
  #o: ContainerizerOptions
  #watched = new Map<string, Watched>()
  #monitor?: NodeJS.Timeout
  /** Starts task processes off the event loop's thread (see ./spawner). */
  #spawner = new TaskSpawner()
  #closed = false

  constructor(o: ContainerizerOptions) {
    this.#o = o
  }

  /**
   * Sets the container fields known before anything exists (its cgroups), which the caller
   * checkpoints next, and starts making the sandbox meanwhile. The result is for `launch`: it
   * never rejects, it resolves with what failed.
   */
  plan(record: TaskRecord): SandboxPreparation {
    record.cgroups = this.#o.isolator.plan(record.container_id)
    return Promise.all([createSandbox(record.directory), prepareExitStatusFile(this.#o.layout.exitStatusFile(record.container_id))]).then(
      () => undefined,
      (error: Error) => error,
    )
  }

  /**
   * Prepares the planned container, calls `prepared` (the executor is up: the agent reports
   * TASK_STARTING, as Mesos' command executor does before it forks the command), and starts the
   * task's process; `record.leader` is set when this resolves. Throws an Error whose message says
   * what failed (the launch failure), or the abort reason when `signal` aborted it (a kill during
   * launch); nothing of the container is left then.
   */
  async launch(
    record: TaskRecord,
    sandbox: SandboxPreparation,
    env: EnvironmentContext,
    signal: AbortSignal,
    progress: (line: string) => void,
    prepared: () => void,
  ): Promise<void> {
    try {
      const unsupported = unsupportedReason(record.task)
      if (unsupported) throw new Error(unsupported)
      // The record naming the cgroups is on disk (`plan`): they are made while the sandbox is.
      const [failed] = await Promise.all([sandbox, this.#o.isolator.prepare(record.cgroups, record.limits)])
      if (failed) throw failed
      await fetchUris(record.task.command?.uris ?? [], {
        sandbox: record.directory,
        cacheDir: this.#o.layout.fetchCacheDir,
        progress,
        signal,
        maxBytes: FETCH_MAX_BYTES,
        timeoutMs: FETCH_TIMEOUT_MS,
      })
      signal.throwIfAborted()
      await linkVolumes(this.#o.layout, record.directory, record.task.resources)
      signal.throwIfAborted()
    } catch (error) {
      if (record.cgroups) await this.#destroyCgroups(record)
      throw error
    }
    prepared()
    const {leader, child} = await spawnTask({
      argv: commandArgv(record.task.command!),
      env: taskEnvironment(record.task, record.directory, env),
      sandbox: record.directory,
      exitStatusFile: this.#o.layout.exitStatusFile(record.container_id),
      cgroupProcs: record.cgroups ? [...new Set([record.cgroups.memory, record.cgroups.pids])].map((d) => path.join(d, 'cgroup.procs')) : [],
    }, this.#spawner).catch(async (error: Error) => {
      if (record.cgroups) await this.#destroyCgroups(record)
      throw error
    })
    // Watched before anything else runs, so no exit event is missed.
    this.#watch(record, watchExit(leader, child, MONITOR_INTERVAL_MS), child)
    record.leader = leader
  }

  /** A launch the agent never finished (it restarted meanwhile): removes what it had made. */
  async abandon(record: TaskRecord): Promise<void> {
    if (record.cgroups) await this.#destroyCgroups(record)
  }

  /**
   * Waits for the task's command to end and destroys the container. A recovered task is
   * re-adopted if its process still runs (its pending kill resumed). Undefined when the
   * containerizer was closed first: the process goes on, unwatched.
   */
  async wait(record: TaskRecord): Promise<Termination | undefined> {
    const leader = record.leader!
    let watched = this.#watched.get(record.container_id)
    if (!watched) {
      const alive = isRunning(leader.pid, leader.startTime)
      if (alive) this.#o.log.info(`re-adopted task ${record.task.task_id.value} (pid ${leader.pid})`)
      watched = this.#watch(record, alive ? watchExit(leader, undefined, MONITOR_INTERVAL_MS) : {ended: Promise.resolve({}), stop: () => {}})
      if (alive && record.kill) this.#escalate(watched, false)
    }
    const seen = await watched.watcher.ended
    if (!seen || this.#closed) return undefined
    clearTimeout(watched.killTimer)
    this.#watched.delete(record.container_id)
    return this.#destroy(record, seen)
  }

  /** SIGTERM to the task's process group now, SIGKILL when `graceMs` is over. */
  async kill(record: TaskRecord, graceMs: number): Promise<void> {
    record.kill = {requested_at: this.#o.now(), grace_ms: graceMs}
    await this.#o.persist(record)
    const watched = this.#watched.get(record.container_id)
    if (watched) this.#escalate(watched, true)
  }

  /** Mesos ResourceStatistics of each running container, from one pass over the process table. */
  usage(records: TaskRecord[]): Map<TaskRecord, Record<string, number>> {
    const out = new Map<TaskRecord, Record<string, number>>()
    const running = records.filter((r) => r.leader)
    if (running.length === 0) return out
    const leaders = new Map<number, TaskLeader<TaskRecord>>(running.map((r) => [r.leader!.pid, {key: r, startTime: r.leader!.startTime}]))
    const groups = groupByTask(processTable(), leaders)
    for (const r of running) {
      const procs = (groups.get(r) ?? []).filter((p) => p.state !== 'Z')
      const sum = (f: (p: (typeof procs)[number]) => number) => procs.reduce((n, p) => n + f(p), 0)
      out.set(r, {
        timestamp: this.#o.now() / 1000,
        processes: procs.length,
        threads: sum((p) => p.threads),
        cpus_user_time_secs: sum((p) => p.utimeTicks) / CLOCK_TICKS_PER_SECOND,
        cpus_system_time_secs: sum((p) => p.stimeTicks) / CLOCK_TICKS_PER_SECOND,
        cpus_limit: scalar(r.task.resources, 'cpus'),
        mem_rss_bytes: sum((p) => p.rssPages) * this.#o.pageSize,
        mem_limit_bytes: r.limits.memBytes ?? 0,
      })
    }
    return out
  }

  /** Stops watching (task processes keep running) and every timer. */
  close(): void {
    this.#closed = true
    clearTimeout(this.#monitor)
    this.#spawner.close()
    for (const w of this.#watched.values()) {
      clearTimeout(w.killTimer)
      w.watcher.stop()
    }
  }

  #watch(record: TaskRecord, watcher: Watched['watcher'], child?: TaskChild): Watched {
    const watched: Watched = {record, watcher, child}
    if (this.#closed) watcher.stop()
    this.#watched.set(record.container_id, watched)
    this.#monitorLimits()
    return watched
  }

  /** Reads how the command ended, kills what it left behind, removes its cgroups. */
  async #destroy(record: TaskRecord, seen: ExitInfo): Promise<Termination> {
    const exit = readExitStatus(this.#o.layout.exitStatusFile(record.container_id), seen)
    const limitation = record.limitation ?? this.#o.isolator.check([isolated(record)]).get(record.container_id)
    this.#killProcesses(record)
    if (record.cgroups) await this.#destroyCgroups(record)
    const described = describeExit(exit)
    if (limitation)
      return {state: 'TASK_FAILED', status: {source: 'SOURCE_AGENT', reason: limitation.reason, message: limitation.message, limitation: {resources: limitation.resources}}}
    if (exit.isolationFailure)
      return {
        state: 'TASK_FAILED',
        status: {source: 'SOURCE_AGENT', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: `Failed to launch container: cannot join cgroup '${exit.isolationFailure}'`},
      }
    if (record.kill) return {state: 'TASK_KILLED', status: {source: 'SOURCE_EXECUTOR', message: described?.message ?? 'Command terminated with signal Killed'}}
    if (described?.succeeded) return {state: 'TASK_FINISHED', status: {source: 'SOURCE_EXECUTOR', message: described.message}}
    if (described) return {state: 'TASK_FAILED', status: {source: 'SOURCE_EXECUTOR', reason: 'REASON_COMMAND_EXECUTOR_FAILED', message: described.message}}
    return {
      state: 'TASK_FAILED',
      status: {
        source: 'SOURCE_AGENT',
        reason: 'REASON_EXECUTOR_TERMINATED',
        message: 'Abnormal executor termination: the task ended while the agent was down and left no exit status',
      },
    }
  }

  async #destroyCgroups(record: TaskRecord): Promise<void> {
    await destroyCgroups(record.cgroups!).catch((e: Error) => this.#o.log.warn(`removing the cgroups of container ${record.container_id}: ${e.message}`))
  }

  /**
   * SIGKILLs the task's processes. With cgroups that is its process group: any process that left
   * the group is still in the container's cgroups, whose removal (on every container's end) kills
   * it. Without them, the process table is searched for whatever left the group or its session.
   */
  #killProcesses(record: TaskRecord): void {
    if (record.cgroups) signalGroup(record.leader!, 'SIGKILL')
    else killAll(record.leader!, record.directory)
  }

  /** SIGTERM now (unless already sent before a restart), SIGKILL when the grace period is over. */
  #escalate(watched: Watched, sendTerm: boolean): void {
    const {record} = watched
    const {leader, kill} = record
    if (!leader || !kill) return
    const remaining = Math.max(0, kill.requested_at + kill.grace_ms - this.#o.now())
    clearTimeout(watched.killTimer)
    if (remaining === 0) return this.#killProcesses(record)
    if (sendTerm) signalGroup(leader, 'SIGTERM', watched.child)
    watched.killTimer = setTimeout(() => this.#killProcesses(record), remaining)
  }

  /**
   * Checks running containers against their limits every MONITOR_INTERVAL_MS while any runs, or
   * less often when a pass takes long: the next pass waits MONITOR_BUDGET times as long as this
   * one took. A pass reads files per container (cgroup counters, or the process table), so with a
   * thousand containers a fixed 250 ms would keep the agent's only thread busy with it, slowing
   * every launch, kill and status update; a container's limits are still checked when it ends.
   */
  #monitorLimits(): void {
    if (this.#monitor || this.#closed) return
    const pass = () => {
      const running = [...this.#watched.values()].filter((w) => w.record.leader && !w.record.limitation)
      if (running.length === 0 || this.#closed) {
        this.#monitor = undefined
        return
      }
      const started = performance.now()
      try {
        const byId = new Map(running.map((w) => [w.record.container_id, w.record]))
        for (const [containerId, limitation] of this.#o.isolator.check(running.map((w) => isolated(w.record)))) {
          const record = byId.get(containerId)!
          record.limitation = limitation
          this.#o.log.warn(`task ${record.task.task_id.value}: ${limitation.message}; destroying its container`)
          this.#killProcesses(record)
          void this.#o.persist(record).catch(() => {})
        }
      } finally {
        this.#monitor = setTimeout(pass, Math.max(MONITOR_INTERVAL_MS, (performance.now() - started) * MONITOR_BUDGET))
      }
    }
    this.#monitor = setTimeout(pass, MONITOR_INTERVAL_MS)
  }
}

function isolated(record: TaskRecord): IsolatedContainer {
  return {containerId: record.container_id, leader: record.leader!, limits: record.limits, cgroups: record.cgroups}
}

/** What this agent cannot run, as the reason its launch fails. */
function unsupportedReason(task: TaskInfo): string | undefined {
  if (task.executor) return 'custom executors are not supported; this agent runs command tasks'
  if (task.container?.type === 'DOCKER') return 'Docker containers are not supported by this agent'
  const mesos = task.container?.mesos as {image?: unknown} | undefined
  if (mesos?.image) return 'container images are not supported by this agent'
  if (!task.command) return 'the task has no command'
  if (task.command.shell !== false && !task.command.value) return 'the task has an empty command'
  return undefined
}
