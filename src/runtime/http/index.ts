/**
 * The one HTTP toolkit every runtime server uses: a tiny router, request parsing under limits,
 * one mapping from typed errors to statuses and bodies, and hardened server defaults.
 *
 * Handlers return a value (sent as JSON 200), a `Reply` (status, headers, body), or `STREAMED`
 * when they have taken over the response (RecordIO and SSE streams). They throw `HttpError`
 * for anything the client did wrong; anything else is a bug and answers 500 without details.
 */
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** A body in the API's own error shape; when absent the server's `errorBody` builds one. */
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export const badRequest = (message: string, body?: unknown) => new HttpError(400, message, body)
export const notFound = (message: string, body?: unknown) => new HttpError(404, message, body)
export const conflict = (message: string, body?: unknown) => new HttpError(409, message, body)

export interface Reply {
  status?: number
  headers?: Record<string, string | number | string[]>
  /** A string or Buffer is sent as is; anything else as JSON. `undefined` sends no body. */
  body?: unknown
}

export const STREAMED = Symbol('streamed')

export function reply(status: number, body?: unknown, headers?: Reply['headers']): ReplyValue {
  return new ReplyValue({status, body, headers})
}

export class ReplyValue {
  constructor(readonly reply: Reply) {}
}

/** A JSON body pre-serialised once per state version: handlers cache these and return them. */
export class RawJson {
  readonly buffer: Buffer
  constructor(text: string) {
    this.buffer = Buffer.from(text)
  }
}

export interface Limits {
  /** Largest request body in bytes. */
  maxBodyBytes: number
  /** Deepest JSON nesting accepted. */
  maxJsonDepth: number
}

export const DEFAULT_LIMITS: Limits = {maxBodyBytes: 1024 * 1024, maxJsonDepth: 64}

export class Request {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  params: Record<string, string> = {}
  #body?: Promise<Buffer>

  /** False when the request target is neither origin-form nor absolute-form: dispatch answers 400. */
  readonly validTarget: boolean

  constructor(
    readonly raw: http.IncomingMessage,
    readonly res: http.ServerResponse,
    readonly limits: Limits,
  ) {
    this.method = raw.method ?? 'GET'
    const url = parseTarget(raw.url ?? '/')
    this.validTarget = url !== undefined
    this.path = url?.pathname ?? '/'
    this.query = url?.searchParams ?? new URLSearchParams()
  }

  header(name: string): string | undefined {
    const v = this.raw.headers[name.toLowerCase()]
    return Array.isArray(v) ? v[0] : v
  }

  body(): Promise<Buffer> {
    this.#body ??= readBody(this.raw, this.limits.maxBodyBytes)
    return this.#body
  }

  async text(): Promise<string> {
    return (await this.body()).toString('utf8')
  }

  /** The body as JSON. Empty, malformed or too deeply nested bodies are a 400 with a clear message. */
  async json(): Promise<unknown> {
    return parseJson(await this.text(), this.limits.maxJsonDepth)
  }

  /** A form-encoded (or query-string style) body. */
  async form(): Promise<URLSearchParams> {
    return new URLSearchParams(await this.text())
  }
}

/**
 * The path and query of a request target (RFC 9112 §3.2): origin-form `/a/b?q` or absolute-form
 * `http://host/a/b?q`; undefined for anything else. An origin-form target is never read as a
 * scheme-relative URL: `//x/master/state` is the path `//x/master/state`, not `/master/state` on
 * host `x`, and `//[` is a path rather than a malformed host.
 */
export function parseTarget(target: string): URL | undefined {
  try {
    if (target.startsWith('/')) return new URL(`http://localhost${target}`)
    if (/^https?:\/\//i.test(target)) return new URL(target)
  } catch {
    /* not a URL: answered as a bad request */
  }
  return undefined
}

export function parseJson(text: string, maxDepth = DEFAULT_LIMITS.maxJsonDepth): unknown {
  if (text.trim() === '') throw badRequest('Request body is empty: expected a JSON document')
  const depth = jsonDepth(text)
  if (depth > maxDepth) throw badRequest(`JSON nesting is ${depth} levels deep; the limit is ${maxDepth}`)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw badRequest(`Malformed JSON: ${(error as Error).message}`)
  }
}

/** The bracket depth of a JSON text, ignoring brackets inside strings. Linear, no recursion. */
export function jsonDepth(text: string): number {
  let depth = 0
  let max = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash: skip the escaped char
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) {
      if (++depth > max) max = depth
    } else if (c === 125 || c === 93) depth--
  }
  return max
}

/**
 * Reads a body of at most `max` bytes. Beyond that (declared or, for a chunked body, counted) the
 * 413 goes out at once and the rest of the body is read and discarded, so the connection stays
 * in step: closing it while the client is still sending would reset it, and the client could
 * lose the 413 with it. A body that never ends is cut off by the request timeout.
 */
function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > max) {
      req.resume()
      reject(new HttpError(413, `Request body of ${declared} bytes exceeds the limit of ${max} bytes`))
      return
    }
    let chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= max) {
        chunks.push(chunk)
        return
      }
      req.off('data', onData)
      chunks = []
      req.resume()
      reject(new HttpError(413, `Request body exceeds the limit of ${max} bytes`))
    }
    req.on('data', onData)
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export type Handler = (req: Request) => unknown | Promise<unknown>

interface Route {
  method: string
  parts: string[]
  handler: Handler
}

/**
 * Path patterns: literal segments, `:name` for one segment, and a final `*` for the rest
 * (available as `params['*']`, possibly empty).
 */
export class Router {
  #routes: Route[] = []

  on(method: string | string[], pattern: string, handler: Handler): this {
    for (const m of Array.isArray(method) ? method : [method]) {
      this.#routes.push({method: m, parts: pattern.split('/').filter(Boolean), handler})
    }
    return this
  }

  get(p: string, h: Handler) {
    return this.on('GET', p, h)
  }
  post(p: string, h: Handler) {
    return this.on('POST', p, h)
  }
  put(p: string, h: Handler) {
    return this.on('PUT', p, h)
  }
  delete(p: string, h: Handler) {
    return this.on('DELETE', p, h)
  }

  /** Finds the handler; a known path with the wrong method is a 405. */
  match(method: string, path: string): {handler: Handler; params: Record<string, string>} {
    const segs = path.split('/').filter(Boolean)
    let pathKnown = false
    for (const r of this.#routes) {
      const params = matchParts(r.parts, segs)
      if (!params) continue
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return {handler: r.handler, params}
      pathKnown = true
    }
    if (pathKnown) throw new HttpError(405, `Method ${method} is not allowed on ${path}`)
    throw notFound(`No such endpoint: ${path}`)
  }
}

function matchParts(parts: string[], segs: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {}
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]
    if (p === '*') {
      params['*'] = segs.slice(i).join('/')
      return params
    }
    if (i >= segs.length) return undefined
    if (p.startsWith(':')) {
      let v: string
      try {
        v = decodeURIComponent(segs[i])
      } catch {
        return undefined
      }
      params[p.slice(1)] = v
    } else if (p !== segs[i]) return undefined
  }
  return parts.length === segs.length ? params : undefined
}

/** What one client may hold of a server: connections, head size, and how long it may dawdle. */
export interface ConnectionLimits {
  /** Largest request head (request line and headers): 431 beyond. */
  maxHeaderBytes: number
  /** Most header fields in one request: 431 beyond (Node would silently drop the extra ones). */
  maxHeaders: number
  /** The whole head must arrive within this (slowloris): 408, then the connection is closed. */
  headersTimeoutMs: number
  /** The whole request, body included, must arrive within this: 408 and closed. */
  requestTimeoutMs: number
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number
  /** A socket silent this long is closed; long-lived streams send heartbeats well within it. */
  idleTimeoutMs: number
  /** Open connections at most; further ones are closed as soon as they are accepted. */
  maxConnections: number
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxHeaderBytes: 16 * 1024,
  maxHeaders: 128,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  maxConnections: 2048,
}

/** The status line a malformed, oversized or too slow request head is answered with. */
function clientErrorStatus(error: NodeJS.ErrnoException): string {
  if (error.code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large'
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout'
  return '400 Bad Request'
}

export interface ServerOptions {
  router: Router
  host?: string
  port?: number
  limits?: Partial<Limits>
  connections?: Partial<ConnectionLimits>
  /** Builds the API's own error body (Mesos: plain text; Marathon, Cosmos: JSON). */
  errorBody?: (error: HttpError) => unknown
  /** Called for errors that are not HttpErrors (bugs). Never sent to the client. */
  onBug?: (error: unknown, req: Request) => void
  /** Runs before routing; may throw an HttpError (auth) or return STREAMED after handling. */
  before?: (req: Request) => unknown | Promise<unknown>
}

export interface Server {
  server: http.Server
  port: number
  host: string
  url: string
  close(): Promise<void>
}

const plainTextError = (e: HttpError) => e.message

export async function serve(opts: ServerOptions): Promise<Server> {
  const limits = {...DEFAULT_LIMITS, ...opts.limits}
  const connections = {...DEFAULT_CONNECTION_LIMITS, ...opts.connections}
  const errorBody = opts.errorBody ?? plainTextError
  const server = http.createServer(
    {
      maxHeaderSize: connections.maxHeaderBytes,
      headersTimeout: connections.headersTimeoutMs,
      requestTimeout: connections.requestTimeoutMs,
      keepAliveTimeout: connections.keepAliveTimeoutMs,
      // Node enforces the two timeouts above only when it checks (every 30 s by default), so a
      // slow head could otherwise hold a connection for 40 s instead of 10.
      connectionsCheckingInterval: Math.min(1000, connections.headersTimeoutMs),
    },
    (raw, res) => {
      const req = new Request(raw, res, limits)
      void dispatch(req, opts, errorBody, connections.maxHeaders)
    },
  )
  // Long-lived streams (RecordIO, SSE) send heartbeats, so an idle socket is a dead one.
  server.timeout = connections.idleTimeoutMs
  // One more than allowed is kept, so that dispatch can tell "too many" from "exactly the limit".
  server.maxHeadersCount = connections.maxHeaders + 1
  server.maxConnections = connections.maxConnections
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Closed once the answer is out, whatever the client still sends (a slow head keeps coming).
    if (socket.writable) socket.end(`HTTP/1.1 ${clientErrorStatus(error)}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, () => socket.destroy())
    else socket.destroy()
  })
  const host = opts.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  return {
    server,
    port,
    host,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

async function dispatch(req: Request, opts: ServerOptions, errorBody: (e: HttpError) => unknown, maxHeaders: number) {
  try {
    if (!req.validTarget) throw badRequest('The request target must be a path such as /master/state')
    if (req.raw.rawHeaders.length / 2 > maxHeaders)
      throw new HttpError(431, `Too many request headers: at most ${maxHeaders} are accepted`, undefined, {Connection: 'close'})
    if (opts.before) {
      const r = await opts.before(req)
      if (r === STREAMED) return
    }
    const {handler, params} = opts.router.match(req.method, req.path)
    req.params = params
    const result = await handler(req)
    if (result === STREAMED) return
    send(req, result)
  } catch (error) {
    if (error instanceof HttpError) {
      const body = error.body !== undefined ? error.body : errorBody(error)
      send(req, new ReplyValue({status: error.status, body, headers: error.headers}))
    } else {
      opts.onBug?.(error, req)
      send(req, new ReplyValue({status: 500, body: errorBody(new HttpError(500, 'Internal server error'))}))
    }
  }
}

export function send(req: Request, result: unknown): void {
  const {res} = req
  if (res.headersSent) {
    res.end()
    return
  }
  const r: Reply = result instanceof ReplyValue ? result.reply : {status: 200, body: result}
  let payload: Buffer | string | undefined
  const headers: Record<string, string | number | string[]> = {...r.headers}
  const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')
  if (r.body === undefined || r.body === null) payload = undefined
  else if (r.body instanceof RawJson) {
    payload = r.body.buffer
    if (!hasType) headers['Content-Type'] = 'application/json'
  } else if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) {
    payload = r.body
    if (!hasType) headers['Content-Type'] = 'text/plain; charset=utf-8'
  } else {
    payload = JSON.stringify(r.body)
    if (!hasType) headers['Content-Type'] = 'application/json'
  }
  if (payload !== undefined) headers['Content-Length'] = Buffer.byteLength(payload)
  else headers['Content-Length'] = 0
  res.writeHead(r.status ?? 200, headers)
  res.end(req.method === 'HEAD' ? undefined : payload)
}

/**
 * Answers 200 with the first `size` bytes of `file` (its size when the caller looked), announced
 * as the Content-Length. A file that grows meanwhile (a log) sends no more than announced; one
 * that shrinks cuts the connection rather than leave the client waiting for the rest. Either
 * would otherwise break the connection for the next response on it.
 */
export function sendFile(req: Request, file: string, size: number, headers: Record<string, string>): typeof STREAMED {
  const {res} = req
  res.writeHead(200, {...headers, 'Content-Length': size})
  if (size === 0 || req.method === 'HEAD') {
    res.end()
    return STREAMED
  }
  let sent = 0
  fs.createReadStream(file, {start: 0, end: size - 1})
    .on('data', (chunk) => (sent += chunk.length))
    .on('error', () => res.destroy())
    .on('end', () => {
      if (sent < size) res.destroy()
    })
    .pipe(res)
  return STREAMED
}

/** `?jsonp=cb` support as the Mesos endpoints have it. */
export function jsonp(req: Request, body: unknown): unknown {
  const cb = req.query.get('jsonp')
  if (!cb) return body
  if (!/^[A-Za-z_$][\w$.]{0,63}$/.test(cb)) throw badRequest('Invalid jsonp callback name')
  const json = body instanceof RawJson ? body.buffer.toString() : JSON.stringify(body)
  return reply(200, `${cb}(${json});`, {'Content-Type': 'text/javascript'})
}

/** Rejects ids with path tricks or control bytes; used for task, framework, agent and app ids. */
export function checkId(kind: string, id: unknown, max = 255): string {
  if (typeof id !== 'string' || id.length === 0) throw badRequest(`${kind} must be a non-empty string`)
  if (id.length > max) throw badRequest(`${kind} is longer than ${max} characters`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) throw badRequest(`${kind} contains control characters`)
  if (id === '.' || id === '..' || id.includes('/') || id.includes('\\'))
    throw badRequest(`${kind} '${id}' must not contain '/', '\\' or be '.' or '..'`)
  return id
}
