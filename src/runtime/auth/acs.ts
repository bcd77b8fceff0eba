/**
 * The gateway's ACS: the subset of DC/OS's IAM API a CLI and scripts use.
 *
 *   GET    /acs/api/v1/auth/providers   the login providers (dcos-users, dcos-services); public
 *   POST   /acs/api/v1/auth/login       {"uid","password"} or {"uid","token"} → {"token"}; public
 *   POST   /acs/api/v1/auth/logout      revokes the token presented
 *   GET    /acs/api/v1/users[?type=service]
 *   GET    /acs/api/v1/users/<uid>
 *   PUT    /acs/api/v1/users/<uid>      {"description","password"} a user, {"description","public_key"} a service account
 *   DELETE /acs/api/v1/users/<uid>
 *   GET    /acs/api/v1/auth/jwks        the cluster's RS256 public key as a JWK set; public
 *
 * A service account logs in with a short-lived RS256 JWT `{uid, exp}` signed with its own
 * private key (DC/OS's service login token). Wrong credentials of any kind answer the same 401,
 * whether the uid exists or not, after the same scrypt work and a fixed delay; failures are
 * limited per uid and per client address (./login-limiter). Errors are IAM-shaped
 * `{title, description, code}`; none repeats a password or token it was sent.
 *
 * In-process, the gateway's other services (the package service) get the ACS as
 * `ServiceAccounts`: service accounts for frameworks, each with a fresh key pair whose private
 * half is handed out once, as the DC/OS service credential, and never stored here.
 */
import {createPublicKey} from 'node:crypto'
import {calculateJwkThumbprint} from 'jose'
import type {GatewayAuth} from '../config'
import {HttpError, RawJson, reply, type Handler, type Request, type Router} from '../http'
import type {Logger} from '../log'
import {authenticate, iamError} from './guard'
import {LoginLimiter, type LoginLimits} from './login-limiter'
import {hashPassword, verifyPassword} from './passwords'
import {DEFAULT_TOKEN_LIFETIME_S, generateSigningKeys, MAX_TOKEN_CHARS, rsaPublicKey, TokenIssuer, TokenVerifier, verifyJwt, type VerifiedToken} from './tokens'
import {Users, type UserRecord} from './users'

export const ACS_PREFIX = '/acs/api/v1'
export const LOGIN_PATH = `${ACS_PREFIX}/auth/login`
export const PROVIDERS_PATH = `${ACS_PREFIX}/auth/providers`
export const JWKS_PATH = `${ACS_PREFIX}/auth/jwks`

/**
 * DC/OS's service account credential (what `dcos security org service-accounts create` + `dcos
 * security secrets create-sa-secret` store, and frameworks read from the secret in
 * DCOS_SERVICE_ACCOUNT_CREDENTIAL): log in at `login_endpoint` with `{uid, token}`, the token an
 * RS256 JWT `{uid, exp}` signed with `private_key`.
 */
export interface ServiceCredential {
  scheme: 'RS256'
  uid: string
  /** PEM, PKCS#8. */
  private_key: string
  /** `<gateway URL>/acs/api/v1/auth/login`. */
  login_endpoint: string
}

/**
 * Service accounts for frameworks, for the gateway's in-process services (the package service).
 * Implemented by `Acs`; there is none when auth is off (frameworks then run without credentials).
 *
 *   provisionServiceAccount(uid: string, description: string): Promise<ServiceCredential>
 *     Creates the service account `uid` (DC/OS uid rule: 1-96 of [A-Za-z0-9@._-]) with a fresh
 *     RSA-2048 key pair; stores only the public key and returns the credential with the private
 *     key (the only copy: store it as a secret, e.g. `SecretStore.put(path, JSON.stringify(c))`).
 *     An existing service account of that uid gets a new key (its old credential stops working:
 *     reinstalls are idempotent). Rejects (Error) for an invalid uid or a uid held by a user.
 *   removeServiceAccount(uid: string): Promise<boolean>
 *     Deletes the service account; false when there was none. Rejects for a uid held by a user.
 *     Tokens it already got stay valid until they expire (as for any deleted account).
 */
export interface ServiceAccounts {
  provisionServiceAccount(uid: string, description: string): Promise<ServiceCredential>
  removeServiceAccount(uid: string): Promise<boolean>
}

/** DC/OS IAM's uid rule. */
const UID = /^[A-Za-z0-9@._-]{1,96}$/
const MAX_PASSWORD_CHARS = 1024
const MAX_DESCRIPTION_CHARS = 512
const MAX_LOGIN_BODY_BYTES = 16 * 1024
const DEFAULT_FAILURE_DELAY_MS = 200

const INVALID_CREDENTIALS = 'The UID or password is invalid.'
const INVALID_SERVICE_CREDENTIALS = 'The UID or service login token is invalid.'

const PROVIDERS = new RawJson(
  JSON.stringify({
    'dcos-users': {
      'authentication-type': 'dcos-uid-password',
      'client-method': 'dcos-usercredential-post-receive-authtoken',
      'config': {start_flow_url: LOGIN_PATH},
      'description': 'Log in using a standard DC/OS user account (username and password)',
    },
    'dcos-services': {
      'authentication-type': 'dcos-uid-servicekey',
      'client-method': 'dcos-servicecredential-post-receive-authtoken',
      'config': {start_flow_url: LOGIN_PATH},
      'description': 'Log in using a DC/OS service user account (username and private key)',
    },
  }),
)

export interface AcsDeps {
  log: Logger
  /** Epoch ms; tests pass their own clock. */
  now?: () => number
  limits?: Partial<LoginLimits>
  /** Every failed login waits this long before it is answered. */
  failureDelayMs?: number
  tokenLifetimeS?: number
}

type Credentials = {uid: string; password: string} | {uid: string; token: string}

export class Acs implements ServiceAccounts {
  #issuer: TokenIssuer
  #verifier: TokenVerifier
  #users: Users
  #limiter: LoginLimiter
  #log: Logger
  #now: () => number
  #failureDelayMs: number
  #lifetimeS: number
  /** Uids whose creation is under way (hashing, writing): a second PUT for one is a 409 too. */
  #creating = new Set<string>()
  #jwks: RawJson
  /** The gateway's own URL, for login endpoints handed out (set once it listens). */
  #url = ''

  private constructor(auth: GatewayAuth, users: Users, deps: AcsDeps, jwks: RawJson) {
    this.#jwks = jwks
    this.#now = deps.now ?? Date.now
    this.#issuer = new TokenIssuer(auth.privateKey, this.#now)
    this.#verifier = new TokenVerifier(auth.publicKey, {now: this.#now})
    this.#users = users
    this.#limiter = new LoginLimiter(deps.limits, this.#now)
    this.#log = deps.log
    this.#failureDelayMs = deps.failureDelayMs ?? DEFAULT_FAILURE_DELAY_MS
    this.#lifetimeS = deps.tokenLifetimeS ?? DEFAULT_TOKEN_LIFETIME_S
  }

  /** Opens the users store, (re)creates the bootstrap users, forgets expired revocations. */
  static async open(auth: GatewayAuth, deps: AcsDeps): Promise<Acs> {
    const users = Users.open(auth.usersDir)
    try {
      const now = deps.now ?? Date.now
      for (const b of auth.bootstrapUsers ?? []) {
        const created = users.get(b.uid)?.created ?? new Date(now()).toISOString()
        await users.put({uid: b.uid, description: b.description, password_hash: b.passwordHash, created})
      }
      await users.pruneRevoked(now() / 1000)
      return new Acs(auth, users, deps, await jwksOf(auth.publicKey))
    } catch (error) {
      await users.close()
      throw error
    }
  }

  /** The verified token of `req` (not revoked here); throws the 401 otherwise. */
  async authenticate(req: Request): Promise<VerifiedToken> {
    return (await this.#authenticate(req)).verified
  }

  #authenticate(req: Request): Promise<{token: string; verified: VerifiedToken}> {
    return authenticate(req, this.#verifier, (token) => this.#users.isRevoked(token))
  }

  mount(router: Router): void {
    const iam = (handler: Handler): Handler => async (req) => {
      try {
        return await handler(req)
      } catch (error) {
        if (error instanceof HttpError && error.body === undefined) throw iamError(error.status, titleOf(error.status), error.message, 'ERR_INVALID_DATA', error.headers)
        throw error
      }
    }
    router.get(PROVIDERS_PATH, () => PROVIDERS)
    router.get(JWKS_PATH, () => this.#jwks)
    router.post(LOGIN_PATH, iam((req) => this.#login(req)))
    router.post(`${ACS_PREFIX}/auth/logout`, iam((req) => this.#logout(req)))
    router.get(`${ACS_PREFIX}/users`, iam((req) => this.#listUsers(req)))
    router.get(`${ACS_PREFIX}/users/:uid`, iam((req) => userView(this.#user(req.params.uid))))
    router.put(`${ACS_PREFIX}/users/:uid`, iam((req) => this.#createUser(req)))
    router.delete(`${ACS_PREFIX}/users/:uid`, iam((req) => this.#deleteUser(req)))
  }

  close(): Promise<void> {
    return this.#users.close()
  }

  /** The gateway's URL as tasks reach it: login endpoints of credentials point there. */
  setUrl(url: string): void {
    this.#url = url.replace(/\/+$/, '')
  }

  async provisionServiceAccount(uid: string, description: string): Promise<ServiceCredential> {
    if (typeof uid !== 'string' || !UID.test(uid)) throw new Error(`invalid service account uid '${printable(String(uid))}': 1 to 96 characters of letters, digits, @, ., _ and -`)
    if (this.#creating.has(uid)) throw new Error(`service account '${uid}' is being created`)
    const existing = this.#users.get(uid)
    if (existing && existing.public_key === undefined) throw new Error(`uid '${uid}' is a user account, not a service account`)
    this.#creating.add(uid)
    try {
      const keys = await generateSigningKeys()
      const created = existing?.created ?? new Date(this.#now()).toISOString()
      await this.#users.put({uid, description: String(description ?? '').slice(0, MAX_DESCRIPTION_CHARS), public_key: keys.publicKey, created})
      this.#log.info(`${existing ? 'renewed the key of' : 'provisioned'} service account '${uid}'`)
      return {scheme: 'RS256', uid, private_key: keys.privateKey, login_endpoint: `${this.#url}${LOGIN_PATH}`}
    } finally {
      this.#creating.delete(uid)
    }
  }

  async removeServiceAccount(uid: string): Promise<boolean> {
    const user = typeof uid === 'string' && UID.test(uid) ? this.#users.get(uid) : undefined
    if (!user) return false
    if (user.public_key === undefined) throw new Error(`uid '${uid}' is a user account, not a service account`)
    await this.#users.delete(uid)
    this.#log.info(`removed service account '${uid}'`)
    return true
  }

  /**
   * May the caller use the Secrets API? Users and the cluster's components may; service
   * accounts of frameworks may not (one framework's token must not read another's credential).
   */
  async authorizeSecrets(req: Request): Promise<void> {
    const {uid} = await this.authenticate(req)
    if (this.#users.get(uid)?.public_key !== undefined)
      throw iamError(403, 'Forbidden', `Service account '${uid}' may not use the secrets API.`, 'ERR_FORBIDDEN')
  }

  async #login(req: Request): Promise<unknown> {
    const credentials = await loginCredentials(req)
    const {uid} = credentials
    const client = req.raw.socket.remoteAddress ?? 'unknown'
    const keys = [`uid:${uid}`, `addr:${client}`]
    const waitMs = this.#limiter.retryAfterMs(keys)
    if (waitMs > 0) {
      this.#log.warn(`refused a login for uid '${uid}' from ${client}: too many failed attempts`)
      const seconds = Math.max(1, Math.ceil(waitMs / 1000))
      throw iamError(429, 'Too Many Requests', `Too many failed login attempts. Try again in ${seconds} s.`, 'ERR_TOO_MANY_LOGIN_ATTEMPTS', {
        'Retry-After': String(seconds),
      })
    }
    const charge = this.#limiter.charge(keys)
    const user = this.#users.get(uid)
    const valid = 'password' in credentials ? await verifyPassword(credentials.password, user?.password_hash) : await this.#serviceLoginValid(uid, credentials.token, user)
    if (!valid) {
      this.#log.warn(`failed login for uid '${uid}' from ${client}`)
      await new Promise((resolve) => setTimeout(resolve, this.#failureDelayMs))
      const description = 'password' in credentials ? INVALID_CREDENTIALS : INVALID_SERVICE_CREDENTIALS
      throw iamError(401, 'Unauthorized', description, 'ERR_INVALID_CREDENTIALS', {'WWW-Authenticate': 'acsjwt'})
    }
    charge.forgive()
    this.#limiter.succeeded(`uid:${uid}`)
    this.#log.info(`uid '${uid}' logged in from ${client}`)
    return {token: await this.#issuer.sign(uid, this.#lifetimeS)}
  }

  async #serviceLoginValid(uid: string, loginToken: string, user: UserRecord | undefined): Promise<boolean> {
    if (!user?.public_key) return false
    let key
    try {
      key = rsaPublicKey(user.public_key)
    } catch {
      return false
    }
    const result = await verifyJwt(loginToken, key, this.#now())
    return result.ok && result.token.uid === uid
  }

  async #logout(req: Request): Promise<unknown> {
    const {token, verified} = await this.#authenticate(req)
    await this.#users.revoke(token, verified.exp)
    await this.#users.pruneRevoked(this.#now() / 1000)
    this.#log.info(`uid '${verified.uid}' logged out`)
    return reply(204)
  }

  #listUsers(req: Request): unknown {
    const type = req.query.get('type')
    const users = this.#users.list().filter((u) => (type === 'service' ? u.public_key !== undefined : type === null || u.public_key === undefined))
    return {array: users.sort((a, b) => a.uid.localeCompare(b.uid)).map(userView)}
  }

  #user(uid: string): UserRecord {
    const user = UID.test(uid) ? this.#users.get(uid) : undefined
    if (!user) throw iamError(400, 'Bad Request', `User with uid \`${printable(uid)}\` not known.`, 'ERR_UNKNOWN_USER_ID')
    return user
  }

  async #createUser(req: Request): Promise<unknown> {
    const uid = req.params.uid
    if (!UID.test(uid)) throw invalidData('The uid must be 1 to 96 characters of letters, digits, @, ., _ and -.')
    const body = await jsonObject(req)
    const description = optionalString(body, 'description', MAX_DESCRIPTION_CHARS) ?? ''
    const password = optionalString(body, 'password', MAX_PASSWORD_CHARS)
    const publicKey = optionalString(body, 'public_key', MAX_TOKEN_CHARS)
    if ((password === undefined) === (publicKey === undefined)) {
      throw invalidData('Give exactly one of `password` (a user) or `public_key` (a service account).')
    }
    if (password === '') throw invalidData('The password must not be empty.')
    if (publicKey !== undefined) {
      try {
        rsaPublicKey(publicKey)
      } catch {
        throw invalidData('`public_key` must be an RSA public key in PEM format.')
      }
    }
    if (this.#users.get(uid) || this.#creating.has(uid)) throw iamError(409, 'Conflict', `User with uid \`${uid}\` already exists.`, 'ERR_USER_EXISTS')
    this.#creating.add(uid)
    try {
      const record: UserRecord = {uid, description, created: new Date(this.#now()).toISOString()}
      if (password !== undefined) record.password_hash = await hashPassword(password)
      else record.public_key = publicKey
      await this.#users.put(record)
    } finally {
      this.#creating.delete(uid)
    }
    this.#log.info(`created ${publicKey !== undefined ? 'service account' : 'user'} '${uid}'`)
    return reply(201)
  }

  async #deleteUser(req: Request): Promise<unknown> {
    const user = this.#user(req.params.uid)
    await this.#users.delete(user.uid)
    this.#log.info(`deleted user '${user.uid}'`)
    return reply(204)
  }
}

/** The JWK set of the cluster's public key (DC/OS's /acs/api/v1/auth/jwks), kid its RFC 7638 thumbprint. */
async function jwksOf(publicKeyPem: string): Promise<RawJson> {
  const jwk = createPublicKey(publicKeyPem).export({format: 'jwk'}) as {kty: string; n: string; e: string}
  const kid = await calculateJwkThumbprint({kty: jwk.kty, n: jwk.n, e: jwk.e})
  return new RawJson(JSON.stringify({keys: [{kty: jwk.kty, alg: 'RS256', use: 'sig', kid, n: jwk.n, e: jwk.e}]}))
}

/** A login body: JSON only, small, a valid uid and exactly one of password and token. */
async function loginCredentials(req: Request): Promise<Credentials> {
  const body = await jsonObject(req, MAX_LOGIN_BODY_BYTES)
  const uid = body.uid
  if (typeof uid !== 'string' || !UID.test(uid)) throw invalidData('`uid` must be 1 to 96 characters of letters, digits, @, ., _ and -.')
  const password = optionalString(body, 'password', MAX_PASSWORD_CHARS)
  const token = optionalString(body, 'token', MAX_TOKEN_CHARS)
  if ((password === undefined) === (token === undefined)) {
    throw invalidData('Give exactly one of `password` (a user) or `token` (a service login token).')
  }
  return password !== undefined ? {uid, password} : {uid, token: token!}
}

/**
 * The body as a JSON object. Parse errors get a fixed message: the parser's own would quote the
 * body, and the body may hold a password.
 */
async function jsonObject(req: Request, maxBytes?: number): Promise<Record<string, unknown>> {
  const type = req.header('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw iamError(415, 'Unsupported Media Type', 'The request body must be JSON (Content-Type: application/json).', 'ERR_INVALID_DATA')
  }
  const raw = await req.body()
  if (maxBytes !== undefined && raw.length > maxBytes) throw iamError(413, 'Payload Too Large', `The request body exceeds ${maxBytes} bytes.`, 'ERR_INVALID_DATA')
  let body: unknown
  try {
    body = JSON.parse(raw.toString('utf8'))
  } catch {
    throw invalidData('The request body is not valid JSON.')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidData('The request body must be a JSON object.')
  return body as Record<string, unknown>
}

function optionalString(body: Record<string, unknown>, name: string, maxChars: number): string | undefined {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw invalidData(`\`${name}\` must be a string.`)
  if (value.length > maxChars) throw invalidData(`\`${name}\` is longer than ${maxChars} characters.`)
  return value
}

function invalidData(description: string): HttpError {
  return iamError(400, 'Bad Request', description, 'ERR_INVALID_DATA')
}

function userView(user: UserRecord): Record<string, unknown> {
  const isService = user.public_key !== undefined
  return {
    uid: user.uid,
    url: `${ACS_PREFIX}/users/${user.uid}`,
    description: user.description,
    is_remote: false,
    is_service: isService,
    provider_type: 'internal',
    provider_id: '',
    ...(isService ? {public_key: user.public_key} : {}),
  }
}

/** A uid from a request, safe to quote in an error (no control characters, bounded). */
function printable(uid: string): string {
  // eslint-disable-next-line no-control-regex
  return uid.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 100)
}

function titleOf(status: number): string {
  const titles: Record<number, string> = {400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large'}
  return titles[status] ?? 'Error'
}
