/**
 * The values of apps' secrets, read from the gateway's Secrets API (`GET
 * /secrets/v1/secret/default/<source>` with Marathon's service token) when an app is about to
 * launch. Values live only in this cache and in the TaskInfos sent to the master; they are never
 * stored, logged or shown.
 *
 * The scheduler asks `readiness(app)` when it plans an app's launches: an app whose sources are
 * not all at hand launches nothing (its fetch starts then, and `onChange` plans it again when it
 * ends). A source that cannot be read (missing, forbidden, the gateway down) is a `problem` the
 * scheduler shows in /v2/queue and logs; it is tried again `retryMs` later. Values are refreshed
 * in the background once older than `ttlMs` (a PATCHed secret reaches later launches); a
 * secret found deleted stops launches, a failed refresh otherwise keeps the value it had.
 */
import type {Logger} from '../log'
import {SECRET_PATH_PREFIX} from '../auth/secrets'
import {secretEnv, type App} from './app-definition'

export type SecretsReadiness = {ready: true; values: ReadonlyMap<string, string>} | {ready: false; problem?: string}

export interface SecretResolverOptions {
  /** The gateway's URL; undefined: there is no secret store and apps with secrets cannot launch. */
  gatewayUrl?: string
  /** Marathon's service token, when auth is on. */
  headers: () => Record<string, string>
  log: Logger
  now: () => number
  /** A source's value (or problem) changed: apps with secrets should be planned again. */
  onChange: () => void
  ttlMs?: number
  retryMs?: number
  timeoutMs?: number
  /** Tests pass their own. */
  fetch?: typeof fetch
}

interface Entry {
  value?: string
  problem?: string
  at: number
  loading?: Promise<void>
}

const DEFAULT_TTL_MS = 60_000
const DEFAULT_RETRY_MS = 5_000
const DEFAULT_TIMEOUT_MS = 10_000
const READY_NONE: SecretsReadiness = {ready: true, values: new Map()}

export class SecretResolver {
  readonly #o: SecretResolverOptions
  readonly #cache = new Map<string, Entry>()
  readonly #timers = new Set<NodeJS.Timeout>()
  #stopped = false

  constructor(options: SecretResolverOptions) {
    this.#o = options
  }

  /** Whether every secret `app`'s env references is at hand (their values, by source). */
  readiness(app: App): SecretsReadiness {
    const refs = secretEnv(app)
    if (refs.length === 0) return READY_NONE
    const values = new Map<string, string>()
    let problem: string | undefined
    let pending = false
    for (const {source} of refs) {
      const entry = this.#entry(source)
      if (entry?.value !== undefined) values.set(source, entry.value)
      else if (entry?.problem !== undefined) problem ??= entry.problem
      else pending = true
    }
    if (problem !== undefined) return {ready: false, problem}
    return pending ? {ready: false} : {ready: true, values}
  }

  stop(): void {
    this.#stopped = true
    for (const t of this.#timers) clearTimeout(t)
    this.#timers.clear()
  }

  #entry(source: string): Entry | undefined {
    const entry = this.#cache.get(source)
    if (entry?.loading) return entry
    const age = entry ? this.#o.now() - entry.at : Infinity
    const stale = entry?.value !== undefined ? age >= (this.#o.ttlMs ?? DEFAULT_TTL_MS) : age >= (this.#o.retryMs ?? DEFAULT_RETRY_MS)
    if (!entry || stale) this.#load(source, entry)
    return this.#cache.get(source)
  }

  #load(source: string, previous: Entry | undefined): void {
    const entry: Entry = {...previous, at: previous?.at ?? 0}
    this.#cache.set(source, entry)
    entry.loading = this.#fetch(source)
      .catch((error: unknown) => ({problem: `reading secret '${source}' failed: ${(error as Error).message}`, gone: false}))
      .then((result) => {
        if (this.#stopped) return
        const next: Entry = {at: this.#o.now()}
        if ('value' in result) next.value = result.value
        else {
          if (result.problem !== previous?.problem) this.#o.log.warn(`secret '${source}': ${result.problem}`)
          // A value we had survives a failed refresh, unless the secret is gone.
          if (!result.gone && previous?.value !== undefined) next.value = previous.value
          else next.problem = result.problem
        }
        this.#cache.set(source, next)
        if (next.value === undefined) this.#retryLater()
        if (next.value !== previous?.value || next.problem !== previous?.problem) this.#o.onChange()
      })
  }

  /** Plans again once a failed source may be tried again (readiness then reloads it). */
  #retryLater(): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      if (!this.#stopped) this.#o.onChange()
    }, this.#o.retryMs ?? DEFAULT_RETRY_MS)
    timer.unref()
    this.#timers.add(timer)
  }

  async #fetch(source: string): Promise<{value: string} | {problem: string; gone: boolean}> {
    const base = this.#o.gatewayUrl
    if (!base) return {problem: `Marathon has no secret store to read secret '${source}' from (no gatewayUrl in its configuration)`, gone: true}
    const url = `${base.replace(/\/+$/, '')}${SECRET_PATH_PREFIX}/${source.split('/').map(encodeURIComponent).join('/')}`
    let res: Response
    try {
      res = await (this.#o.fetch ?? fetch)(url, {headers: this.#o.headers(), signal: AbortSignal.timeout(this.#o.timeoutMs ?? DEFAULT_TIMEOUT_MS)})
    } catch (error) {
      return {problem: `the secret store at ${base} cannot be reached to read secret '${source}': ${(error as Error).message}`, gone: false}
    }
    let body: unknown
    try {
      body = await res.json()
    } catch {
      body = undefined
    }
    if (res.status === 404) return {problem: `secret '${source}' does not exist in the secret store`, gone: true}
    if (res.status === 401 || res.status === 403) return {problem: `Marathon may not read secret '${source}' (HTTP ${res.status})`, gone: true}
    const value = (body as {value?: unknown} | undefined)?.value
    if (!res.ok || typeof value !== 'string') return {problem: `reading secret '${source}' failed: HTTP ${res.status}`, gone: false}
    return {value}
  }
}
