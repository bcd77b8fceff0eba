/**
 * The HTTP side of the scheduler driver, on node:http (fetch would add ~70 ms of undici start-up
 * to every tool): one POST with a response-header timeout, bounded body reads, master URLs and
 * redirects, and socket errors turned into short human reasons.
 */
import http from 'node:http'

export const SCHEDULER_API_PATH = '/api/v1/scheduler'

/** The part of a refusal's body that is read, and the part that makes it into a message. */
const MAX_ERROR_BODY = 16 * 1024
const MAX_ERROR_MESSAGE = 300

/** `http://host:port[/prefix]` without a trailing slash; only plain HTTP is spoken. */
export function normalizeMasterUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new Error(`invalid master URL '${url}' (expected http://HOST:PORT)`)
  }
  if (parsed.protocol !== 'http:') throw new Error(`invalid master URL '${url}': only http:// is supported`)
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`
}

/**
 * The base URL a 307 points at. Masters answer `Location: //host:port/api/v1/scheduler`
 * (protocol-relative, src/master/http.cpp `redirect`); the docs show a bare `host:port`.
 */
export function leaderUrl(current: string, location: string): string {
  let absolute: string
  if (location.startsWith('//')) absolute = `${new URL(current).protocol}${location}`
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) absolute = location
  else if (location.startsWith('/')) absolute = new URL(location, current).toString()
  else absolute = `http://${location}`
  const url = new URL(absolute)
  const base = url.pathname.replace(/\/+$/, '')
  const prefix = base.endsWith(SCHEDULER_API_PATH) ? base.slice(0, -SCHEDULER_API_PATH.length) : base
  return normalizeMasterUrl(`${url.protocol}//${url.host}${prefix}`)
}

export interface PostOptions {
  headers: Record<string, string>
  agent: http.Agent | false
  signal?: AbortSignal
  /** Time allowed until the response headers arrive. */
  timeoutMs: number
}

/**
 * POSTs `body`; resolves with the response once its headers arrive, body unread. A keep-alive
 * socket the server closed while idle fails with ECONNRESET before the request reached it: that
 * one case is retried once on a fresh connection (the pattern Node's docs give for
 * `request.reusedSocket`), so pooled connections never surface as spurious call failures.
 */
export function post(url: string, body: string, opts: PostOptions, retried = false): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {...opts.headers, 'Content-Length': Buffer.byteLength(body)},
      agent: opts.agent,
      signal: opts.signal,
    })
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs)
    req.on('response', (res) => {
      clearTimeout(timer)
      resolve(res)
    })
    req.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      if (!retried && req.reusedSocket && error.code === 'ECONNRESET') resolve(post(url, body, opts, true))
      else reject(connectionError(error, url))
    })
    req.end(body)
  })
}

/** The response body as text, at most MAX_ERROR_BODY of it; never rejects. */
export function readText(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    res.on('data', (chunk: Buffer) => {
      if (size < MAX_ERROR_BODY) chunks.push(chunk)
      size += chunk.length
    })
    const done = () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY))
    res.on('end', done)
    res.on('close', done)
    res.on('error', done)
  })
}

/** The master's plain-text reason, on one line and short enough for a terminal. */
export function masterMessage(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim()
  if (!text) return 'no reason given'
  return text.length > MAX_ERROR_MESSAGE ? `${text.slice(0, MAX_ERROR_MESSAGE)}...` : text
}

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
}

/** A socket error with a short human reason naming the host: "connection refused (127.0.0.1:5050)". */
function connectionError(error: NodeJS.ErrnoException, url: string): Error {
  if (error.name === 'AbortError') return error
  const reason = (error.code && SOCKET_ERRORS[error.code]) ?? error.message
  return new Error(`${reason} (${new URL(url).host})`)
}
