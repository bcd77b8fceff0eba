/**
 * Durable key-value state: an append-only JSONL log with group commit, plus snapshots that
 * compact it. A write's promise resolves only once it is on disk. A torn last line (a crash
 * mid-append) is dropped on recovery, never half-applied.
 *
 * Group commit: writes issued in the same turn of the event loop share one write and one fsync,
 * and the fsync runs off the event loop (libuv's thread pool). While it runs, the process goes
 * on serving and new writes gather into the next batch, which starts when the fsync completes:
 * one fsync in flight at a time, so the log stays in write order, and a burst of writers costs
 * a few fsyncs rather than one each (an fsync takes 0.2-4 ms on the VMs this runs on).
 *
 * Layout: <dir>/snapshot.json ({seq, data}) and <dir>/log.jsonl (one {seq, op, ns, key, value}
 * per line). Namespaces keep entity kinds apart (`agents`, `frameworks`, ...).
 *
 * Values are kept as the JSON text that was written: a put serialises its value once (for the
 * log), which is also the copy it keeps, and get/list parse it. Reads happen at start-up;
 * writes happen on every task transition, so the writes are the ones made cheap.
 */
import fs from 'node:fs'
import path from 'node:path'

/** Namespace -> key -> the value's JSON text. */
type Data = Record<string, Record<string, string>>

interface PendingWrite {
  rec: LogRecord
  line: string
  resolve: () => void
  reject: (e: unknown) => void
}

/** A log record as it is applied: a put's value as JSON text. */
interface LogRecord {
  seq: number
  op: 'put' | 'del'
  ns: string
  key: string
  json?: string
}

/** The log line of a record, exactly `JSON.stringify({seq, op, ns, key, value})` would give. */
function logLine(rec: LogRecord): string {
  const head = `{"seq":${rec.seq},"op":"${rec.op}","ns":${JSON.stringify(rec.ns)},"key":${JSON.stringify(rec.key)}`
  return rec.op === 'put' ? `${head},"value":${rec.json}}\n` : `${head}}\n`
}

export interface StoreOptions {
  /** Records in the log before a snapshot compacts it. */
  compactAfter?: number
  /** Skip fsync (tests that measure nothing about durability may use it; never the runtime). */
  noSync?: boolean
  /**
   * Readable by the owner only: the directory 0700, the log and snapshots 0600 (existing ones
   * are tightened on open). For stores that hold credentials or secrets.
   */
  private?: boolean
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
  /** Writes not yet handed to the disk: the next batch. */
  #pending: PendingWrite[] = []
  /** The batch whose fsync is running; its records are not yet applied. */
  #inFlight: PendingWrite[] = []
  /** Settles when the batch in flight is done (undefined while none is). */
  #flushing?: Promise<void>
  #flushScheduled = false
  #closed = false
  #opts: Required<StoreOptions>

  private constructor(dir: string, opts: StoreOptions) {
    this.#dir = dir
    this.#opts = {compactAfter: 10_000, noSync: false, private: false, ...opts}
    fs.mkdirSync(dir, {recursive: true, ...(this.#opts.private && {mode: 0o700})})
    if (this.#opts.private) {
      fs.chmodSync(dir, 0o700)
      for (const file of [this.#logPath, this.#snapshotPath]) if (fs.existsSync(file)) fs.chmodSync(file, 0o600)
    }
    this.#recover()
    this.#logFd = fs.openSync(this.#logPath, 'a', this.#fileMode)
  }

  static open(dir: string, opts: StoreOptions = {}): Store {
    return new Store(dir, opts)
  }

  get #fileMode(): number {
    return this.#opts.private ? 0o600 : 0o666
  }

  get #logPath() {
    return path.join(this.#dir, 'log.jsonl')
  }

  get #snapshotPath() {
    return path.join(this.#dir, 'snapshot.json')
  }

  #recover() {
    if (fs.existsSync(this.#snapshotPath)) {
      const snap = JSON.parse(fs.readFileSync(this.#snapshotPath, 'utf8')) as {seq: number; data: Record<string, Record<string, unknown>>}
      for (const [ns, entries] of Object.entries(snap.data)) {
        const texts: Record<string, string> = (this.#data[ns] = table())
        for (const [key, value] of Object.entries(entries)) texts[key] = JSON.stringify(value)
      }
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
      let parsed: {seq: number; op: 'put' | 'del'; ns: string; key: string; value?: unknown}
      try {
        parsed = JSON.parse(line)
      } catch {
        break // torn tail: drop it and everything after
      }
      if (isLast) break // a line without its newline was never acknowledged
      validBytes += Buffer.byteLength(line) + 1
      if (parsed.seq <= this.#seq) continue
      const {value, ...rec} = parsed
      this.#apply(rec.op === 'put' ? {...rec, json: JSON.stringify(value) ?? 'null'} : rec)
      this.#seq = rec.seq
      this.#logRecords++
    }
    if (validBytes < Buffer.byteLength(text)) fs.truncateSync(this.#logPath, validBytes)
  }

  #apply(rec: LogRecord) {
    this.#appliedSeq = rec.seq
    const ns = (this.#data[rec.ns] ??= table())
    if (rec.op === 'put') ns[rec.key] = rec.json!
    else delete ns[rec.key]
  }

  /** A fresh copy of the value (changing it changes nothing stored). */
  get<T>(ns: string, key: string): T | undefined {
    const text = this.#data[ns]?.[key]
    return text === undefined ? undefined : (JSON.parse(text) as T)
  }

  list<T>(ns: string): [string, T][] {
    return Object.entries(this.#data[ns] ?? {}).map(([key, text]) => [key, JSON.parse(text) as T])
  }

  /** Stores what JSON makes of `value` (undefined becomes null), as it is now. */
  put(ns: string, key: string, value: unknown): Promise<void> {
    return this.#write({seq: ++this.#seq, op: 'put', ns, key, json: JSON.stringify(value) ?? 'null'})
  }

  /**
   * `put` of a value the caller serialised already: `json` must be what JSON.stringify makes of
   * it (callers that keep the JSON of parts that do not change build it cheaper than that).
   */
  putJson(ns: string, key: string, json: string): Promise<void> {
    return this.#write({seq: ++this.#seq, op: 'put', ns, key, json})
  }

  delete(ns: string, key: string): Promise<void> {
    const touches = (b: PendingWrite) => b.rec.ns === ns && b.rec.key === key
    const queued = this.#pending.some(touches) || this.#inFlight.some(touches)
    if (!queued && this.#data[ns]?.[key] === undefined) return Promise.resolve()
    return this.#write({seq: ++this.#seq, op: 'del', ns, key})
  }

  /** The change becomes visible to get/list only once it is on disk: a failed write changes nothing. */
  #write(rec: LogRecord): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the store is closed'))
    const line = logLine(rec)
    return new Promise((resolve, reject) => {
      this.#pending.push({rec, line, resolve, reject})
      this.#scheduleFlush()
    })
  }

  /** The next batch starts at the end of this turn of the event loop, or when the fsync in flight ends. */
  #scheduleFlush() {
    if (this.#flushScheduled || this.#flushing || this.#pending.length === 0) return
    this.#flushScheduled = true
    setImmediate(() => {
      this.#flushScheduled = false
      this.#flush()
    })
  }

  /** Appends the pending batch and fsyncs it off the event loop; applies and resolves it once durable. */
  #flush() {
    if (this.#flushing || this.#pending.length === 0) return
    const batch = (this.#inFlight = this.#pending)
    this.#pending = []
    let done!: () => void
    this.#flushing = new Promise<void>((resolve) => (done = resolve))
    const finish = (error: unknown) => {
      this.#inFlight = []
      this.#flushing = undefined
      if (error) {
        for (const b of batch) b.reject(error)
      } else {
        this.#logRecords += batch.length
        for (const b of batch) this.#apply(b.rec)
        if (this.#logRecords >= this.#opts.compactAfter) this.#compact()
        for (const b of batch) b.resolve()
      }
      done()
      this.#scheduleFlush()
    }
    try {
      fs.writeSync(this.#logFd, batch.map((b) => b.line).join(''))
    } catch (error) {
      finish(error)
      return
    }
    if (this.#opts.noSync) finish(undefined)
    else fs.fsync(this.#logFd, (error) => finish(error))
  }

  /**
   * Compaction is an optimisation: the batch is durable in the log whatever happens here, and a
   * snapshot that failed half-way leaves a log whose records recovery still replays (or skips by
   * seq), so a failure only means the next batch tries again.
   */
  #compact() {
    try {
      this.#snapshot()
    } catch {
      /* retried after the next batch */
    }
  }

  /** Writes the whole state to a snapshot (tmp, fsync, rename, fsync dir) and empties the log. */
  #snapshot() {
    const tmp = this.#snapshotPath + '.tmp'
    const fd = fs.openSync(tmp, 'w', this.#fileMode)
    if (this.#opts.private) fs.fchmodSync(fd, 0o600)
    const data = Object.entries(this.#data).map(
      ([ns, texts]) => `${JSON.stringify(ns)}:{${Object.entries(texts).map(([key, text]) => `${JSON.stringify(key)}:${text}`).join(',')}}`,
    )
    fs.writeSync(fd, `{"seq":${this.#appliedSeq},"data":{${data.join(',')}}}`)
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

  /** Waits for pending writes (they still reach the disk), then closes the log; later writes fail. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    for (;;) {
      if (this.#flushing) await this.#flushing
      else if (this.#pending.length) this.#flush()
      else break
    }
    fs.closeSync(this.#logFd)
  }
}
