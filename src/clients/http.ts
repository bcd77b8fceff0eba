/**
 * The one place the CLI builds HTTP requests (node:http/https, not global fetch: undici costs
 * ~70 ms of start-up). It adds the base URL, `Authorization: token=<acs token>`, the timeout,
 * TLS verification, JSON decoding, and maps every failure to a DcosError whose message says what
 * failed and what to do. No request, response, header or token ever leaves this module inside
 * an error: errors are built from the method, a display URL (no userinfo) and the server's
 * message, with the token redacted.
 */
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import {DcosError, ExitCode, redact} from '../cli/errors'
import type {ClusterEndpoints} from './endpoints'

export interface HttpClientOptions {
  baseUrl: string
  token?: string
  /** How long a request may stay silent (connect, headers, body chunks). Default 60 s. */
  timeoutMs?: number
  /** true (default), false, or a CA bundle path. */
  sslVerify?: boolean | string
  userAgent?: string
}

export type Query = Record<string, string | number | boolean | undefined>

export interface RequestOptions {
  query?: Query
  /** A JSON body (Content-Type application/json unless headers say otherwise). */
  json?: unknown
  /** A form body (application/x-www-form-urlencoded), as Mesos /master/teardown wants. */
  form?: Record<string, string>
  headers?: Record<string, string>
  timeoutMs?: number
  /** Statuses (besides 2xx) the caller handles itself: the response is returned, not thrown. */
  acceptStatus?: (status: number) => boolean
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  /** The URL that answered (after redirects). */
  url: string
}

const MAX_REDIRECTS = 5
const DEFAULT_TIMEOUT_MS = 60_000
const UNREACHABLE_HINT = "Is the cluster up? Try 'dcos cluster up'."

export class HttpClient {
  readonly baseUrl: string
  #token?: string
  #timeoutMs: number
  #sslVerify: boolean | string
  #tls?: https.RequestOptions
  #userAgent: string

  constructor(options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.#token = options.token || undefined
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#sslVerify = options.sslVerify ?? true
    this.#userAgent = options.userAgent ?? 'dcos-cli'
  }

  /** A client for another base URL with the same token, timeout and TLS settings. */
  static forEndpoints(endpoints: ClusterEndpoints, baseUrl: string): HttpClient {
    return new HttpClient({baseUrl, token: endpoints.token, timeoutMs: endpoints.timeoutMs, sslVerify: endpoints.sslVerify})
  }

  withBaseUrl(baseUrl: string): HttpClient {
    return new HttpClient({baseUrl, token: this.#token, timeoutMs: this.#timeoutMs, sslVerify: this.#sslVerify, userAgent: this.#userAgent})
  }

  /** `path` relative to the base URL (or an absolute http(s) URL), plus the query string. */
  url(path: string, query?: Query): string {
    const u = new URL(/^https?:\/\//.test(path) ? path : this.baseUrl + (path.startsWith('/') ? path : '/' + path))
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v))
    return u.toString()
  }

  async getJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.request('GET', path, {...options, headers: {Accept: 'application/json', ...options.headers}})
    return decodeJson<T>(res)
  }

  async postJson<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    const res = await this.request('POST', path, {...options, json: body, headers: {Accept: 'application/json', ...options.headers}})
    return decodeJson<T>(res)
  }

  async postForm(path: string, form: Record<string, string>, options: RequestOptions = {}): Promise<HttpResponse> {
    return this.request('POST', path, {...options, form})
  }

  /** Sends a request; resolves for 2xx, follows GET/HEAD redirects, throws a DcosError otherwise. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse> {
    let url = this.url(path, options.query)
    let sendToken = true
    for (let hop = 0; ; hop++) {
      const res = await this.#send(method, url, options, sendToken)
      const location = res.headers.location
      if (isRedirect(res.status) && location && (method === 'GET' || method === 'HEAD') && hop < MAX_REDIRECTS) {
        const next = new URL(location, url)
        // Never hand the token to another origin (a leader redirect to a different host).
        if (next.origin !== new URL(url).origin) sendToken = false
        url = next.toString()
        continue
      }
      if ((res.status >= 200 && res.status < 300) || options.acceptStatus?.(res.status)) return res
      throw statusError(method, url, res.status, res.body, this.#token)
    }
  }

  #send(method: string, url: string, options: RequestOptions, sendToken: boolean): Promise<HttpResponse> {
    const target = new URL(url)
    const headers: Record<string, string> = {'User-Agent': this.#userAgent, ...options.headers}
    if (this.#token && sendToken) headers.Authorization = `token=${this.#token}`
    let body: Buffer | undefined
    if (options.form) {
      body = Buffer.from(new URLSearchParams(options.form).toString())
      headers['Content-Type'] ??= 'application/x-www-form-urlencoded'
    } else if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json))
      headers['Content-Type'] ??= 'application/json'
    }
    if (body) headers['Content-Length'] = String(body.length)
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs
    const isHttps = target.protocol === 'https:'
    // The CA bundle is read on the first https request only: http clusters never need it.
    if (isHttps) this.#tls ??= tlsOptions(this.#sslVerify)
    const requestOptions: https.RequestOptions = {method, headers, ...(isHttps ? this.#tls : {})}

    return new Promise<HttpResponse>((resolve, reject) => {
      const fail = (err: NodeJS.ErrnoException) => reject(connectionError(err, target, timeoutMs))
      const req = (isHttps ? https : http).request(target, requestOptions, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', fail)
        res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url}))
      })
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), {code: 'DCOS_TIMEOUT'})))
      req.on('error', fail)
      req.end(body)
    })
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308
}

function tlsOptions(verify: boolean | string): https.RequestOptions {
  if (verify === false) return {rejectUnauthorized: false}
  if (verify === true) return {}
  try {
    return {ca: fs.readFileSync(verify)}
  } catch {
    throw new DcosError('CONFIG_INVALID', `cannot read the CA bundle '${verify}' named by core.ssl_verify.`, {
      hint: "Run 'dcos config set core.ssl_verify <true|false|path>'.",
    })
  }
}

/** Decodes a JSON body; a non-JSON answer means the URL is not the API we think it is. */
export function decodeJson<T>(res: HttpResponse): T {
  if (res.body.length === 0) return undefined as T
  try {
    return JSON.parse(res.body.toString('utf8')) as T
  } catch {
    throw new DcosError('BAD_RESPONSE', `${displayUrl(res.url)} did not return JSON.`, {
      hint: 'Check that core.dcos_url points at a DC/OS cluster.',
      status: res.status,
    })
  }
}

/** The URL as shown in messages: no userinfo. */
export function displayUrl(url: string | URL): string {
  const u = new URL(url.toString())
  u.username = ''
  u.password = ''
  return u.toString()
}

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME/

/** Maps a socket-level failure to the one-line message users see. */
export function connectionError(err: NodeJS.ErrnoException, url: URL, timeoutMs: number): DcosError {
  const origin = url.origin
  const code = err.code ?? ''
  if (code === 'DCOS_TIMEOUT') {
    return new DcosError('TIMEOUT', `cannot reach ${origin} (no response within ${Math.round(timeoutMs / 1000)}s).`, {
      hint: "Is the cluster up? The limit is core.timeout ('dcos config set core.timeout <seconds>').",
    })
  }
  if (TLS_CODES.test(code)) {
    return new DcosError('TLS', `TLS error talking to ${origin} (${code}).`, {
      hint: "To configure verification run 'dcos config set core.ssl_verify <true|false|path-to-CA-bundle>'.",
    })
  }
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found',
    ECONNRESET: 'connection reset',
    EPIPE: 'connection reset',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    EADDRNOTAVAIL: 'address not available',
  }
  const reason = reasons[code] ?? (code || (err.message === 'socket hang up' ? 'connection reset' : 'connection failed'))
  return new DcosError('UNREACHABLE', `cannot reach ${origin} (${reason}).`, {hint: UNREACHABLE_HINT})
}

/**
 * Maps a non-2xx answer. 401 is exit 4 (authentication required): "failed" when a token was
 * sent and refused (expired, revoked), "required" when there was none. The rest exit 1.
 */
export function statusError(method: string, url: string, status: number, body: Buffer, token?: string): DcosError {
  if (status === 401) {
    const what = token ? 'authentication failed' : 'authentication required'
    return new DcosError('AUTH_REQUIRED', `${what}, please run 'dcos auth login'`, {exit: ExitCode.auth, status})
  }
  if (status === 403) {
    return new DcosError('FORBIDDEN', 'you are not authorized to perform this operation', {status})
  }
  const reason = http.STATUS_CODES[status] ?? ''
  const message = redact(serverMessage(body), [token])
  const detail = `${method} ${displayUrl(url)} failed: HTTP ${status}${reason ? ' ' + reason : ''}${message ? `: ${message}` : ''}`
  // A 404 without the API's own words (an HTML page, nothing) means the URL is not a cluster's.
  const hint =
    status === 404 && !message ? `Is ${new URL(url).origin} a DC/OS or Mesos cluster? Check 'dcos config show core.dcos_url'.` : undefined
  return new DcosError(status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR', detail, {status, hint})
}

/**
 * The server's own words: Marathon/Cosmos `{"message"}`, `{"error"}`, or Mesos plain text.
 * HTML error pages (proxies) are dropped; long texts are cut.
 */
export function serverMessage(body: Buffer): string {
  const text = body.toString('utf8').trim()
  if (!text || text.startsWith('<')) return ''
  try {
    const json = JSON.parse(text) as Record<string, unknown>
    for (const k of ['message', 'error', 'title', 'description']) {
      if (typeof json?.[k] === 'string' && json[k]) return cut(json[k] as string)
    }
    return cut(text)
  } catch {
    return cut(text)
  }
}

function cut(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim()
  return one.length > 300 ? one.slice(0, 297) + '...' : one
}
