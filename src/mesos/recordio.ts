/**
 * RecordIO framing as the Mesos v1 APIs use it: `<decimal length>\n<length bytes>`, no trailing
 * newline, a length is never zero (apache/mesos docs/recordio.md).
 */
export function encodeRecord(json: unknown): Buffer {
  const data = Buffer.from(typeof json === 'string' ? json : JSON.stringify(json))
  return Buffer.concat([Buffer.from(`${data.length}\n`), data])
}

/** Incremental decoder: feed chunks, get whole records back. Rejects absurd lengths. */
export class RecordIODecoder {
  #buf: Buffer = Buffer.alloc(0)
  constructor(readonly maxRecordBytes = 64 * 1024 * 1024) {}

  push(chunk: Buffer): string[] {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk
    const out: string[] = []
    for (;;) {
      const nl = this.#buf.indexOf(10)
      if (nl < 0) {
        if (this.#buf.length > 20) throw new Error('RecordIO: length prefix too long')
        break
      }
      const header = this.#buf.subarray(0, nl).toString('ascii')
      if (!/^\d+$/.test(header)) throw new Error(`RecordIO: bad length prefix '${header.slice(0, 20)}'`)
      const len = Number(header)
      if (len === 0) throw new Error('RecordIO: zero-length record')
      if (len > this.maxRecordBytes) throw new Error(`RecordIO: record of ${len} bytes exceeds the limit`)
      if (this.#buf.length < nl + 1 + len) break
      out.push(this.#buf.subarray(nl + 1, nl + 1 + len).toString('utf8'))
      this.#buf = this.#buf.subarray(nl + 1 + len)
    }
    return out
  }
}
