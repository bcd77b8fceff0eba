/**
 * Where agents and framework UIs are, as the master tells it: agent id → base URL from
 * `/master/slaves` (each slave's `pid` `slave(1)@ip:port`), framework name → `webui_url` from
 * `/master/frameworks` (active frameworks only). Admin router keeps the same tables from the
 * master's state; like it, we cache them.
 *
 * Cache contract: a hit younger than `maxAgeMs` is answered from memory. A miss, or an old hit,
 * fetches the table again, but never more often than every `minRefreshMs` (a later lookup waits
 * for the next allowed fetch instead of hammering the master); concurrent lookups share a fetch.
 * When the master cannot be asked, an old hit is still answered. `forget…()` marks a table old
 * when one of its entries proved wrong (the upstream was unreachable).
 */
import {call, type CallAnswer, type CallError} from '../http/client'

export interface DirectoryOptions {
  minRefreshMs: number
  maxAgeMs: number
  fetchTimeoutMs: number
}

export const DEFAULT_DIRECTORY_OPTIONS: DirectoryOptions = {minRefreshMs: 200, maxAgeMs: 5_000, fetchTimeoutMs: 5_000}

/** The master could not be asked (down, timed out, or answered with an error). */
export class MasterUnavailable extends Error {
  override name = 'MasterUnavailable'
}

export class MasterDirectory {
  readonly masterUrl: string
  #agents: CachedTable
  #services: CachedTable
  #headers: Record<string, string>

  /** `headers` go with every lookup: the gateway's own service token, when auth is on. */
  constructor(masterUrl: string, options: Partial<DirectoryOptions> = {}, headers: Record<string, string> = {}) {
    this.masterUrl = masterUrl.replace(/\/$/, '')
    this.#headers = {...headers, Accept: 'application/json'}
    const opts = {...DEFAULT_DIRECTORY_OPTIONS, ...options}
    this.#agents = new CachedTable(async () => agentTable(await this.#fetch('/master/slaves', opts)), opts)
    this.#services = new CachedTable(async () => serviceTable(await this.#fetch('/master/frameworks', opts)), opts)
  }

  /** The agent's base URL, or undefined when the master lists no such agent. */
  agentUrl(agentId: string): Promise<string | undefined> {
    return this.#agents.get(agentId)
  }

  /** The `webui_url` of the active framework with this name, or undefined. */
  serviceUrl(name: string): Promise<string | undefined> {
    return this.#services.get(name)
  }

  forgetAgents(): void {
    this.#agents.forget()
  }

  forgetServices(): void {
    this.#services.forget()
  }

  async #fetch(path: string, opts: DirectoryOptions): Promise<unknown> {
    let res: CallAnswer
    try {
      res = await call(this.masterUrl + path, {headers: this.#headers, timeoutMs: opts.fetchTimeoutMs})
    } catch (error) {
      throw new MasterUnavailable(`master at ${this.masterUrl} is unreachable (${(error as CallError).code ?? (error as Error).name})`)
    }
    if (res.status < 200 || res.status > 299) throw new MasterUnavailable(`master at ${this.masterUrl} answered ${res.status} to GET ${path}`)
    try {
      return JSON.parse(res.text)
    } catch {
      throw new MasterUnavailable(`master at ${this.masterUrl} sent malformed JSON for GET ${path}`)
    }
  }
}

class CachedTable {
  #load: () => Promise<Map<string, string>>
  #options: DirectoryOptions
  #entries = new Map<string, string>()
  #loadedAt = -Infinity
  #lastFetchAt = -Infinity
  #inflight?: Promise<Map<string, string>>

  constructor(load: () => Promise<Map<string, string>>, options: DirectoryOptions) {
    this.#load = load
    this.#options = options
  }

  async get(key: string): Promise<string | undefined> {
    const hit = this.#entries.get(key)
    if (hit !== undefined && Date.now() - this.#loadedAt < this.#options.maxAgeMs) return hit
    try {
      return (await this.#refresh()).get(key)
    } catch (error) {
      // The master is down (restarting, say): an old answer beats none.
      if (hit !== undefined) return hit
      throw error
    }
  }

  forget(): void {
    this.#loadedAt = -Infinity
  }

  #refresh(): Promise<Map<string, string>> {
    this.#inflight ??= (async () => {
      try {
        const wait = this.#lastFetchAt + this.#options.minRefreshMs - Date.now()
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
        this.#lastFetchAt = Date.now()
        this.#entries = await this.#load()
        this.#loadedAt = Date.now()
        return this.#entries
      } finally {
        this.#inflight = undefined
      }
    })()
    return this.#inflight
  }
}

interface SlaveJson {
  id?: unknown
  pid?: unknown
  hostname?: unknown
  port?: unknown
}

interface FrameworkJson {
  name?: unknown
  active?: unknown
  webui_url?: unknown
  registered_time?: unknown
}

/** `/master/slaves` → agent id → `http://ip:port` (from the libprocess pid, else hostname:port). */
export function agentTable(body: unknown): Map<string, string> {
  const table = new Map<string, string>()
  const slaves = (body as {slaves?: unknown})?.slaves
  if (!Array.isArray(slaves)) return table
  for (const s of slaves as SlaveJson[]) {
    if (typeof s?.id !== 'string') continue
    const pid = typeof s.pid === 'string' ? /@([^@:/]+):(\d+)$/.exec(s.pid) : null
    if (pid) table.set(s.id, `http://${pid[1]}:${pid[2]}`)
    else if (typeof s.hostname === 'string' && typeof s.port === 'number') table.set(s.id, `http://${s.hostname}:${s.port}`)
  }
  return table
}

/** `/master/frameworks` → name → webui_url of active frameworks; the latest registered wins. */
export function serviceTable(body: unknown): Map<string, string> {
  const table = new Map<string, string>()
  const registered = new Map<string, number>()
  const frameworks = (body as {frameworks?: unknown})?.frameworks
  if (!Array.isArray(frameworks)) return table
  for (const f of frameworks as FrameworkJson[]) {
    if (typeof f?.name !== 'string' || f.active !== true || typeof f.webui_url !== 'string' || f.webui_url === '') continue
    const at = typeof f.registered_time === 'number' ? f.registered_time : 0
    if ((registered.get(f.name) ?? -Infinity) > at) continue
    registered.set(f.name, at)
    table.set(f.name, f.webui_url)
  }
  return table
}
