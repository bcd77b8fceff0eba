/**
 * Building the bundled repository (universe/ → dist/universe/), called by scripts/build-universe.mjs:
 * every revision is checked against Universe's meta schemas and rendered with its defaults, every
 * relative artifact URI must name a declared artifact, and the index must satisfy
 * v4-repo-schema.json. Any problem fails the build with the file named. Then it writes:
 *
 *   dist/universe/repo.json            the index, `{"packages":[...]}` (templates base64)
 *   dist/universe/artifacts/<file>     each artifact of universe/artifacts.json, copied from its source
 *
 * A package CLI's `contentHash` is set to the sha256 of the artifact copied (the source's may be stale).
 * Artifact URIs stay relative in repo.json (`artifacts/hello.js`): they are resolved against the
 * URL the index is served from (see ./artifacts), so the same build serves any cluster URL.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {CosmosError} from './errors'
import {resolveOptions} from './options'
import {renderApp} from './render'
import {readRevisions, Repository} from './repository'
import {SchemaValidator} from './schema'
import {UniverseSchemas} from './validate'
import {isRelativeUri} from './artifacts'

export interface BuildUniverseOptions {
  /** Project root: the paths below and the artifact sources are relative to it. */
  root: string
  /** The repository in the Universe layout (default universe). */
  source?: string
  /** Universe's meta schemas (default universe/meta/schema). */
  schemas?: string
  /** `{"<file>": "<source path>"}` (default universe/artifacts.json). */
  artifacts?: string
  /** Output directory (default dist/universe). */
  out?: string
}

export interface BuildUniverseResult {
  packages: number
  revisions: number
  artifacts: string[]
}

export class UniverseBuildError extends Error {
  override name = 'UniverseBuildError'
  constructor(readonly problems: string[]) {
    super(`the bundled universe is invalid:\n  ${problems.join('\n  ')}`)
  }
}

export function buildUniverse(opts: BuildUniverseOptions): BuildUniverseResult {
  const at = (p: string) => path.resolve(opts.root, p)
  const source = at(opts.source ?? 'universe')
  const out = at(opts.out ?? 'dist/universe')
  const schemas = UniverseSchemas.load(at(opts.schemas ?? 'universe/meta/schema'))
  const artifactsFile = at(opts.artifacts ?? 'universe/artifacts.json')
  const artifacts = JSON.parse(fs.readFileSync(artifactsFile, 'utf8')) as Record<string, string>
  const problems: string[] = []
  for (const [file, src] of Object.entries(artifacts)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(file)) problems.push(`${artifactsFile}: artifact name '${file}' must be a plain file name`)
    else if (!fs.existsSync(at(src))) problems.push(`${artifactsFile}: the source of artifact '${file}' (${src}) does not exist; is it built before the universe?`)
  }

  let revisions
  try {
    revisions = readRevisions(source)
  } catch (error) {
    throw new UniverseBuildError([(error as Error).message])
  }
  const validator = new SchemaValidator()
  for (const r of revisions) {
    const where = path.relative(opts.root, r.dir)
    for (const p of schemas.revisionProblems(r.files, r.definition)) problems.push(`${where}: ${p}`)
    for (const [alias, uri] of Object.entries(r.definition.resource?.assets?.uris ?? {})) {
      if (!isRelativeUri(uri)) continue
      const m = /^artifacts\/([^/]+)$/.exec(uri)
      if (!m || !(m[1] in artifacts)) problems.push(`${where}: resource.json assets.uris.${alias} = '${uri}' names no artifact of ${path.relative(opts.root, artifactsFile)}`)
    }
    for (const [where2, binary] of cliBinaries(r.definition.resource?.cli)) {
      if (!isRelativeUri(binary.url)) continue
      const m = /^artifacts\/([^/]+)$/.exec(binary.url)
      if (!m || !(m[1] in artifacts)) problems.push(`${where}: resource.json cli.binaries.${where2}.url = '${binary.url}' names no artifact of ${path.relative(opts.root, artifactsFile)}`)
      // The hash of the artifact as built (a plugin bundles src/cli: any change there changes it).
      else if (fs.existsSync(at(artifacts[m[1]]))) binary.contentHash = [{algo: 'sha256', value: createHash('sha256').update(fs.readFileSync(at(artifacts[m[1]]))).digest('hex')}]
    }
    try {
      const options = resolveOptions(r.definition, {}, validator)
      renderApp({pkg: r.definition, options, userOptions: {}, source: 'build'})
    } catch (error) {
      problems.push(`${where}: does not render with its defaults: ${error instanceof CosmosError ? `${error.type}: ${error.message} ${JSON.stringify(error.data ?? {})}` : (error as Error).message}`)
    }
  }
  const repo = new Repository(revisions.map((r) => r.definition))
  const index = repo.toIndex()
  // Universe's index schema wants absolute CLI binary URLs: ours are relative until served, so the
  // copy checked gets a stand-in origin for them.
  problems.push(...schemas.indexProblems(JSON.parse(JSON.stringify(index), (key, v) => (key === 'url' && typeof v === 'string' && isRelativeUri(v) ? `https://artifacts.invalid/${v}` : v))))
  if (problems.length > 0) throw new UniverseBuildError(problems)

  fs.rmSync(out, {recursive: true, force: true})
  fs.mkdirSync(path.join(out, 'artifacts'), {recursive: true})
  fs.writeFileSync(path.join(out, 'repo.json'), JSON.stringify(index))
  for (const [file, src] of Object.entries(artifacts)) fs.copyFileSync(at(src), path.join(out, 'artifacts', file))
  return {packages: repo.names().length, revisions: revisions.length, artifacts: Object.keys(artifacts)}
}

/** The `cli.binaries.<platform>.<arch>` entries of a resource, with where they are. */
function cliBinaries(cli: unknown): [string, {url: string; contentHash?: unknown}][] {
  const binaries = (cli as {binaries?: Record<string, Record<string, {url?: unknown}>>} | undefined)?.binaries
  if (!binaries || typeof binaries !== 'object') return []
  return Object.entries(binaries).flatMap(([platform, arches]) =>
    Object.entries(arches && typeof arches === 'object' ? arches : {})
      .filter(([, b]) => b && typeof b === 'object' && typeof b.url === 'string')
      .map(([arch, b]) => [`${platform}.${arch}`, b as {url: string; contentHash?: unknown}] as [string, {url: string; contentHash?: unknown}]),
  )
}
