/**
 * Durable key-value state: an append-only JSONL log with group commit (concurrent writers share
 * one fsync), plus snapshots that compact it. A write's promise resolves only once it is on disk.
 * A torn last line (a crash mid-append) is dropped on recovery, never half-applied.
 *
 * Layout: <dir>/snapshot.json ({seq, data}) and <dir>/log.jsonl (one {seq, op, ns, key, value}
 * per line). Namespaces keep entity kinds apart (`agents`, `frameworks`, ...).
 */
import fs from 'node:fs'
import path from 'node:path'

type Data = Record<string, Record<string, unknown>>

interface LogRecord {
  seq: number
  op: 'put' | 'del'
  ns: string
  key: string
  value?: unknown
}

export interface StoreOptions {
  /** Records in the log before a snapshot compacts it. */
  compactAfter?: number
  /** Skip fsync (tests that measure nothing about durability may use it; never the runtime). */
  noSync?: boolean
}

/**
 * A table without a prototype: every key (`__proto__`, `constructor`, `toString`) is an ordinary
 * own key. Keys come from outside (user ids, framework ids); on a plain object `__proto__` would
 * not be stored at all and `constructor` would be found without ever being put.
 */
function table<T>(entries?: Record<string, T>): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries)
}

export class Store {
  #dir: string
  #data: Data = table()
  #seq = 0
  /** The seq of the last record applied to #data (records queued for the disk are not). */
  #appliedSeq = 0
  #logFd: number
  #logRecords = 0
  #pending: {rec: LogRecord; line: string; resolve: () => void; reject: (e: unknown) => void}[] = []
  #flushScheduled = false
  #opts: Required<StoreOptions>

  private constructor(dir: string, opts: StoreOptions) {
    this.#dir = dir
    this.#opts = {compactAfter: 10_000, noSync: false, ...opts}
    fs.mkdirSync(dir, {recursive: true})
    this.#recover()
    this.#logFd = fs.openSync(this.#logPath, 'a')
  }

  static open(dir: string, opts: StoreOptions = {}): Store {
    return new Store(dir, opts)
  }

  get #logPath() {
    return path.join(this.#dir, 'log.jsonl')
  }

  get #snapshotPath() {
    return path.join(this.#dir, 'snapshot.json')
  }

  #recover() {
    if (fs.existsSync(this.#snapshotPath)) {
      const snap = JSON.parse(fs.readFileSync(this.#snapshotPath, 'utf8')) as {seq: number; data: Data}
      this.#data = table(Object.fromEntries(Object.entries(snap.data).map(([ns, entries]) => [ns, table(entries)])))
      this.#seq = this.#appliedSeq = snap.seq
    }
    if (!fs.existsSync(this.#logPath)) return
    const text = fs.readFileSync(this.#logPath, 'utf8')
    const lines = text.split('\n')
    let validBytes = 0
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]
      const isLast = i === lines.length - 1
      if (line === '') {
        if (!isLast) validBytes += 1
        continue
      }
      let rec: LogRecord
      try {
        rec = JSON.parse(line) as LogRecord
      } catch {
        break // torn tail: drop it and everything after
      }
      if (isLast) break // a line without its newline was never acknowledged
      validBytes += Buffer.byteLength(line) + 1
      if (rec.seq <= this.#seq) continue
      this.#apply(rec)
      this.#seq = rec.seq
      this.#logRecords++
    }
    if (validBytes < Buffer.byteLength(text)) fs.truncateSync(this.#logPath, validBytes)
  }

  #apply(rec: LogRecord) {
    this.#appliedSeq = rec.seq
    const ns = (this.#data[rec.ns] ??= table())
    if (rec.op === 'put') ns[rec.key] = rec.value
    else delete ns[rec.key]
  }

  get<T>(ns: string, key: string): T | undefined {
    return this.#data[ns]?.[key] as T | undefined
  }

  list<T>(ns: string): [string, T][] {
    return Object.entries(this.#data[ns] ?? {}) as [string, T][]
  }

  put(ns: string, key: string, value: unknown): Promise<void> {
    return this.#write({seq: ++this.#seq, op: 'put', ns, key, value: structuredClone(value)})
  }

  delete(ns: string, key: string): Promise<void> {
    const queued = this.#pending.some((b) => b.rec.ns === ns && b.rec.key === key)
    if (!queued && this.#data[ns]?.[key] === undefined) return Promise.resolve()
    return this.#write({seq: ++this.#seq, op: 'del', ns, key})
  }

  /** The change becomes visible to get/list only once it is on disk: a failed write changes nothing. */
  #write(rec: LogRecord): Promise<void> {
    const line = JSON.stringify(rec) + '\n'
    return new Promise((resolve, reject) => {
      this.#pending.push({rec, line, resolve, reject})
      if (!this.#flushScheduled) {
        this.#flushScheduled = true
        setImmediate(() => this.#flush())
      }
    })
  }

  #flush() {
    this.#flushScheduled = false
    const batch = this.#pending
    this.#pending = []
    if (batch.length === 0) return
    try {
      fs.writeSync(this.#logFd, batch.map((b) => b.line).join(''))
      if (!this.#opts.noSync) fs.fsyncSync(this.#logFd)
      this.#logRecords += batch.length
      for (const b of batch) this.#apply(b.rec)
      if (this.#logRecords >= this.#opts.compactAfter) this.#snapshot()
      for (const b of batch) b.resolve()
    } catch (error) {
      for (const b of batch) b.reject(error)
    }
  }

  /** Writes the whole state to a snapshot (tmp, fsync, rename, fsync dir) and empties the log. */
  #snapshot() {
    const tmp = this.#snapshotPath + '.tmp'
    const fd = fs.openSync(tmp, 'w')
    fs.writeSync(fd, JSON.stringify({seq: this.#appliedSeq, data: this.#data}))
    if (!this.#opts.noSync) fs.fsyncSync(fd)
    fs.closeSync(fd)
    fs.renameSync(tmp, this.#snapshotPath)
    if (!this.#opts.noSync) {
      const dfd = fs.openSync(this.#dir, 'r')
      fs.fsyncSync(dfd)
      fs.closeSync(dfd)
    }
    fs.ftruncateSync(this.#logFd, 0)
    this.#logRecords = 0
  }

  /** Waits for pending writes, then closes the log. */
  async close(): Promise<void> {
    if (this.#pending.length) this.#flush()
    fs.closeSync(this.#logFd)
  }
}
