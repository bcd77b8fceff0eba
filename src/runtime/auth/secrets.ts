/**
 * The cluster's secret store, kept by the gateway next to its ACS, and the subset of DC/OS's
 * Secrets API that serves it (store `default` only):
 *
 *   PUT    /secrets/v1/secret/default/<path>              {"value": "..."} → 201; 409 if it exists
 *   PATCH  /secrets/v1/secret/default/<path>              {"value": "..."} → 204; 404 if it does not
 *   GET    /secrets/v1/secret/default/<path>              → {"value": "..."}
 *   DELETE /secrets/v1/secret/default/<path>              → 204
 *   GET    /secrets/v1/secret/default/[<prefix>]?list=true → {"array": [paths under prefix, relative to it]}
 *
 * A path is 1-16 `/`-separated segments of letters, digits, `.`, `_` and `-` (no `.` or `..`
 * segment), at most 512 characters; values are strings of at most 64 KiB. Errors are DC/OS's
 * `{"code","message"}`; none repeats a value it was sent. With auth on the gateway has already
 * checked the token; `authorize` (the ACS's) may refuse more.
 *
 * Durability: a Store in a 0700 directory with 0600 files (`private`). Values are kept as they
 * are given: the store's protection is the file mode, as for the signing keys.
 */
import fs from 'node:fs'
import {HttpError, reply, type Request, type Router} from '../http'
import type {Logger} from '../log'
import {Store} from '../store'

export const SECRETS_PREFIX = '/secrets/v1'
/** The only store: DC/OS's default one. */
export const SECRET_STORE = 'default'
export const SECRET_PATH_PREFIX = `${SECRETS_PREFIX}/secret/${SECRET_STORE}`

export const MAX_SECRET_PATH_CHARS = 512
export const MAX_SECRET_SEGMENTS = 16
export const MAX_SECRET_VALUE_BYTES = 64 * 1024
const MAX_BODY_BYTES = 2 * MAX_SECRET_VALUE_BYTES + 1024
const SEGMENT = /^[A-Za-z0-9._-]{1,128}$/
const SECRETS = 'secrets'

/** DC/OS's Secrets API error body. */
export interface SecretsError {
  code: string
  message: string
}

export function secretsError(status: number, code: string, message: string): HttpError {
  const body: SecretsError = {code, message}
  return new HttpError(status, message, body)
}

/**
 * The problem with `path` as a secret path, or undefined when it is one. Leading and trailing
 * slashes do not count (`/a/b/` is `a/b`); see `secretPath`.
 */
export function secretPathProblem(path: string): string | undefined {
  if (typeof path !== 'string') return 'a secret path must be a string'
  if (path.length > MAX_SECRET_PATH_CHARS) return `a secret path has at most ${MAX_SECRET_PATH_CHARS} characters`
  const segments = path.split('/')
  const inner = segments.slice(path.startsWith('/') ? 1 : 0, path.endsWith('/') && path.length > 1 ? -1 : undefined)
  if (inner.length === 0 || (inner.length === 1 && inner[0] === '')) return 'a secret path must not be empty'
  if (inner.length > MAX_SECRET_SEGMENTS) return `a secret path has at most ${MAX_SECRET_SEGMENTS} segments`
  for (const s of inner) {
    if (s === '.' || s === '..') return "a secret path must not contain '.' or '..' segments"
    if (!SEGMENT.test(s)) return "a secret path is made of '/'-separated segments of letters, digits, '.', '_' and '-'"
  }
  return undefined
}

/** `path` in canonical form (no leading or trailing slash); throws a 400 when it is not a secret path. */
export function secretPath(path: string): string {
  const problem = secretPathProblem(path)
  if (problem) throw secretsError(400, 'ERR_INVALID_PATH', `Invalid secret path: ${problem}.`)
  return path.replace(/^\/+|\/+$/g, '')
}

export class SecretStore {
  #store: Store
  /** Paths whose creation is being written: a second create of one is a conflict too. */
  #creating = new Set<string>()

  private constructor(store: Store) {
    this.#store = store
  }

  /** Opens (creating) the store in `dir`: 0700, its files 0600. */
  static open(dir: string): SecretStore {
    fs.mkdirSync(dir, {recursive: true, mode: 0o700})
    return new SecretStore(Store.open(dir, {private: true}))
  }

  get(path: string): string | undefined {
    return this.#store.get<string>(SECRETS, secretPath(path))
  }

  has(path: string): boolean {
    return this.get(path) !== undefined
  }

  /** Creates or replaces the secret at `path`. */
  put(path: string, value: string): Promise<void> {
    return this.#store.put(SECRETS, secretPath(path), checkValue(value))
  }

  /** Creates the secret; false (nothing written) when `path` already holds one or is being created. */
  async create(path: string, value: string): Promise<boolean> {
    const key = secretPath(path)
    checkValue(value)
    if (this.#creating.has(key) || this.#store.get(SECRETS, key) !== undefined) return false
    this.#creating.add(key)
    try {
      await this.#store.put(SECRETS, key, value)
    } finally {
      this.#creating.delete(key)
    }
    return true
  }

  /** Deletes the secret; false when there was none. */
  async delete(path: string): Promise<boolean> {
    const key = secretPath(path)
    if (this.#store.get(SECRETS, key) === undefined) return false
    await this.#store.delete(SECRETS, key)
    return true
  }

  /** The paths under `prefix` ('' for all), relative to it, sorted. */
  list(prefix = ''): string[] {
    const base = prefix === '' || prefix === '/' ? '' : secretPath(prefix) + '/'
    return this.#store
      .list<string>(SECRETS)
      .map(([key]) => key)
      .filter((key) => key.startsWith(base))
      .map((key) => key.slice(base.length))
      .sort()
  }

  close(): Promise<void> {
    return this.#store.close()
  }
}

function checkValue(value: string): string {
  if (typeof value !== 'string') throw secretsError(400, 'ERR_INVALID_DATA', 'A secret value must be a string.')
  if (Buffer.byteLength(value) > MAX_SECRET_VALUE_BYTES) throw secretsError(413, 'ERR_INVALID_DATA', `A secret value has at most ${MAX_SECRET_VALUE_BYTES} bytes.`)
  return value
}

export interface SecretsApiDeps {
  log: Logger
  /** Called for every request before it is served (the ACS: may the caller use secrets?). */
  authorize?: (req: Request) => Promise<void> | void
}

/** Mounts the Secrets API on `router`. */
export function mountSecrets(router: Router, store: SecretStore, deps: SecretsApiDeps): void {
  const {log} = deps
  const route = (handler: (req: Request, path: string) => Promise<unknown> | unknown) => async (req: Request) => {
    await deps.authorize?.(req)
    return handler(req, rawPath(req))
  }
  const pattern = `${SECRET_PATH_PREFIX}/*`
  router.get(
    pattern,
    route((req, raw) => {
      if (req.query.get('list') === 'true') return {array: store.list(raw === '' ? '' : secretPath(raw))}
      const path = secretPath(raw)
      const value = store.get(path)
      if (value === undefined) throw notFound(path)
      return {value}
    }),
  )
  router.put(
    pattern,
    route(async (req, raw) => {
      const path = secretPath(raw)
      const value = await bodyValue(req)
      if (!(await store.create(path, value))) throw secretsError(409, 'ERR_ALREADY_EXISTS', `Secret '${path}' already exists: update it with PATCH.`)
      log.info(`secret '${path}' created`)
      return reply(201)
    }),
  )
  router.on(
    'PATCH',
    pattern,
    route(async (req, raw) => {
      const path = secretPath(raw)
      const value = await bodyValue(req)
      if (!store.has(path)) throw notFound(path)
      await store.put(path, value)
      log.info(`secret '${path}' updated`)
      return reply(204)
    }),
  )
  router.delete(
    pattern,
    route(async (_req, raw) => {
      const path = secretPath(raw)
      if (!(await store.delete(path))) throw notFound(path)
      log.info(`secret '${path}' deleted`)
      return reply(204)
    }),
  )
}

function notFound(path: string): HttpError {
  return secretsError(404, 'ERR_NOT_FOUND', `Secret '${path}' not found.`)
}

/** The secret path of the request, percent-decoded segment by segment. */
function rawPath(req: Request): string {
  const rest = req.params['*'] ?? ''
  try {
    return rest
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/')
  } catch {
    throw secretsError(400, 'ERR_INVALID_PATH', 'Invalid secret path: malformed percent-encoding.')
  }
}

/**
 * The `value` of a JSON body `{"value": "..."}`. Parse errors get fixed messages: the parser's own
 * would quote the body, and the body is a secret.
 */
async function bodyValue(req: Request): Promise<string> {
  const raw = await req.body()
  if (raw.length > MAX_BODY_BYTES) throw secretsError(413, 'ERR_INVALID_DATA', `The request body exceeds ${MAX_BODY_BYTES} bytes.`)
  let body: unknown
  try {
    body = JSON.parse(raw.toString('utf8'))
  } catch {
    throw secretsError(400, 'ERR_INVALID_DATA', 'The request body is not valid JSON: send {"value": "<the secret>"}.')
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof (body as {value?: unknown}).value !== 'string')
    throw secretsError(400, 'ERR_INVALID_DATA', 'The request body must be {"value": "<the secret>"} with a string value.')
  return checkValue((body as {value: string}).value)
}
