/**
 * Authentication for frameworks that run as Marathon apps (Chronos, ...), as DC/OS strict mode
 * has it: the package's service account credential arrives in the environment variable
 * DCOS_SERVICE_ACCOUNT_CREDENTIAL (a Marathon secret: `{"scheme":"RS256","uid","private_key",
 * "login_endpoint"}`), and the framework
 *
 * - logs in at `login_endpoint` with a service login token (an RS256 JWT `{uid, exp}` signed with
 *   `private_key`, valid for a few minutes), keeps the cluster token it gets and logs in again
 *   well before that expires (`ServiceAuth`; its `headers` is what the shared driver's `headers`
 *   option takes: `new SchedulerDriver({..., headers: auth.headers})`);
 * - checks the `Authorization: token=<jwt>` of requests to its own API against the cluster's
 *   public key, read from the ACS's JWKS (`/acs/api/v1/auth/jwks`, beside the login endpoint)
 *   and cached (`RequestVerifier`).
 *
 * Without the variable (a cluster started with `--no-auth`) there is no auth: `frameworkAuth`
 * gives headers `{}` and lets every request in. Neither the credential nor any token is ever
 * logged or put in an error message.
 *
 *   const auth = await frameworkAuth({log})            // logs in (throws if it cannot)
 *   new SchedulerDriver({masterUrl, frameworkInfo, headers: auth.headers})
 *   server: const check = await auth.verify(req.headers.authorization)
 *           if (!check.ok) → reply check.status with check.body
 *   shutdown: auth.stop()
 */
import {createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet} from 'jose'
import {signToken} from '../runtime/auth/tokens'
import {silentLogger, type Logger} from '../runtime/log'

export const CREDENTIAL_ENV = 'DCOS_SERVICE_ACCOUNT_CREDENTIAL'

/** DC/OS's service account credential. */
export interface ServiceCredential {
  scheme: 'RS256'
  uid: string
  /** PEM. */
  private_key: string
  /** `<cluster URL>/acs/api/v1/auth/login`. */
  login_endpoint: string
}

/** How long a service login token is valid (it is used once, right away). */
const LOGIN_TOKEN_LIFETIME_S = 5 * 60
const REQUEST_TIMEOUT_MS = 10_000
const RETRY_MIN_MS = 1_000
const RETRY_MAX_MS = 60_000
/** Log in again once this share of the token's life has passed (or 10 minutes before it ends). */
const REFRESH_AT = 0.8
const REFRESH_MARGIN_MS = 10 * 60_000
/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * The credential in `env[DCOS_SERVICE_ACCOUNT_CREDENTIAL]`, or undefined when it is not set.
 * A value that is not a credential throws (without quoting it).
 */
export function credentialFromEnv(env: NodeJS.ProcessEnv = process.env): ServiceCredential | undefined {
  const raw = env[CREDENTIAL_ENV]
  if (raw === undefined || raw.trim() === '') return undefined
  let c: unknown
  try {
    c = JSON.parse(raw)
  } catch {
    throw new Error(`${CREDENTIAL_ENV} is not JSON: it must be a service account credential {"scheme","uid","private_key","login_endpoint"}`)
  }
  const o = (typeof c === 'object' && c !== null ? c : {}) as Record<string, unknown>
  const missing = ['uid', 'private_key', 'login_endpoint'].filter((k) => typeof o[k] !== 'string' || o[k] === '')
  if (missing.length) throw new Error(`${CREDENTIAL_ENV} lacks ${missing.join(', ')}: it must be a service account credential`)
  if (o.scheme !== undefined && o.scheme !== 'RS256') throw new Error(`${CREDENTIAL_ENV} has scheme '${String(o.scheme).slice(0, 20)}'; only RS256 is supported`)
  try {
    new URL(o.login_endpoint as string)
  } catch {
    throw new Error(`${CREDENTIAL_ENV}'s login_endpoint is not a URL`)
  }
  return {scheme: 'RS256', uid: o.uid as string, private_key: o.private_key as string, login_endpoint: o.login_endpoint as string}
}

/** The JWKS URL of the ACS a credential logs in at (`.../auth/login` → `.../auth/jwks`). */
export function jwksUrlOf(credential: ServiceCredential): string {
  const url = new URL(credential.login_endpoint)
  url.pathname = url.pathname.replace(/\/auth\/login\/?$/, '/auth/jwks')
  url.search = ''
  return url.toString()
}

export interface ServiceAuthOptions {
  log?: Logger
  /** Epoch ms. */
  now?: () => number
  fetch?: typeof fetch
}

/** A service account's session: logs in, keeps its token fresh, and gives the header to send. */
export class ServiceAuth {
  readonly #credential: ServiceCredential
  readonly #log: Logger
  readonly #now: () => number
  readonly #fetch: typeof fetch
  #token?: {value: string; exp: number; issuedAt: number}
  #timer?: NodeJS.Timeout
  #retryMs = RETRY_MIN_MS
  #stopped = false

  constructor(credential: ServiceCredential, opts: ServiceAuthOptions = {}) {
    this.#credential = credential
    this.#log = opts.log ?? silentLogger
    this.#now = opts.now ?? Date.now
    this.#fetch = opts.fetch ?? fetch
  }

  get uid(): string {
    return this.#credential.uid
  }

  /** Logs in (rejects when the ACS refuses or cannot be reached), then keeps the token fresh. */
  async start(): Promise<void> {
    await this.#login()
    this.#schedule()
  }

  /**
   * `{Authorization: "token=<jwt>"}` while a token is held (and unexpired), else `{}`. A bound
   * function: pass it as it is (`headers: auth.headers`); each call gives the current token.
   */
  readonly headers = (): Record<string, string> => {
    const t = this.#token
    return t && t.exp * 1000 > this.#now() ? {Authorization: `token=${t.value}`} : {}
  }

  /** The current token, for callers that build their own requests. */
  token(): string | undefined {
    return this.headers().Authorization?.slice('token='.length)
  }

  stop(): void {
    this.#stopped = true
    clearTimeout(this.#timer)
  }

  async #login(): Promise<void> {
    const c = this.#credential
    const loginToken = await signToken(c.private_key, c.uid, Math.floor(this.#now() / 1000) + LOGIN_TOKEN_LIFETIME_S)
    let res: Response
    try {
      res = await this.#fetch(c.login_endpoint, {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({uid: c.uid, token: loginToken}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      })
    } catch (error) {
      throw new Error(`service account '${c.uid}' cannot reach its login endpoint ${c.login_endpoint}: ${(error as Error).message}`)
    }
    const body = (await res.json().catch(() => undefined)) as {token?: unknown; description?: unknown} | undefined
    if (!res.ok || typeof body?.token !== 'string') {
      const why = typeof body?.description === 'string' ? `: ${body.description.slice(0, 200)}` : ''
      throw new Error(`service account '${c.uid}' could not log in at ${c.login_endpoint} (HTTP ${res.status})${why}`)
    }
    const {exp} = decodeJwt(body.token)
    if (typeof exp !== 'number') throw new Error(`the token service account '${c.uid}' got has no expiry`)
    this.#token = {value: body.token, exp, issuedAt: this.#now()}
    this.#log.info(`service account '${c.uid}' logged in; the token expires at ${new Date(exp * 1000).toISOString()}`)
  }

  #schedule(delayMs?: number): void {
    if (this.#stopped) return
    const t = this.#token!
    const life = t.exp * 1000 - t.issuedAt
    const due = delayMs ?? Math.max(RETRY_MIN_MS, Math.min(t.issuedAt + life * REFRESH_AT, t.exp * 1000 - REFRESH_MARGIN_MS) - this.#now())
    this.#timer = setTimeout(() => void this.#refresh(), Math.min(due, MAX_TIMER_MS))
    this.#timer.unref()
  }

  async #refresh(): Promise<void> {
    if (this.#stopped) return
    try {
      await this.#login()
      this.#retryMs = RETRY_MIN_MS
      this.#schedule()
    } catch (error) {
      this.#log.warn(`${(error as Error).message}; retrying in ${this.#retryMs} ms`)
      this.#schedule(this.#retryMs)
      this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS)
    }
  }
}

export type Verdict = {ok: true; uid?: string} | {ok: false; status: 401; body: {title: string; description: string; code: string}; headers: Record<string, string>}

export interface RequestVerifierOptions {
  now?: () => number
  fetch?: typeof fetch
  /** How long a fetched key set is used before it is fetched again. */
  cacheMs?: number
}

const JWKS_CACHE_MS = 10 * 60_000
/** An unknown key refetches the set at most this often (a forged token must not hammer the ACS). */
const JWKS_COOLDOWN_MS = 30_000
const VERIFIED_CACHE_SIZE = 1024
const MAX_TOKEN_CHARS = 8 * 1024

/**
 * Checks `Authorization: token=<jwt>` of requests to a framework's own API: an RS256 JWT with
 * `uid` and `exp`, signed by the cluster (its key from the ACS's JWKS, cached). Verified tokens
 * are remembered until they expire, so the hot path is a map lookup.
 */
export class RequestVerifier {
  readonly #url: string
  readonly #now: () => number
  readonly #fetch: typeof fetch
  readonly #cacheMs: number
  #keys?: {set: ReturnType<typeof createLocalJWKSet>; at: number}
  #loading?: Promise<void>
  #verified = new Map<string, {uid: string; exp: number}>()

  constructor(jwksUrl: string, opts: RequestVerifierOptions = {}) {
    this.#url = jwksUrl
    this.#now = opts.now ?? Date.now
    this.#fetch = opts.fetch ?? fetch
    this.#cacheMs = opts.cacheMs ?? JWKS_CACHE_MS
  }

  /** The verdict on a request's Authorization header. */
  async verify(authorization: string | string[] | undefined): Promise<Verdict> {
    const header = Array.isArray(authorization) ? authorization[0] : authorization
    if (!header || header.trim() === '') return refuse('ERR_MISSING_AUTH_TOKEN', 'The request has no authentication token: send `Authorization: token=<token>`.')
    const token = /^token=(\S+)$/i.exec(header.trim())?.[1]
    if (!token || token.length > MAX_TOKEN_CHARS) return refuse('ERR_INVALID_AUTH_TOKEN', 'The authentication token is invalid.')
    const now = this.#now()
    const hit = this.#verified.get(token)
    if (hit) {
      if (hit.exp * 1000 > now) return {ok: true, uid: hit.uid}
      this.#verified.delete(token)
      return refuse('ERR_INVALID_AUTH_TOKEN', 'The authentication token has expired.')
    }
    let result = await this.#check(token, now, false)
    if (result === 'unknown-key') result = await this.#check(token, now, true)
    if (typeof result === 'string') {
      const description = result === 'expired' ? 'The authentication token has expired.' : result === 'unavailable' ? 'The cluster key to check the token is not available; try again.' : 'The authentication token is invalid.'
      return refuse('ERR_INVALID_AUTH_TOKEN', description)
    }
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.delete(this.#verified.keys().next().value as string)
    this.#verified.set(token, result)
    return {ok: true, uid: result.uid}
  }

  async #check(token: string, now: number, reload: boolean): Promise<{uid: string; exp: number} | 'invalid' | 'expired' | 'unknown-key' | 'unavailable'> {
    try {
      await this.#load(now, reload)
    } catch {
      return 'unavailable'
    }
    try {
      const {payload} = await jwtVerify(token, this.#keys!.set, {algorithms: ['RS256'], requiredClaims: ['exp'], currentDate: new Date(now)})
      if (typeof payload.uid !== 'string' || payload.uid === '' || typeof payload.exp !== 'number') return 'invalid'
      return {uid: payload.uid, exp: payload.exp}
    } catch (error) {
      const code = (error as {code?: string}).code
      if (code === 'ERR_JWT_EXPIRED') return 'expired'
      if (!reload && (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') && now - this.#keys!.at >= JWKS_COOLDOWN_MS) return 'unknown-key'
      return 'invalid'
    }
  }

  async #load(now: number, force: boolean): Promise<void> {
    if (this.#keys && !force && now - this.#keys.at < this.#cacheMs) return
    this.#loading ??= (async () => {
      const res = await this.#fetch(this.#url, {signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)})
      if (!res.ok) throw new Error(`GET ${this.#url}: HTTP ${res.status}`)
      const jwks = (await res.json()) as JSONWebKeySet
      this.#keys = {set: createLocalJWKSet(jwks), at: this.#now()}
    })().finally(() => (this.#loading = undefined))
    try {
      await this.#loading
    } catch (error) {
      // A set we have stays in use while the ACS cannot be reached.
      if (!this.#keys) throw error
    }
  }
}

function refuse(code: string, description: string): Verdict {
  return {ok: false, status: 401, body: {title: 'Unauthorized', description, code}, headers: {'WWW-Authenticate': 'acsjwt'}}
}

/** What a framework needs: headers for its calls, a check for requests to it, and stop(). */
export interface FrameworkAuth {
  /** The service account's uid; undefined without auth. */
  uid?: string
  /** For the driver's `headers` option and any other call to the cluster. */
  headers: () => Record<string, string>
  verify: (authorization: string | string[] | undefined) => Promise<Verdict>
  stop: () => void
}

/**
 * The framework's auth from its environment: logged in (rejects when the credential is
 * malformed or the login fails), or none when DCOS_SERVICE_ACCOUNT_CREDENTIAL is not set.
 */
export async function frameworkAuth(opts: ServiceAuthOptions & {env?: NodeJS.ProcessEnv} = {}): Promise<FrameworkAuth> {
  const credential = credentialFromEnv(opts.env)
  if (!credential) return {headers: () => ({}), verify: async () => ({ok: true}), stop: () => {}}
  const auth = new ServiceAuth(credential, opts)
  await auth.start()
  const verifier = new RequestVerifier(jwksUrlOf(credential), opts)
  return {uid: credential.uid, headers: auth.headers, verify: (h) => verifier.verify(h), stop: () => auth.stop()}
}
