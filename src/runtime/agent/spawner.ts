/**
 * Starts task processes from worker threads. `child_process.spawn` blocks its thread until the
 * new process has exec'd, and on a busy host the child waits milliseconds for a CPU before it
 * does: a thousand launches made the agent's event loop wait ~7 s in spawn, stalling its status
 * updates and everything else. Each worker has its own event loop, so these waits overlap and
 * the agent's thread goes on. The agent process is still every task's parent (workers are its
 * threads): exits are reaped as before, in the worker, and reported back.
 *
 * A worker lives while it watches a task, so the pool is small (4: under load 300 spawns took
 * 3.0-3.4 s on the event loop's thread, 2.0-2.9 s from 2 workers, 1.5-2.5 s from 4) and made on
 * the first launch; when workers cannot be made, processes are spawned on the calling thread as
 * before.
 */
import {spawn} from 'node:child_process'
import {EventEmitter} from 'node:events'
import {Worker} from 'node:worker_threads'
import {readStat} from './procfs'

/** How often a process is polled once its worker is gone. */
const POLL_MS = 250

/** What the agent needs of a task's process: how it exited, and an `exit` event (code, signal). */
export interface TaskChild {
  readonly pid?: number
  readonly exitCode: number | null
  readonly signalCode: NodeJS.Signals | null
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this
  off(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this
}

export interface SpawnRequest {
  file: string
  args: string[]
  cwd: string
  env: Record<string, string>
  /** File descriptors for the child's stdout and stderr (the caller closes them once this resolves). */
  stdout: number
  stderr: number
}

/**
 * Worker threads that start processes (detached, stdin ignored) and report their exits. Messages
 * go both ways in batches: the requests of one turn of the agent's event loop in one message per
 * worker, a worker's reports of one turn of its own loop in one message. A burst of a thousand
 * launches would otherwise be a few thousand cross-thread wake-ups, each waking a thread that
 * then competes for the CPU with the processes being started.
 */
const WORKER_SOURCE = `
const {parentPort} = require('node:worker_threads')
const {spawn} = require('node:child_process')
let out = []
const report = (m) => {
  if (out.push(m) === 1) setImmediate(() => parentPort.postMessage(out.splice(0)))
}
parentPort.on('message', (batch) => {
  for (const m of batch) {
    let child
    try {
      child = spawn(m.file, m.args, {cwd: m.cwd, env: m.env, detached: true, stdio: ['ignore', m.stdout, m.stderr]})
    } catch (e) {
      report({id: m.id, error: String(e && e.message), code: e && e.code})
      continue
    }
    child.once('error', (e) => report({id: m.id, error: String(e && e.message), code: e && e.code}))
    child.once('spawn', () => report({id: m.id, pid: child.pid}))
    child.once('exit', (status, signal) => report({id: m.id, exit: true, status, signal}))
  }
})
`

class WorkerChild extends EventEmitter implements TaskChild {
  exitCode: number | null = null
  signalCode: NodeJS.Signals | null = null
  constructor(readonly pid: number) {
    super()
  }
}

interface Pending {
  resolve: (child: TaskChild & {pid: number}) => void
  reject: (error: Error) => void
  child?: WorkerChild
}

export class TaskSpawner {
  #size: number
  #workers: Worker[] = []
  #next = 0
  #ids = 0
  #pending = new Map<number, Pending>()
  /** Workers could not be made (or one failed): spawn on the calling thread. */
  #direct = false
  #closed = false
  /** Requests not yet posted, per worker (see #flush). */
  #outbox = new Map<Worker, ({id: number} & SpawnRequest)[]>()

  /** `size` workers; 0 spawns on the calling thread. */
  constructor(size = 4) {
    this.#size = size
  }

  /** Starts the process; resolves once it exists, rejects with the spawn error. */
  spawn(req: SpawnRequest): Promise<TaskChild & {pid: number}> {
    if (this.#size === 0 || this.#direct || this.#closed || !this.#ensureWorkers()) return spawnHere(req)
    const id = ++this.#ids
    const worker = this.#workers[this.#next++ % this.#workers.length]
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {resolve, reject})
      let batch = this.#outbox.get(worker)
      if (!batch) this.#outbox.set(worker, (batch = []))
      batch.push({id, ...req})
      if (this.#outbox.size === 1 && batch.length === 1) queueMicrotask(() => this.#flush())
    })
  }

  /** Posts each worker the requests queued for it in this turn of the event loop, as one message. */
  #flush(): void {
    for (const [worker, batch] of this.#outbox) if (!this.#closed) worker.postMessage(batch)
    this.#outbox.clear()
  }

  /** Stops the workers: the processes they started keep running, unwatched (as after an agent stop). */
  close(): void {
    this.#closed = true
    this.#outbox.clear()
    for (const w of this.#workers) void w.terminate()
    this.#workers = []
    for (const p of this.#pending.values()) if (!p.child) p.reject(new Error('the agent is stopping'))
    this.#pending.clear()
  }

  #ensureWorkers(): boolean {
    if (this.#workers.length > 0) return true
    try {
      for (let i = 0; i < this.#size; i++) {
        const worker = new Worker(WORKER_SOURCE, {eval: true})
        worker.unref()
        worker.on('message', (batch: WorkerMessage[]) => {
          for (const m of batch) this.#onMessage(m)
        })
        worker.on('error', (error) => this.#failed(error))
        worker.on('exit', (code) => this.#closed || this.#failed(new Error(`a spawn worker exited (${code})`)))
        this.#workers.push(worker)
      }
      return true
    } catch {
      for (const w of this.#workers) void w.terminate()
      this.#workers = []
      this.#direct = true
      return false
    }
  }

  #onMessage(m: WorkerMessage): void {
    const p = this.#pending.get(m.id)
    if (!p) return
    if (m.exit) {
      this.#pending.delete(m.id)
      if (p.child) exited(p.child, m.status ?? null, m.signal ?? null)
      return
    }
    if (m.error !== undefined) {
      this.#pending.delete(m.id)
      p.reject(Object.assign(new Error(m.error), m.code ? {code: m.code} : {}))
      return
    }
    if (m.pid !== undefined && !p.child) {
      p.child = new WorkerChild(m.pid)
      p.resolve(p.child as WorkerChild & {pid: number})
    }
  }

  /**
   * A worker died: later launches spawn here, and the processes the workers watched are polled
   * instead (unreaped, an ended one stays a zombie, which counts as ended).
   */
  #failed(error: Error): void {
    this.#direct = true
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id)
      if (!p.child) {
        p.reject(error)
        continue
      }
      const child = p.child
      const timer = setInterval(() => {
        const stat = readStat(child.pid)
        if (stat && stat.state !== 'Z') return
        clearInterval(timer)
        exited(child, null, null)
      }, POLL_MS)
      timer.unref()
    }
  }
}

interface WorkerMessage {
  id: number
  pid?: number
  error?: string
  code?: string
  exit?: boolean
  status?: number | null
  signal?: NodeJS.Signals | null
}

function exited(child: WorkerChild, code: number | null, signal: NodeJS.Signals | null): void {
  child.exitCode = code
  child.signalCode = signal
  child.emit('exit', code, signal)
}

function spawnHere(req: SpawnRequest): Promise<TaskChild & {pid: number}> {
  const child = spawn(req.file, req.args, {cwd: req.cwd, env: req.env, detached: true, stdio: ['ignore', req.stdout, req.stderr]})
  return new Promise((resolve, reject) => {
    child.once('spawn', () => {
      child.unref()
      resolve(child as TaskChild & {pid: number})
    })
    child.once('error', reject)
  })
}
