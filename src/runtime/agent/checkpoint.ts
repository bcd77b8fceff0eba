/**
 * What an agent checkpoints under `<workDir>/meta` so that a restarted agent (even after kill -9)
 * recovers its id, its reservations and volumes, its tasks and their processes, and every status
 * update not yet acknowledged. A write resolves once it is on disk (the store fsyncs).
 */
import type {FrameworkInfo, Resource, TaskInfo, TaskState, TaskStatus} from '../../mesos/types'
import {Store} from '../store'
import type {Leader} from './executor'
import type {ContainerCgroups, ContainerLimits, Limitation} from './isolation'

export interface AgentRecord {
  agent_id?: string
  /** Dynamic reservations and persistent volumes (see resources.ts `isCheckpointed`). */
  resources: Resource[]
}

/** One task: the command executor's container and everything needed to recover it. */
export interface TaskRecord {
  framework_id: string
  framework_info: FrameworkInfo
  task: TaskInfo
  container_id: string
  /** The sandbox (absolute). */
  directory: string
  limits: ContainerLimits
  /** The latest state reported. */
  state: TaskState
  /** Every status reported, oldest first. */
  statuses: TaskStatus[]
  /** Set once the process runs (before TASK_RUNNING is reported). */
  leader?: Leader
  cgroups?: ContainerCgroups
  /** A kill in progress: SIGTERM sent at `requested_at` (ms), SIGKILL due `grace_ms` later. */
  kill?: {requested_at: number; grace_ms: number}
  /** The limit the container broke; it is being destroyed for it. */
  limitation?: Limitation
  /** shutdown_framework: the task's updates go nowhere, it completes at once when it ends. */
  framework_removed?: boolean
  /** When the task completed (ms), for completed records. */
  completed_at?: number
}

/** A status update stream: one task's unacknowledged updates, oldest first. */
export interface StreamRecord {
  framework_id: string
  task_id: string
  pending: TaskStatus[]
}

const AGENT = 'agent'
const TASKS = 'tasks'
const COMPLETED = 'completed'
const STREAMS = 'updates'

export function streamKey(frameworkId: string, taskId: string): string {
  // Ids never contain '/' (checkId), so this key is unambiguous.
  return `${frameworkId}/${taskId}`
}

export class Checkpoint {
  #store: Store
  /**
   * The JSON of the parts of a task record that never change once recorded: its framework_info,
   * its task and each status (a new status is a new object). A task is saved four or five times
   * on its way (launch, pid, STARTING, RUNNING, kill, end), and serialising its whole TaskInfo and
   * every earlier status each time was most of what a checkpoint write cost the agent's thread.
   */
  #json = new WeakMap<object, string>()

  private constructor(store: Store) {
    this.#store = store
  }

  static open(metaDir: string): Checkpoint {
    // Task infos may carry secret environment variables: owner-only files.
    return new Checkpoint(Store.open(metaDir, {private: true}))
  }

  agent(): AgentRecord {
    return this.#store.get<AgentRecord>(AGENT, 'info') ?? {resources: []}
  }

  saveAgent(record: AgentRecord): Promise<void> {
    return this.#store.put(AGENT, 'info', record)
  }

  tasks(): TaskRecord[] {
    return this.#store.list<TaskRecord>(TASKS).map(([, r]) => r)
  }

  /** `framework_info`, `task` and each status must not change once the record is saved (see #json). */
  saveTask(record: TaskRecord): Promise<void> {
    return this.#store.putJson(TASKS, record.container_id, this.#taskJson(record))
  }

  /** Moves a task to the completed ones in one durable step. */
  async completeTask(record: TaskRecord): Promise<void> {
    await Promise.all([this.#store.putJson(COMPLETED, record.container_id, this.#taskJson(record)), this.#store.delete(TASKS, record.container_id)])
  }

  completed(): TaskRecord[] {
    return this.#store.list<TaskRecord>(COMPLETED).map(([, r]) => r)
  }

  forgetCompleted(containerId: string): Promise<void> {
    return this.#store.delete(COMPLETED, containerId)
  }

  streams(): StreamRecord[] {
    return this.#store.list<StreamRecord>(STREAMS).map(([, r]) => r)
  }

  saveStream({framework_id, task_id, pending}: StreamRecord): Promise<void> {
    const key = streamKey(framework_id, task_id)
    if (pending.length === 0) return this.#store.delete(STREAMS, key)
    const head = JSON.stringify({framework_id, task_id})
    return this.#store.putJson(STREAMS, key, `${head.slice(0, -1)},"pending":${this.#list(pending)}}`)
  }

  /** JSON.stringify(record), with the unchanging parts from the cache. */
  #taskJson(record: TaskRecord): string {
    const {framework_info, task, statuses, ...rest} = record
    const head = JSON.stringify(rest)
    const parts = `"framework_info":${this.#cached(framework_info)},"task":${this.#cached(task)},"statuses":${this.#list(statuses)}`
    return head === '{}' ? `{${parts}}` : `${head.slice(0, -1)},${parts}}`
  }

  #list(items: object[]): string {
    return `[${items.map((s) => this.#cached(s)).join(',')}]`
  }

  #cached(value: object): string {
    let json = this.#json.get(value)
    if (json === undefined) this.#json.set(value, (json = JSON.stringify(value)))
    return json
  }

  close(): Promise<void> {
    return this.#store.close()
  }
}
