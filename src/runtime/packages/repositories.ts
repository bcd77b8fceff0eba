/**
 * The package service's repositories: an ordered list of `{name, uri}` (index 0 first: earlier
 * repositories win when several have a package), persisted in the gateway's store, and the loaded
 * repositories behind them.
 *
 * The bundled repository (named `Universe` by default) is stored as a marker rather than a URL:
 * the cluster's URL can change between runs, and its index is read from dist/universe on disk,
 * not fetched from ourselves. It is listed as `<cluster>/package/universe/repo`, where it is
 * served to others. Relative artifact URIs of every repository are resolved against the
 * repository's URL when it is loaded (src/universe/artifacts).
 *
 * Loading: http(s) repositories are cached for a minute (as Cosmos does); file:// ones are read
 * again whenever they changed (a fingerprint of the modification times of an index file, or of
 * a Universe directory's letter, package and revision directories: cheap next to reading every
 * file, and it sees a package being edited while one develops it, or a directory removed). A
 * repository that fails to load is reported with its error and skipped: the others still answer.
 */
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {checkRepositoryUri, CosmosError, loadRepository, packagesDir, parseIndex, Repository, resolveResourceUris} from '../../universe'
import type {Store} from '../store'

export const BUNDLED_URI = 'bundled:universe'
export const BUNDLED_NAME = 'Universe'
export const BUNDLED_REPO_PATH = '/package/universe/repo'
export const BUNDLED_ARTIFACTS_PATH = '/package/universe/artifacts'

export interface RepositoryEntry {
  name: string
  uri: string
}

export interface LoadedRepository {
  entry: RepositoryEntry
  /** The URI as listed and written into DCOS_PACKAGE_SOURCE. */
  uri: string
  repo?: Repository
  error?: CosmosError
}

const NS = 'repositories'
const KEY = 'list'
const CACHE_MS = 60_000

export interface RepositoriesDeps {
  /** Persistence (absent: the list lives in memory, as with auth off in tests). */
  store?: Store
  /** dist/universe: repo.json and artifacts/. */
  universeDir: string
  /** The cluster's public URL (known once the gateway listens). */
  publicUrl: () => string
  now?: () => number
}

/**
 * What relative artifact URIs resolve against: the index's URL, or for a Universe directory the
 * directory itself (`file:///u` → `file:///u/`, so `artifacts/x.js` is `file:///u/artifacts/x.js`).
 */
function uriBase(uri: string): string {
  if (!uri.startsWith('file:') || uri.endsWith('/')) return uri
  try {
    return fs.statSync(fileURLToPath(uri)).isDirectory() ? uri + '/' : uri
  } catch {
    return uri
  }
}

/**
 * The modification times of a file:// repository: an index file's, or those of a Universe
 * directory's letter, package and revision directories and their files' (undefined when it
 * cannot be read, so that it is loaded again and its error reported).
 */
function fingerprint(uri: string): string | undefined {
  try {
    const root = fileURLToPath(uri)
    const top = fs.statSync(root)
    if (!top.isDirectory()) return `${top.mtimeMs}:${top.size}`
    const dir = packagesDir(root)
    if (!dir) return undefined
    const parts: string[] = []
    const walk = (d: string, depth: number) => {
      const st = fs.statSync(d)
      parts.push(`${d}:${st.mtimeMs}:${st.size}`)
      if (!st.isDirectory() || depth > 3) return
      for (const e of fs.readdirSync(d)) walk(path.join(d, e), depth + 1)
    }
    walk(dir, 0)
    return parts.join('|')
  } catch {
    return undefined
  }
}

export class Repositories {
  #deps: RepositoriesDeps
  #entries: RepositoryEntry[]
  #cache = new Map<string, {at: number; repo: Repository; fingerprint?: string}>()
  #bundled?: {base: string; repo: Repository}

  constructor(deps: RepositoriesDeps) {
    this.#deps = deps
    this.#entries = deps.store?.get<RepositoryEntry[]>(NS, KEY) ?? [{name: BUNDLED_NAME, uri: BUNDLED_URI}]
  }

  get bundledUrl(): string {
    return this.#deps.publicUrl() + BUNDLED_REPO_PATH
  }

  /** The list as Cosmos shows it (the bundled entry with its URL). */
  list(): RepositoryEntry[] {
    return this.#entries.map((e) => ({name: e.name, uri: this.#displayUri(e)}))
  }

  #displayUri(e: RepositoryEntry): string {
    return e.uri === BUNDLED_URI ? this.bundledUrl : e.uri
  }

  async #save(entries: RepositoryEntry[]): Promise<void> {
    await this.#deps.store?.put(NS, KEY, entries)
    this.#entries = entries
  }

  /**
   * Adds a repository at `index` (default: last) once it loads: a repository that cannot be read
   * is refused with the reason, instead of breaking searches later.
   */
  async add(name: unknown, uri: unknown, index: unknown): Promise<RepositoryEntry[]> {
    if (typeof name !== 'string' || name.trim() === '' || name.length > 256) throw new CosmosError('MalformedRequest', 'name must be a non-empty string of at most 256 characters', {field: 'name'})
    const url = checkRepositoryUri(uri)
    if (index !== undefined && (typeof index !== 'number' || !Number.isInteger(index) || index < 0))
      throw new CosmosError('MalformedRequest', 'index must be a non-negative integer', {field: 'index'})
    const stored = (uri as string) === this.bundledUrl ? BUNDLED_URI : url.href
    const nameTaken = this.#entries.some((e) => e.name === name)
    const uriTaken = this.#entries.some((e) => e.uri === stored)
    if (nameTaken || uriTaken) {
      const what = nameTaken && uriTaken ? `Repository name [${name}] and URI [${uri as string}] are` : nameTaken ? `Repository name [${name}] is` : `Repository URI [${uri as string}] is`
      throw new CosmosError('RepositoryAlreadyPresent', `${what} already present in the list`, {...(nameTaken && {name}), ...(uriTaken && {uri: uri as string})})
    }
    const at = index ?? this.#entries.length
    if (at > this.#entries.length)
      throw new CosmosError('RepositoryAddIndexOutOfBounds', `Index (${at}) is out of range. Index value must be between 0 and ${this.#entries.length} inclusive.`, {attempted: at, max: this.#entries.length})
    const entry = {name, uri: stored}
    const loaded = await this.#load(entry, true)
    if (loaded.error) throw loaded.error
    const next = [...this.#entries]
    next.splice(at, 0, entry)
    await this.#save(next)
    return this.list()
  }

  async delete(name: unknown, uri: unknown): Promise<RepositoryEntry[]> {
    if (name === undefined && uri === undefined) throw new CosmosError('RepositoryNotPresent', 'Neither a repository name nor a URI was given', {})
    if (name !== undefined && typeof name !== 'string') throw new CosmosError('MalformedRequest', 'name must be a string', {field: 'name'})
    if (uri !== undefined && typeof uri !== 'string') throw new CosmosError('MalformedRequest', 'uri must be a string', {field: 'uri'})
    const matches = (e: RepositoryEntry) => (name === undefined || e.name === name) && (uri === undefined || this.#displayUri(e) === uri || e.uri === uri)
    if (!this.#entries.some(matches)) {
      const what = name !== undefined && uri !== undefined ? `Repository name [${name}] and URI [${uri}] are` : name !== undefined ? `Repository name [${name}] is` : `Repository URI [${uri as string}] is`
      throw new CosmosError('RepositoryNotPresent', `${what} not present in the list`, {...(name !== undefined && {name}), ...(uri !== undefined && {uri})})
    }
    const kept = this.#entries.filter((e) => !matches(e))
    for (const e of this.#entries) if (matches(e)) this.#cache.delete(e.uri)
    await this.#save(kept)
    return this.list()
  }

  /** Every repository in order, loaded (or with the error that kept it from loading). */
  async loadAll(): Promise<LoadedRepository[]> {
    return Promise.all(this.#entries.map((e) => this.#load(e, false)))
  }

  async #load(entry: RepositoryEntry, fresh: boolean): Promise<LoadedRepository> {
    const uri = this.#displayUri(entry)
    try {
      if (entry.uri === BUNDLED_URI) return {entry, uri, repo: this.bundled()}
      const now = (this.#deps.now ?? Date.now)()
      const hit = this.#cache.get(entry.uri)
      const print = entry.uri.startsWith('file:') ? fingerprint(entry.uri) : undefined
      if (!fresh && hit && (entry.uri.startsWith('file:') ? print !== undefined && hit.fingerprint === print : now - hit.at < CACHE_MS)) return {entry, uri, repo: hit.repo}
      const raw = await loadRepository(entry.uri)
      const repo = new Repository(raw.packages.map((p) => resolveResourceUris(p, uriBase(entry.uri))))
      this.#cache.set(entry.uri, {at: now, repo, fingerprint: print})
      return {entry, uri, repo}
    } catch (error) {
      if (error instanceof CosmosError) return {entry, uri, error}
      throw error
    }
  }

  /** The bundled repository, its artifact URIs resolved against the cluster's URL. */
  bundled(): Repository {
    const base = this.bundledUrl
    if (this.#bundled?.base === base) return this.#bundled.repo
    const file = path.join(this.#deps.universeDir, 'repo.json')
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch (error) {
      throw new CosmosError('IndexNotFound', `The bundled repository is missing (${file}: ${(error as NodeJS.ErrnoException).code}); run 'node scripts/build.mjs'`, {uri: base})
    }
    const raw = parseIndex(base, JSON.parse(text))
    const repo = new Repository(raw.packages.map((p) => resolveResourceUris(p, base)))
    this.#bundled = {base, repo}
    return repo
  }
}
