/**
 * The client side of the cluster's ACS API (DC/OS's `/acs/api/v1/auth/*`): list the login
 * providers, trade a uid and password for a token, revoke a token. Also the local admin
 * credential `dcos cluster up` writes, which logs the CLI in with no login step.
 *
 * Failures are DcosErrors that never carry the password or a token: a refused login says only
 * that the username or password is incorrect, never which.
 */
import fs from 'node:fs'
import type {HttpClient, HttpResponse} from '../clients/http'
import {DcosError} from './errors'
import type {Column} from './table'

export const PROVIDERS_PATH = '/acs/api/v1/auth/providers'
export const LOGIN_PATH = '/acs/api/v1/auth/login'
export const LOGOUT_PATH = '/acs/api/v1/auth/logout'
/** The username/password provider every DC/OS cluster offers. */
export const USER_PROVIDER = 'dcos-users'

export interface Provider {
  'authentication-type': string
  'client-method'?: string
  config?: {start_flow_url?: string}
  description?: string
}

export type Providers = Record<string, Provider>

export interface UserCredential {
  uid: string
  password: string
}

/** GET /acs/api/v1/auth/providers; undefined when the cluster has no ACS (auth disabled). */
export async function fetchProviders(http: HttpClient): Promise<Providers | undefined> {
  const res = await http.request('GET', PROVIDERS_PATH, {headers: {Accept: 'application/json'}, acceptStatus: (s) => s === 404})
  if (res.status === 404) return undefined
  const providers = parseJson(res) as Providers | undefined
  if (!providers || typeof providers !== 'object' || Array.isArray(providers)) {
    throw new DcosError('BAD_RESPONSE', `${http.baseUrl}${PROVIDERS_PATH} did not return a map of login providers.`)
  }
  return providers
}

/** `dcos auth list-providers`: PROVIDER ID, AUTHENTICATION TYPE, sorted by id. */
export const providerColumns: Column<[string, Provider]>[] = [
  {header: 'PROVIDER ID', value: ([id]) => id},
  {header: 'AUTHENTICATION TYPE', value: ([, p]) => p['authentication-type']},
]

/**
 * POST /acs/api/v1/auth/login `{uid, password}` → the token. A refused credential (401/403)
 * and rate limiting (429, with Retry-After) are their own errors; so is a cluster without the
 * endpoint.
 */
export async function requestToken(http: HttpClient, credential: UserCredential): Promise<string> {
  const {statusError} = await import('../clients/http')
  const res = await http.request('POST', LOGIN_PATH, {
    json: {uid: credential.uid, password: credential.password},
    headers: {Accept: 'application/json'},
    acceptStatus: (s) => s >= 400,
  })
  if (res.status === 401 || res.status === 403) {
    throw new DcosError('LOGIN_FAILED', 'authentication failed: the username or password is incorrect')
  }
  if (res.status === 429) {
    const seconds = Number.parseInt(String(res.headers['retry-after'] ?? ''), 10)
    const when = Number.isFinite(seconds) && seconds > 0 ? `in ${seconds} second${seconds === 1 ? '' : 's'}` : 'later'
    throw new DcosError('LOGIN_RATE_LIMITED', `too many failed login attempts: try again ${when}`, {status: 429})
  }
  if (res.status === 404) throw authDisabledError(http.baseUrl)
  if (res.status >= 400) throw statusError('POST', res.url, res.status, res.body, credential.password)
  const token = (parseJson(res) as {token?: unknown} | undefined)?.token
  if (typeof token !== 'string' || token === '') {
    throw new DcosError('BAD_RESPONSE', `${http.baseUrl}${LOGIN_PATH} answered without a token.`)
  }
  return token
}

/** POST /acs/api/v1/auth/logout with the token; best effort (the token is dropped locally anyway). */
export async function revokeToken(http: HttpClient): Promise<boolean> {
  try {
    await http.request('POST', LOGOUT_PATH, {timeoutMs: 5_000})
    return true
  } catch {
    return false
  }
}

export function authDisabledError(url: string): DcosError {
  return new DcosError('AUTH_DISABLED', `${url} offers no login: authentication is not enabled on this cluster.`)
}

/**
 * The admin credential a local cluster wrote at its first `up` (a 0600 JSON file
 * `{"uid","password"}`); undefined when it is missing or malformed.
 */
export function readAdminCredential(file: string | undefined): UserCredential | undefined {
  if (!file) return undefined
  try {
    const c = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<UserCredential>
    if (typeof c?.uid === 'string' && c.uid && typeof c.password === 'string' && c.password) return {uid: c.uid, password: c.password}
  } catch {
    // missing or unreadable: no local credential
  }
  return undefined
}

/**
 * `--password-file`: the file's first line (a trailing newline is not part of the password).
 * An unreadable or empty file is an error naming the file, never its content.
 */
export function readPasswordFile(file: string): string {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new DcosError('CREDENTIALS_MISSING', `cannot read the password file '${file}'${code ? ` (${code})` : ''}.`)
  }
  const password = text.split(/\r?\n/, 1)[0]
  if (!password) throw new DcosError('CREDENTIALS_MISSING', `the password file '${file}' is empty.`)
  return password
}

/** `--password-env VAR`: the variable's value; unset or empty is an error naming it. */
export function readPasswordEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]
  if (!value) throw new DcosError('CREDENTIALS_MISSING', `the environment variable ${name} named by --password-env is not set.`)
  return value
}

function parseJson(res: HttpResponse): unknown {
  try {
    return res.body.length ? JSON.parse(res.body.toString('utf8')) : undefined
  } catch {
    return undefined
  }
}
