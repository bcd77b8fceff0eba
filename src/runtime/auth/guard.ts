/**
 * The HTTP side of authentication, shared by every server of the cluster: errors in DC/OS's IAM
 * shape, the check each server's `before` hook makes, and the header its own calls carry.
 *
 * A request without `Authorization: token=<jwt>` is a 401 `ERR_MISSING_AUTH_TOKEN`; one whose
 * token is malformed, forged, expired (or, at the gateway, revoked) a 401 `ERR_INVALID_AUTH_TOKEN`.
 * Both carry `WWW-Authenticate: acsjwt`, which is how DC/OS CLIs recognise a cluster that wants a
 * `dcos auth login`. No error names the token it refused.
 */
import {isIP} from 'node:net'
import type {ComponentAuth} from '../config'
import {HttpError, type Request} from '../http'
import {authorization, tokenFromAuthorization, TokenVerifier, type VerifiedToken} from './tokens'

/** DC/OS IAM's error body. */
export interface IamError {
  title: string
  description: string
  code: string
}

export function iamError(status: number, title: string, description: string, code: string, headers: Record<string, string> = {}): HttpError {
  const body: IamError = {title, description, code}
  return new HttpError(status, description, body, headers)
}

export function unauthorized(code: 'ERR_MISSING_AUTH_TOKEN' | 'ERR_INVALID_AUTH_TOKEN', description: string): HttpError {
  return iamError(401, 'Unauthorized', description, code, {'WWW-Authenticate': 'acsjwt'})
}

const MISSING = 'The request has no authentication token: send `Authorization: token=<token>` (run `dcos auth login` to get one).'
const INVALID = 'The authentication token is invalid (run `dcos auth login` for a new one).'
const EXPIRED = 'The authentication token has expired (run `dcos auth login` for a new one).'
const REVOKED = 'The authentication token was revoked by a logout (run `dcos auth login` for a new one).'

/**
 * The token `req` presents, verified; throws the 401 otherwise. `isRevoked` is the issuer's
 * own knowledge (the gateway's logouts); components have none and pass nothing.
 */
export async function authenticate(req: Request, verifier: TokenVerifier, isRevoked?: (token: string) => boolean): Promise<{token: string; verified: VerifiedToken}> {
  const header = req.header('authorization')
  if (header === undefined || header.trim() === '') throw unauthorized('ERR_MISSING_AUTH_TOKEN', MISSING)
  const token = tokenFromAuthorization(header)
  if (token === undefined) throw unauthorized('ERR_INVALID_AUTH_TOKEN', INVALID)
  const result = await verifier.verify(token)
  if (!result.ok) throw unauthorized('ERR_INVALID_AUTH_TOKEN', result.reason === 'expired' ? EXPIRED : INVALID)
  if (isRevoked?.(token)) throw unauthorized('ERR_INVALID_AUTH_TOKEN', REVOKED)
  return {token, verified: result.token}
}

/** Paths under `prefix` only the listed uids may call (e.g. the agent protocol: only the master's token). */
export interface PrivatePaths {
  prefix: string
  uids: readonly string[]
}

/**
 * A component server's `before` check: every request needs a valid token except those to the
 * `publicPaths` (exact paths, e.g. `/health` for the supervisor's probe), and requests under a
 * private prefix need one of its service uids: a user's token, however valid, is a 403 there (the
 * gateway forwards users' tokens as they are, so `/agent/<id>/internal/...` is refused too).
 * Without `auth` (tests, `--no-auth`) it lets everything through.
 */
export function componentGuard(auth: ComponentAuth | undefined, publicPaths: string[], privatePaths?: PrivatePaths): (req: Request) => Promise<void> | void {
  if (!auth) return () => {}
  const verifier = new TokenVerifier(auth.publicKey)
  const open = new Set(publicPaths.map(normalizePath))
  const prefix = privatePaths && normalizePath(privatePaths.prefix)
  return async (req) => {
    const path = normalizePath(req.path)
    if (open.has(path)) return
    const {verified} = await authenticate(req, verifier)
    if (prefix && (path === prefix || path.startsWith(prefix + '/')) && !privatePaths!.uids.includes(verified.uid))
      throw iamError(403, 'Forbidden', `${prefix} is the cluster's internal protocol: only its components may call it.`, 'ERR_FORBIDDEN')
  }
}

/**
 * A path as the Router sees it: runs of slashes are one separator and a trailing one does not
 * count, so `//health/` is `/health` here exactly when it is for routing.
 */
export function normalizePath(path: string): string {
  return '/' + path.split('/').filter(Boolean).join('/')
}

/** The headers a component's own calls carry: its service token, when auth is on. */
export function serviceHeaders(auth: ComponentAuth | undefined): Record<string, string> {
  return auth ? {Authorization: authorization(auth.token)} : {}
}

/** 127.0.0.0/8, ::1 and localhost: the only addresses a server may bind without auth. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}
