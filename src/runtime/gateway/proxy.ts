/**
 * The gateway's one reverse proxy: node:http, streaming both ways, no buffering.
 *
 * - Request bodies flow to the upstream as they arrive, up to `maxBodyBytes` (413 beyond).
 * - Responses flow back chunk by chunk. RecordIO (`application/recordio`, the v1 scheduler and
 *   operator streams) and SSE (`text/event-stream`) responses are long-lived: their headers are
 *   flushed at once and no read timeout applies to them.
 * - Any other exchange is aborted after `readTimeoutMs` without progress in either direction
 *   (nginx's proxy_read_timeout): 504 before the response started, a cut connection after.
 * - Pooled upstream connections are let go before the upstream's keep-alive timeout (see
 *   UPSTREAM_IDLE_MS), and a request that meets one the upstream closed anyway goes out again on a
 *   fresh connection when that is safe (see `forward`).
 * - An unreachable upstream is a 502 naming it. A client that goes away aborts the upstream
 *   request, and an upstream that goes away mid-response cuts the client's connection, so a
 *   truncated body is never mistaken for a complete one.
 * - Hop-by-hop headers are dropped, X-Forwarded-* set, and a redirect into the upstream is
 *   rewritten to point at the gateway's prefix for it.
 */
import http from 'node:http'
import {pipeline} from 'node:stream'
import {HttpError, reply, send, STREAMED, type Request} from '../http'

export interface Upstream {
  /** Names the upstream in error messages, e.g. `master at http://127.0.0.1:5050`. */
  describe: string
  /** The request's remaining path is appended to this URL's path. Only http: is proxied. */
  base: URL
  /** Called when the upstream could not be reached (so a cached resolution is dropped). */
  onUnreachable?: () => void
}

export interface ProxyOptions {
  /** Largest request body forwarded. */
  maxBodyBytes: number
  /** No progress in either direction for this long aborts a non-streaming exchange. */
  readTimeoutMs: number
}

export const DEFAULT_PROXY_OPTIONS: ProxyOptions = {maxBodyBytes: 32 * 1024 * 1024, readTimeoutMs: 60_000}

/** RFC 9110 §7.6.1, plus `expect` (the gateway's own server already answered 100-continue). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
])

const STREAM_TYPES = ['application/recordio', 'text/event-stream']

/**
 * How long a pooled upstream connection may sit idle. Node 20's http.Agent shortens a pooled
 * socket's idle timeout to the upstream's `Keep-Alive: timeout=N` less one second (our servers
 * announce 5 s, see serve()), but only when the agent has a `timeout` of its own: without one it
 * ignores the hint and keeps the socket until the upstream closes it, which races the next reuse
 * (a request written as the upstream's FIN arrives: ECONNRESET, a 502). Upstreams that announce
 * nothing are let go after this; Node's own servers close after 5 s.
 */
export const UPSTREAM_IDLE_MS = 4_000

export class Proxy {
  #options: ProxyOptions
  // `timeout` also applies to sockets in use, where it only emits 'timeout' (nobody listens): the
  // read timeout below is the proxy's own.
  #agent = new http.Agent({keepAlive: true, maxSockets: 512, timeout: UPSTREAM_IDLE_MS})

  constructor(options: Partial<ProxyOptions> = {}) {
    this.#options = {...DEFAULT_PROXY_OPTIONS, ...options}
  }

  /**
   * Forwards `req` to `upstream`, with `rest` (path and query, starting with `/`) appended to the
   * upstream's base path. `prefix` is what the client sees in front of `rest` (e.g. `/mesos`).
   * Throws an HttpError for what can be answered before anything is sent (413, 502 for a
   * non-http upstream); everything later is handled here.
   */
  forward(req: Request, upstream: Upstream, rest: string, prefix: string): typeof STREAMED {
    const {raw, res} = req
    if (upstream.base.protocol !== 'http:') {
      throw new HttpError(502, `upstream ${upstream.describe} is not an http:// URL; the gateway proxies http only`)
    }
    const declared = Number(raw.headers['content-length'] ?? 0)
    if (declared > this.#options.maxBodyBytes) {
      throw new HttpError(413, `Request body of ${declared} bytes exceeds the gateway's limit of ${this.#options.maxBodyBytes} bytes`)
    }
    if (res.destroyed || raw.destroyed) return STREAMED

    // Joined as text, never resolved against the base: `rest` may start with `//`, which URL
    // resolution would take for a host (`/agent/<id>//other-host:80/x` must stay on the agent).
    const target = new URL(upstream.base.origin + upstream.base.pathname.replace(/\/$/, '') + rest)
    const options: http.RequestOptions = {
      agent: this.#agent,
      protocol: 'http:',
      hostname: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || 80,
      method: raw.method,
      path: target.pathname + target.search,
      headers: requestHeaders(raw, target.host),
    }
    let upReq = http.request(options)
    // A pooled connection the upstream closed as it was taken (its keep-alive timeout or restart
    // raced the reuse) fails the request with ECONNRESET/EPIPE before any response. Resending is
    // safe when the upstream cannot have handled it: a request without a body (as nginx's
    // proxy_next_upstream does for idempotent requests), or one of which no byte was written (Go's
    // net/http rule for non-idempotent ones). So a request with a body is not written to a reused
    // connection at once: its body is held (the client paused) until one turn of the event loop
    // has read whatever the upstream already sent on it; a close already under way shows then, and
    // the request goes out on a fresh connection instead.
    const bodyless = raw.headers['content-length'] === undefined && raw.headers['transfer-encoding'] === undefined
    let retried = false
    /** Whether the current upstream request has been given any of the body (or its end). */
    let written = false
    /** The current upstream request takes the body as it arrives; until then it is held here. */
    let flowing = bodyless
    const held: Buffer[] = []
    const retryable = (error: NodeJS.ErrnoException) =>
      (bodyless || !written) && !retried && upReq.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE') && !res.headersSent
    const write = (chunk: Buffer) => {
      written = true
      if (!upReq.write(chunk)) {
        raw.pause()
        upReq.once('drain', () => raw.resume())
      }
    }
    const end = () => {
      written = true
      upReq.end()
    }
    const flow = () => {
      if (flowing || settled) return
      flowing = true
      for (const chunk of held.splice(0)) write(chunk)
      if (raw.readableEnded) end()
      else raw.resume()
    }
    /** Lets a request with a body flow once its connection is known fresh, or still open a loop turn after reuse. */
    const whenSafe = (req: http.ClientRequest) => {
      if (bodyless) return
      req.once('socket', (socket) => {
        if (!req.reusedSocket) {
          if (req === upReq) flow()
          return
        }
        // Two immediates: the first runs before the next poll phase, the second after it.
        setImmediate(() =>
          setImmediate(() => {
            if (req !== upReq || socket.destroyed || !socket.writable) return
            flow()
          }),
        )
      })
    }
    whenSafe(upReq)

    let settled = false
    const fail = (error: HttpError) => {
      if (settled) return
      settled = true
      unwatch()
      upReq.destroy()
      if (res.headersSent) res.destroy()
      else send(req, reply(error.status, {message: error.message}, {Connection: 'close'}))
    }
    // The read timeout: re-armed on progress, disarmed for good once a stream starts or it ends.
    let watching = true
    const timer = setTimeout(() => {
      const seconds = this.#options.readTimeoutMs / 1000
      fail(new HttpError(504, `upstream ${upstream.describe} did not answer within ${seconds} s`))
    }, this.#options.readTimeoutMs)
    const progress = () => {
      if (watching) timer.refresh()
    }
    const unwatch = () => {
      watching = false
      clearTimeout(timer)
    }

    res.on('close', () => {
      unwatch()
      if (!res.writableFinished) upReq.destroy()
    })
    raw.on('error', () => upReq.destroy())

    let received = 0
    raw.on('data', (chunk: Buffer) => {
      if (settled) return
      received += chunk.length
      if (received > this.#options.maxBodyBytes) {
        fail(new HttpError(413, `Request body exceeds the gateway's limit of ${this.#options.maxBodyBytes} bytes`))
        return
      }
      progress()
      if (flowing) {
        write(chunk)
        return
      }
      held.push(chunk)
      raw.pause()
    })
    raw.on('end', () => {
      if (!settled && flowing) end()
    })
    const onResponse = (upRes: http.IncomingMessage) => {
      if (settled) {
        upRes.destroy()
        return
      }
      const streaming = STREAM_TYPES.some((t) => String(upRes.headers['content-type'] ?? '').startsWith(t))
      const headers = responseHeaders(upRes, target, upstream.base, prefix)
      try {
        res.writeHead(upRes.statusCode ?? 502, headers)
      } catch (error) {
        fail(new HttpError(502, `upstream ${upstream.describe} sent an invalid response (${(error as Error).message})`))
        return
      }
      if (streaming) {
        unwatch()
        // The stream's lifetime is the upstream's business; its heartbeats keep it honest.
        raw.setTimeout(0)
        res.flushHeaders()
      } else {
        progress()
        upRes.on('data', progress)
      }
      pipeline(upRes, res, (error) => {
        unwatch()
        settled = true
        if (error) res.destroy()
        // An upstream that answered before reading the whole body gets no more of it.
        if (error || !upReq.writableFinished) upReq.destroy()
      })
    }
    const onError = (error: NodeJS.ErrnoException) => {
      if (settled) return
      if (retryable(error)) {
        retried = true
        upReq = http.request({...options, agent: false})
        attach()
        if (bodyless) {
          if (raw.readableEnded) upReq.end()
        } else {
          // Nothing was written: the held body goes out on the fresh connection.
          flowing = false
          whenSafe(upReq)
        }
        return
      }
      if (!res.headersSent) upstream.onUnreachable?.()
      const why = error.code ?? error.message
      fail(new HttpError(502, `upstream ${upstream.describe} is unreachable (${why})`))
    }
    const attach = () => {
      upReq.on('error', onError)
      upReq.on('finish', progress)
      upReq.on('response', onResponse)
    }
    attach()
    return STREAMED
  }

  /** Drops pooled upstream connections. */
  close(): void {
    this.#agent.destroy()
  }
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
  )
  const out: http.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) out[name] = value
  }
  return out
}

function requestHeaders(raw: http.IncomingMessage, upstreamHost: string): http.OutgoingHttpHeaders {
  const headers = withoutHopByHop(raw.headers)
  const client = raw.socket.remoteAddress ?? ''
  const prior = raw.headers['x-forwarded-for']
  headers['x-forwarded-for'] = prior ? `${prior}, ${client}` : client
  headers['x-forwarded-proto'] = 'http'
  if (raw.headers.host) headers['x-forwarded-host'] = raw.headers.host
  headers['x-real-ip'] = client
  headers.host = upstreamHost
  return headers
}

function responseHeaders(upRes: http.IncomingMessage, target: URL, base: URL, prefix: string): http.OutgoingHttpHeaders {
  const headers = withoutHopByHop(upRes.headers)
  if (typeof headers.location === 'string') headers.location = rewriteLocation(headers.location, target, base, prefix)
  return headers
}

/**
 * A redirect to somewhere inside the upstream (absolute, or relative to the request) becomes a
 * path under the gateway's prefix, as nginx's default `proxy_redirect` does. Others pass unchanged.
 */
export function rewriteLocation(location: string, target: URL, base: URL, prefix: string): string {
  let url: URL
  try {
    url = new URL(location, target)
  } catch {
    return location
  }
  if (url.origin !== base.origin) return location
  const basePath = base.pathname.replace(/\/$/, '')
  if (url.pathname !== basePath && !url.pathname.startsWith(basePath + '/')) return location
  return prefix + url.pathname.slice(basePath.length) + url.search + url.hash
}
