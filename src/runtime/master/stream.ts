/**
 * One scheduler subscription: a chunked RecordIO stream of v1 `Event`s on the SUBSCRIBE
 * response, with HEARTBEAT events at the advertised interval. A subscriber that stops reading
 * is cut off once its unread backlog passes a bound, so a stuck scheduler cannot exhaust the
 * master's memory.
 */
import {randomUUID} from 'node:crypto'
import type http from 'node:http'
import {encodeRecord} from '../../mesos/recordio'
import type {Event} from '../../mesos/types'

/** Unread bytes after which a subscriber is considered stuck and disconnected. */
const MAX_BACKLOG_BYTES = 64 * 1024 * 1024

export class SchedulerStream {
  readonly id = randomUUID()
  #res: http.ServerResponse
  #heartbeat: NodeJS.Timeout
  #closed = false
  #corked = false

  /** Sends the 200 head; `onClose` runs once when the stream ends for any reason. */
  constructor(res: http.ServerResponse, heartbeatSeconds: number, onClose: (stream: SchedulerStream) => void) {
    this.#res = res
    res.writeHead(200, {'Content-Type': 'application/json', 'Mesos-Stream-Id': this.id, 'Cache-Control': 'no-cache'})
    res.socket?.setNoDelay(true)
    res.socket?.setKeepAlive(true)
    this.#heartbeat = setInterval(() => this.send({type: 'HEARTBEAT'}), Math.max(1, heartbeatSeconds * 1000))
    // A write racing a dropped connection errors: the stream is over either way.
    res.on('error', () => this.#finish())
    res.on('close', () => {
      this.#finish()
      onClose(this)
    })
  }

  get closed(): boolean {
    return this.#closed
  }

  send(event: Event): void {
    if (this.#closed) return
    if (this.#res.writableLength > MAX_BACKLOG_BYTES) {
      this.close()
      return
    }
    if (!this.#corked) {
      // The events of one turn (a batch of status updates, an allocation's offers) leave in one write.
      this.#corked = true
      this.#res.cork()
      process.nextTick(() => {
        this.#corked = false
        this.#res.uncork()
      })
    }
    this.#res.write(encodeRecord(event))
  }

  /** Ends the stream (optionally after a last event, e.g. an ERROR). */
  close(last?: Event): void {
    if (this.#closed) return
    if (last) this.#res.write(encodeRecord(last))
    this.#finish()
    this.#res.end()
  }

  #finish(): void {
    this.#closed = true
    clearInterval(this.#heartbeat)
  }
}
