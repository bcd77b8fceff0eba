/**
 * A package repository: every revision of every package, from a directory in the Universe layout
 * (`repo/packages/<L>/<name>/<revision>/`) or from a generated index (`{"packages":[...]}`), and
 * the queries Cosmos answers from it (search, versions, pick a revision).
 *
 * Reading a directory checks what gen_universe.py checks: letter directories are one capital
 * letter, the package directory equals package.json's name, revisions are numbers (sorted as
 * numbers: 100 after 44). Any problem names the file.
 */
import fs from 'node:fs'
import path from 'node:path'
import {CosmosError, invalidPackage, packageNotFound} from './errors'
import {definitionFromFiles, isObject, normalizeDefinition, type Images, type PackageDefinition, type RevisionFiles} from './model'
import {compareVersions, newestFirst, selectVersion} from './versions'

export interface SearchResult {
  name: string
  currentVersion: string
  /** version → releaseVersion of its newest revision. */
  versions: Record<string, number>
  description: string
  framework: boolean
  tags: string[]
  selected: boolean
  images?: Images
}

export class Repository {
  /** name → revisions, newest first. */
  readonly #byName = new Map<string, PackageDefinition[]>()

  constructor(
    readonly packages: readonly PackageDefinition[],
  ) {
    for (const p of packages) {
      const list = this.#byName.get(p.name) ?? []
      list.push(p)
      this.#byName.set(p.name, list)
    }
    for (const [name, list] of this.#byName) this.#byName.set(name, newestFirst(list))
  }

  names(): string[] {
    return [...this.#byName.keys()].sort()
  }

  has(name: string): boolean {
    return this.#byName.has(name)
  }

  /** Every revision of a package, newest first (empty when unknown). */
  revisions(name: string): PackageDefinition[] {
    return this.#byName.get(name) ?? []
  }

  /** The revision to use (newest, or newest of `version`); PackageNotFound / VersionNotFound. */
  select(name: string, version?: string): PackageDefinition {
    const revisions = this.#byName.get(name)
    if (!revisions) throw packageNotFound(name)
    return selectVersion(name, revisions, version)!
  }

  /** The index form: `{"packages":[...]}`, packages by name, newest revision first. */
  toIndex(): {packages: PackageDefinition[]} {
    return {packages: this.names().flatMap((n) => this.revisions(n))}
  }

  /** One search entry per package, for the names that match `query` (see `matchesQuery`). */
  search(query?: string): SearchResult[] {
    const out: SearchResult[] = []
    for (const name of this.names()) {
      const revisions = this.revisions(name)
      const newest = revisions[0]
      if (!matchesQuery(newest, query)) continue
      const versions: Record<string, number> = {}
      for (const r of [...revisions].reverse()) versions[r.version] = r.releaseVersion
      out.push({
        name,
        currentVersion: newest.version,
        versions,
        description: newest.description,
        framework: newest.framework ?? false,
        tags: newest.tags,
        selected: newest.selected ?? false,
        ...(newest.resource?.images && {images: newest.resource.images}),
      })
    }
    return out
  }
}

/**
 * Cosmos's search: no query (or empty) matches all; a query with `*` is a wildcard pattern
 * anchored over the name, the description or a tag; otherwise a case-insensitive substring of any.
 */
export function matchesQuery(pkg: PackageDefinition, query?: string): boolean {
  const q = query?.trim() ?? ''
  if (q === '') return true
  const fields = [pkg.name, pkg.description, ...pkg.tags]
  if (q.includes('*')) {
    const pattern = new RegExp(`^${q.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i')
    return fields.some((f) => pattern.test(f))
  }
  const lower = q.toLowerCase()
  return fields.some((f) => f.toLowerCase().includes(lower))
}

/** Sorted as Cosmos sorts search results: selected first, then by name. */
export function sortSearchResults(results: SearchResult[]): SearchResult[] {
  return [...results].sort((a, b) => Number(b.selected) - Number(a.selected) || a.name.localeCompare(b.name))
}

/** An index JSON (`{"packages":[...]}`) → a repository. `where` names it in errors. */
export function parseIndex(where: string, body: unknown): Repository {
  if (!isObject(body) || !Array.isArray(body.packages))
    throw new CosmosError('IndexNotFound', `${where} is not a package repository index: expected a JSON object with a "packages" array`, {uri: where})
  return new Repository(body.packages.map((p, i) => normalizeDefinition(`${where} package #${i}${isObject(p) && typeof p.name === 'string' ? ` (${p.name})` : ''}`, p)))
}

const REVISION_FILES = ['package.json', 'config.json', 'resource.json', 'command.json', 'marathon.json.mustache', 'marathon.json'] as const

/** The `packages` directory of a Universe checkout given as its root, its `repo` or itself. */
export function packagesDir(dir: string): string | undefined {
  for (const candidate of [path.join(dir, 'repo', 'packages'), path.join(dir, 'packages'), dir]) {
    try {
      if (!fs.statSync(candidate).isDirectory()) continue
      const letters = fs.readdirSync(candidate)
      if (candidate === dir && !letters.some((l) => /^[A-Z]$/.test(l))) continue
      return candidate
    } catch {
      /* not there: try the next form */
    }
  }
  return undefined
}

export interface DirectoryRevision {
  /** The revision directory. */
  dir: string
  definition: PackageDefinition
  files: RevisionFiles
}

/** Every revision directory of a Universe layout, read and normalised (files kept for validation). */
export function readRevisions(root: string): DirectoryRevision[] {
  const dir = packagesDir(root)
  if (!dir) throw new CosmosError('IndexNotFound', `${root} holds no Universe repository (expected repo/packages/<L>/<name>/<revision>/)`, {uri: root})
  const out: DirectoryRevision[] = []
  for (const letter of fs.readdirSync(dir).sort()) {
    const letterDir = path.join(dir, letter)
    if (!fs.statSync(letterDir).isDirectory()) continue
    if (!/^[A-Z]$/.test(letter)) throw invalidPackage(letterDir, ['letter directories must be one capital letter'])
    for (const name of fs.readdirSync(letterDir).sort()) {
      const nameDir = path.join(letterDir, name)
      if (!fs.statSync(nameDir).isDirectory()) continue
      if (name[0].toUpperCase() !== letter) throw invalidPackage(nameDir, [`package ${name} must be under ${name[0].toUpperCase()}/`])
      const revisions = fs.readdirSync(nameDir).filter((r) => fs.statSync(path.join(nameDir, r)).isDirectory())
      for (const rev of revisions.sort((a, b) => Number(a) - Number(b))) {
        const revDir = path.join(nameDir, rev)
        if (!/^(0|[1-9][0-9]*)$/.test(rev)) throw invalidPackage(revDir, ['revision directories must be non-negative integers'])
        const files = {} as RevisionFiles
        for (const f of REVISION_FILES) {
          const file = path.join(revDir, f)
          if (fs.existsSync(file)) files[f] = fs.readFileSync(file, 'utf8')
        }
        if (files['package.json'] === undefined) throw invalidPackage(revDir, ['package.json is missing'])
        const definition = definitionFromFiles(revDir, Number(rev), files)
        if (definition.name !== name) throw invalidPackage(revDir, [`package.json names ${definition.name}, but the directory is ${name}`])
        out.push({dir: revDir, definition, files})
      }
    }
  }
  return out
}

/** A repository from a directory in the Universe layout. */
export function loadDirectory(root: string): Repository {
  return new Repository(readRevisions(root).map((r) => r.definition))
}

export {compareVersions}
