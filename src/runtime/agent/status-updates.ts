/**
 * The status update manager (Mesos semantics): every update is checkpointed before it is sent,
 * re-sent until the framework's acknowledgement comes back through the master, and the updates
 * of one task go out one at a time, in order. While the agent is not registered with a master,
 * updates wait (they are still checkpointed) and go out on (re-)registration.
 *
 * Re-sends back off as Mesos' do: the first `retryMs` after the previous attempt ended (the
 * master answered, or the request failed or timed out; never while it is still on its way),
 * each next wait twice as long, up to MAX_BACKOFF_FACTOR x `retryMs`. A fixed interval counted
 * from the send turns a slow round trip (a busy master or framework) into a storm of duplicates
 * that makes it slower still. A due re-send also waits for the I/O already received: timers run
 * before I/O in Node's event loop, so after the loop was busy (a burst of launches) an
 * acknowledgement sitting in a socket would otherwise lose the race against its own retry.
 */
import type {TaskStatus} from '../../mesos/types'
import type {Logger} from '../log'
import {streamKey, type Checkpoint, type StreamRecord} from './checkpoint'

/** The longest wait between re-sends of one update, in units of `retryMs`. */
export const MAX_BACKOFF_FACTOR = 8

interface Stream extends StreamRecord {
  /** The update sent last, awaiting its acknowledgement (or its retry). */
  sentUuid?: string
  /** How often that update was re-sent so far. */
  resends: number
  /** Counts attempts: only the latest one, when it ends, schedules the retry. */
  attempt: number
  timer?: NodeJS.Timeout
}

export interface StatusUpdateDeps {
  checkpoint: Checkpoint
  /** Delivers one update to the master; rejects or resolves false when it did not get there. */
  send: (frameworkId: string, status: TaskStatus) => Promise<boolean>
  retryMs: number
  log: Logger
  /** An update was acknowledged (the agent completes a task whose terminal update it was). */
  onAcknowledged: (frameworkId: string, status: TaskStatus) => void
}

export class StatusUpdateManager {
  #deps: StatusUpdateDeps
  #streams = new Map<string, Stream>()
  #paused = true
  #closed = false

  constructor(deps: StatusUpdateDeps) {
    this.#deps = deps
    for (const r of deps.checkpoint.streams()) this.#streams.set(streamKey(r.framework_id, r.task_id), {...r, resends: 0, attempt: 0})
  }

  /**
   * Checkpoints `status` (which carries a uuid) in its stream and sends it when it is first
   * there, once `checkpointed` (the caller's own write for this update, e.g. the task record)
   * is on disk too. The stream write is issued before this returns, so calls keep their order.
   */
  async update(frameworkId: string, status: TaskStatus, checkpointed: Promise<void> = Promise.resolve()): Promise<void> {
    const key = streamKey(frameworkId, status.task_id.value)
    let stream = this.#streams.get(key)
    if (!stream) this.#streams.set(key, (stream = {framework_id: frameworkId, task_id: status.task_id.value, pending: [], resends: 0, attempt: 0}))
    stream.pending.push(status)
    await Promise.all([this.#deps.checkpoint.saveStream(stream), checkpointed])
    this.#send(stream)
  }

  /** Whether `uuid` was the update awaiting acknowledgement in that stream (others are ignored). */
  async acknowledge(frameworkId: string, taskId: string, uuid: string): Promise<boolean> {
    const stream = this.#streams.get(streamKey(frameworkId, taskId))
    const head = stream?.pending[0]
    if (!stream || !head || head.uuid !== uuid) {
      this.#deps.log.warn(`ignoring an acknowledgement of unknown or out-of-order update ${uuid} for task ${taskId} of framework ${frameworkId}`)
      return false
    }
    stream.pending.shift()
    clearTimeout(stream.timer)
    if (stream.pending.length === 0) this.#streams.delete(streamKey(frameworkId, taskId))
    await this.#deps.checkpoint.saveStream(stream)
    this.#deps.onAcknowledged(frameworkId, head)
    this.#send(stream)
    return true
  }

  /** Registered with a master: send the first update of every stream now. */
  resume(): void {
    this.#paused = false
    for (const stream of this.#streams.values()) this.#send(stream, true)
  }

  /** Lost the master: hold updates until the next registration. */
  pause(): void {
    this.#paused = true
    for (const stream of this.#streams.values()) {
      clearTimeout(stream.timer)
      stream.sentUuid = undefined
    }
  }

  /** Drops every stream of a framework that was shut down (no one would acknowledge them). */
  async dropFramework(frameworkId: string): Promise<void> {
    for (const [key, stream] of this.#streams) {
      if (stream.framework_id !== frameworkId) continue
      clearTimeout(stream.timer)
      this.#streams.delete(key)
      stream.pending = []
      await this.#deps.checkpoint.saveStream(stream)
    }
  }

  /** Whether an update of this task still waits for its acknowledgement. */
  hasPending(frameworkId: string, taskId: string): boolean {
    return this.#streams.has(streamKey(frameworkId, taskId))
  }

  get pendingCount(): number {
    let n = 0
    for (const s of this.#streams.values()) n += s.pending.length
    return n
  }

  close(): void {
    this.#closed = true
    for (const stream of this.#streams.values()) clearTimeout(stream.timer)
  }

  /** Sends the stream's first update, unless it is out already (`force`: the retry). */
  #send(stream: Stream, force = false): void {
    const head = stream.pending[0]
    if (this.#paused || this.#closed || !head || (!force && stream.sentUuid === head.uuid)) return
    clearTimeout(stream.timer)
    stream.resends = stream.sentUuid === head.uuid ? stream.resends + 1 : 0
    stream.sentUuid = head.uuid
    const attempt = ++stream.attempt
    const uuid = head.uuid
    const unacknowledged = () => !this.#paused && !this.#closed && stream.pending[0]?.uuid === uuid && stream.sentUuid === uuid
    // Re-sent until acknowledged, whatever became of this attempt, once it is over.
    const scheduleRetry = () => {
      if (attempt !== stream.attempt || !unacknowledged()) return
      const backoff = Math.min(2 ** stream.resends, MAX_BACKOFF_FACTOR)
      clearTimeout(stream.timer)
      stream.timer = setTimeout(() => setImmediate(() => unacknowledged() && this.#send(stream, true)), this.#deps.retryMs * backoff)
    }
    this.#deps.send(stream.framework_id, head).then(
      (ok) => {
        if (!ok) this.#deps.log.warn(`the master did not take update ${head.state} (${head.uuid}) of task ${stream.task_id}; retrying`)
        scheduleRetry()
      },
      (error: Error) => {
        this.#deps.log.warn(`sending update ${head.state} of task ${stream.task_id} failed: ${error.message}; retrying`)
        scheduleRetry()
      },
    )
  }
}
