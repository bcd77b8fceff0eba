/**
 * A stand-in Mesos master for the scheduler driver and mesos-execute tests. It speaks the v1
 * scheduler API as docs/scheduler-http-api.md has it: SUBSCRIBE answers 200 with a
 * `Mesos-Stream-Id` and a RecordIO stream starting with SUBSCRIBED; every other call must carry
 * `framework_id` and the matching stream id and answers 202. It records what it was sent; tests
 * script the rest through `onCall` and `send`.
 */
import {randomUUID} from 'node:crypto'
import type http from 'node:http'
import {HttpError, Router, STREAMED, reply, serve, type Request, type Server} from '../../src/runtime/http'
import {encodeRecord} from '../../src/mesos/recordio'
import type {Call, Event} from '../../src/mesos/types'

export interface RecordedCall {
  call: Call
  streamId?: string
  headers: http.IncomingHttpHeaders
}

export interface StandInOptions {
  /** Path prefix the API is served under (a gateway's `/mesos`). */
  prefix?: string
  heartbeatIntervalSeconds?: number
  /** Send HEARTBEAT events every interval. */
  heartbeats?: boolean
  /** Answer every request with a 307 to this Location instead (a non-leading master). */
  redirectTo?: string
  /** Answer SUBSCRIBE with this status and text instead of a stream. */
  refuseSubscribe?: {status: number; message: string}
  /** Runs after SUBSCRIBED was sent on a new stream (e.g. to send offers). */
  onSubscribe?: (frameworkId: string, master: StandInMaster) => void
  /** Runs for each recorded non-subscribe call; throw an HttpError to refuse it. */
  onCall?: (call: Call, master: StandInMaster) => void
}

interface Stream {
  res: http.ServerResponse
  streamId: string
  frameworkId: string
  heartbeat?: NodeJS.Timeout
}

export class StandInMaster {
  readonly masterId = randomUUID()
  readonly subscribes: RecordedCall[] = []
  readonly calls: RecordedCall[] = []
  #server!: Server
  #stream?: Stream
  #nextFramework = 0

  private constructor(readonly opts: StandInOptions) {}

  static async start(opts: StandInOptions = {}): Promise<StandInMaster> {
    const master = new StandInMaster(opts)
    const router = new Router().post(`${opts.prefix ?? ''}/api/v1/scheduler`, (req) => master.#handle(req))
    master.#server = await serve({router})
    return master
  }

  get url(): string {
    return `${this.#server.url}${this.opts.prefix ?? ''}`
  }

  get port(): number {
    return this.#server.port
  }

  get streamId(): string | undefined {
    return this.#stream?.streamId
  }

  get connected(): boolean {
    return this.#stream !== undefined
  }

  /** Writes an event to the open subscription stream. */
  send(event: Event): void {
    if (!this.#stream) throw new Error('stand-in master: no subscriber to send to')
    this.#stream.res.write(encodeRecord(event))
  }

  /** Writes raw bytes to the stream (to test framing errors). */
  sendRaw(bytes: string): void {
    this.#stream?.res.write(bytes)
  }

  /** Ends the subscription stream, as a master does on failover or a network break. */
  closeStream(): void {
    const stream = this.#stream
    this.#stream = undefined
    if (!stream) return
    clearInterval(stream.heartbeat)
    stream.res.end()
  }

  /** Polls until `predicate` holds; fails after `timeoutMs`. */
  async waitFor<T>(what: string, predicate: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const value = predicate()
      if (value) return value
      if (Date.now() > deadline) throw new Error(`stand-in master: timed out waiting for ${what}`)
      await new Promise((r) => setTimeout(r, 5))
    }
  }

  callsOf(type: Call['type']): Call[] {
    return this.calls.filter((c) => c.call.type === type).map((c) => c.call)
  }

  async close(): Promise<void> {
    this.closeStream()
    await this.#server.close()
  }

  async #handle(req: Request): Promise<unknown> {
    if (this.opts.redirectTo) return reply(307, undefined, {Location: this.opts.redirectTo})
    if (!req.header('content-type')) throw new HttpError(400, "Expecting 'Content-Type' to be present")
    const call = (await req.json()) as Call
    const streamId = req.header('mesos-stream-id')
    const recorded: RecordedCall = {call, streamId, headers: req.raw.headers}
    if (call.type === 'SUBSCRIBE') {
      if (streamId) throw new HttpError(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header")
      this.subscribes.push(recorded)
      if (this.opts.refuseSubscribe) throw new HttpError(this.opts.refuseSubscribe.status, this.opts.refuseSubscribe.message)
      return this.#subscribe(req, call)
    }
    if (!streamId) throw new HttpError(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header")
    if (!this.#stream || call.framework_id?.value !== this.#stream.frameworkId) throw new HttpError(403, 'Framework is not subscribed')
    if (streamId !== this.#stream.streamId) {
      const {frameworkId} = this.#stream
      throw new HttpError(
        400,
        `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}`,
      )
    }
    this.calls.push(recorded)
    this.opts.onCall?.(call, this)
    // Removing the framework ends its stream before the call is answered, as in Mesos.
    if (call.type === 'TEARDOWN') this.closeStream()
    return reply(202)
  }

  #subscribe(req: Request, call: Call): typeof STREAMED {
    this.closeStream() // one subscription per framework: a new one replaces the old
    const frameworkId = call.framework_id?.value ?? `${this.masterId}-${String(this.#nextFramework++).padStart(4, '0')}`
    const streamId = randomUUID()
    const {res} = req
    res.writeHead(200, {'Content-Type': 'application/json', 'Mesos-Stream-Id': streamId})
    const stream: Stream = {res, streamId, frameworkId}
    this.#stream = stream
    res.on('close', () => {
      clearInterval(stream.heartbeat)
      if (this.#stream === stream) this.#stream = undefined
    })
    const interval = this.opts.heartbeatIntervalSeconds ?? 15
    this.send({
      type: 'SUBSCRIBED',
      subscribed: {framework_id: {value: frameworkId}, heartbeat_interval_seconds: interval},
    })
    this.opts.onSubscribe?.(frameworkId, this)
    if (this.opts.heartbeats) stream.heartbeat = setInterval(() => res.write(encodeRecord({type: 'HEARTBEAT'})), interval * 1000)
    return STREAMED
  }
}
