/**
 * Marathon's event bus and its SSE endpoint (`/v2/events`, `HttpEventStreamServlet`): every
 * event is `{...fields, eventType, timestamp}`, sent to each attached client as
 * `event: <eventType>\r\ndata: <json>\r\n\r\n` (Jetty's CRLF framing), filtered by the
 * repeatable `event_type` query parameter. The first event on attach is
 * `event_stream_attached`; a bare CRLF every `heartbeatMs` keeps idle connections open.
 * A client that stops reading is dropped once its unsent backlog passes `maxBacklogBytes`.
 */
import type {Request} from '../http'
import {STREAMED} from '../http'

export interface MarathonEvent {
  eventType: string
  timestamp: string
  [field: string]: unknown
}

interface Subscriber {
  filter?: ReadonlySet<string>
  send(type: string, frame: string): void
}

export interface EventBusOptions {
  now: () => number
  heartbeatMs?: number
  maxBacklogBytes?: number
}

export class EventBus {
  readonly #subscribers = new Set<Subscriber>()
  readonly #now: () => number
  readonly heartbeatMs: number
  readonly maxBacklogBytes: number
  /** Events published so far, by type (for /metrics). */
  readonly counts = new Map<string, number>()

  constructor(opts: EventBusOptions) {
    this.#now = opts.now
    this.heartbeatMs = opts.heartbeatMs ?? 10_000
    this.maxBacklogBytes = opts.maxBacklogBytes ?? 8 * 1024 * 1024
  }

  get subscriberCount(): number {
    return this.#subscribers.size
  }

  /** Publishes `fields` as an event of `type`; serialised once, whoever listens. */
  publish(type: string, fields: Record<string, unknown>): MarathonEvent {
    const event: MarathonEvent = {...fields, eventType: type, timestamp: new Date(this.#now()).toISOString()}
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1)
    if (this.#subscribers.size === 0) return event
    const frame = `event: ${type}\r\ndata: ${JSON.stringify(event)}\r\n\r\n`
    for (const s of this.#subscribers) if (!s.filter || s.filter.has(type)) s.send(type, frame)
    return event
  }

  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber)
    return () => this.#subscribers.delete(subscriber)
  }

  /** Ends every stream (Marathon is stopping). */
  closeAll(): void {
    for (const s of [...this.#subscribers]) s.send('', '')
    this.#subscribers.clear()
  }

  /** `GET /v2/events`: takes over the response and streams until the client goes. */
  serve(req: Request): typeof STREAMED {
    const types = [...req.query.getAll('event_type'), ...req.query.getAll('event_type[]')].flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean)
    const filter = types.length ? new Set(types) : undefined
    const {res} = req
    req.raw.setTimeout(0)
    res.writeHead(200, {'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache, no-store', Connection: 'keep-alive'})
    res.flushHeaders()
    let closed = false
    const heartbeat = setInterval(() => {
      if (!closed) res.write('\r\n')
    }, this.heartbeatMs)
    heartbeat.unref()
    const close = () => {
      if (closed) return
      closed = true
      clearInterval(heartbeat)
      unsubscribe()
      res.end()
    }
    const unsubscribe = this.subscribe({
      filter,
      send: (type, frame) => {
        if (closed) return
        if (type === '') {
          close()
          return
        }
        if (res.writableLength > this.maxBacklogBytes) {
          res.destroy()
          close()
          return
        }
        res.write(frame)
      },
    })
    res.on('close', close)
    const remoteAddress = req.header('x-real-ip') ?? req.raw.socket.remoteAddress ?? ''
    const attached: MarathonEvent = {remoteAddress, eventType: 'event_stream_attached', timestamp: new Date(this.#now()).toISOString()}
    if (!filter || filter.has('event_stream_attached')) res.write(`event: event_stream_attached\r\ndata: ${JSON.stringify(attached)}\r\n\r\n`)
    return STREAMED
  }
}
