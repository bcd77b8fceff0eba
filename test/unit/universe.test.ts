/**
 * The package model against the real Universe data (/work/shared/fixtures/universe-real, used
 * as it is): every package revision there (the pre-2.0 ones too) loads, passes Universe's own
 * meta schemas, and renders with its defaults into an app our Marathon accepts (but for the
 * Docker containers it deliberately refuses); real generated indexes load and render; versions,
 * options, rendering rules and labels as Cosmos has them; and the bundled universe/ builds.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, describe, it} from 'node:test'
import {normalizeApp} from '../../src/runtime/marathon/app-definition'
import {Violations} from '../../src/runtime/marathon/errors'
import {buildUniverse, UniverseBuildError} from '../../src/universe/build'
import {
  CosmosError,
  compareVersions,
  definitionFromFiles,
  deepMerge,
  loadDirectory,
  loadRepository,
  normalizeDefinition,
  parseIndex,
  Repository,
  renderApp,
  renderTemplate,
  resolveOptions,
  resolveResourceUris,
  schemaDefaults,
  SchemaValidator,
  selectVersion,
  UniverseSchemas,
  type PackageDefinition,
  type RevisionFiles,
} from '../../src/universe'

const FIXTURES = '/work/shared/fixtures/universe-real'
const ROOT = path.resolve(__dirname, '..', '..')
const REVISION_FILES = ['package.json', 'config.json', 'resource.json', 'command.json', 'marathon.json.mustache', 'marathon.json'] as const
const validator = new SchemaValidator()
const schemas = UniverseSchemas.load(path.join(FIXTURES, 'meta', 'schema'))
const tmpDirs: string[] = []
after(() => tmpDirs.forEach((d) => fs.rmSync(d, {recursive: true, force: true})))

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'universe-test-'))
  tmpDirs.push(d)
  return d
}

/** Every revision directory of the fixtures: `<name>/<rev>` and `version-1.x/<name>/<rev>`. */
function fixtureRevisions(): string[] {
  const out: string[] = []
  const walk = (dir: string, depth: number) => {
    for (const e of fs.readdirSync(dir, {withFileTypes: true})) {
      if (!e.isDirectory()) continue
      const p = path.join(dir, e.name)
      if (fs.existsSync(path.join(p, 'package.json'))) out.push(path.relative(FIXTURES, p))
      else if (depth < 3) walk(p, depth + 1)
    }
  }
  walk(FIXTURES, 0)
  return out.sort()
}

function readRevision(rel: string): {files: RevisionFiles; pkg: PackageDefinition} {
  const files = {} as RevisionFiles
  for (const f of REVISION_FILES) {
    const p = path.join(FIXTURES, rel, f)
    if (fs.existsSync(p)) files[f] = fs.readFileSync(p, 'utf8')
  }
  return {files, pkg: definitionFromFiles(rel, Number(path.basename(rel)), files)}
}

/** Marathon's verdict on a rendered app, without the refusals of Docker that are deliberate. */
function marathonProblems(app: unknown): {path: string; errors: string[]}[] {
  const v = new Violations()
  normalizeApp(app, {base: '/', role: '*', version: '2021-07-27T20:40:33.123Z'}, v)
  const hasDocker = JSON.stringify((app as {container?: unknown}).container ?? {}).includes('DOCKER')
  return v.list().filter((p) => !(hasDocker && (p.path.startsWith('/container') || p.errors.some((e) => e.includes("contain one of 'cmd' or 'args'")))))
}

describe('real Universe packages (fixtures)', () => {
  const revisions = fixtureRevisions()

  it('finds every revision of the fixtures, the version-1.x ones included', () => {
    assert.ok(revisions.length >= 11, revisions.join(', '))
    assert.ok(revisions.includes('version-1.x/chronos/2') && revisions.includes('version-1.x/kafka/1'))
  })

  for (const rel of revisions) {
    it(`${rel}: renders with its defaults into a valid Marathon app with the package labels`, () => {
      const {files, pkg} = readRevision(rel)
      assert.deepEqual(schemas.revisionProblems(files, pkg), [])
      const options = resolveOptions(pkg, {}, validator)
      const app = renderApp({pkg, options, userOptions: {}, source: 'https://universe.mesosphere.com/repo'})
      assert.ok(app, 'every fixture has a template')
      assert.equal(typeof app.id, 'string')
      assert.deepEqual(marathonProblems(app), [])
      const labels = app.labels as Record<string, string>
      assert.equal(labels.DCOS_PACKAGE_NAME, pkg.name)
      assert.equal(labels.DCOS_PACKAGE_VERSION, pkg.version)
      assert.equal(labels.DCOS_PACKAGE_RELEASE, path.basename(rel))
      assert.equal(labels.DCOS_PACKAGE_OPTIONS, 'e30=')
      assert.equal(labels.DCOS_PACKAGE_IS_FRAMEWORK, String(pkg.framework ?? false))
      const envelope = JSON.parse(Buffer.from(labels.DCOS_PACKAGE_DEFINITION, 'base64').toString())
      assert.equal(envelope.data.name, pkg.name)
      assert.equal(JSON.parse(Buffer.from(labels.DCOS_PACKAGE_METADATA, 'base64').toString()).version, pkg.version)
      if (pkg.framework) assert.ok(labels.DCOS_PACKAGE_FRAMEWORK_NAME, 'framework packages name their framework')
    })
  }

  it('pre-2.0 packages become 2.0 packages with their icons in resource.images', () => {
    const {pkg} = readRevision('version-1.x/chronos/2')
    assert.equal(pkg.packagingVersion, '2.0')
    assert.ok(pkg.resource?.images?.['icon-small'])
    assert.equal((pkg as unknown as Record<string, unknown>).images, undefined)
  })

  it('chronos renders the $HOST literal and drops options without a value, as the reference says', () => {
    const {pkg} = readRevision('chronos/0')
    const app = renderApp({pkg, options: resolveOptions(pkg, {}, validator), userOptions: {}, source: 's'})!
    assert.match(String(app.cmd), /--hostname \$HOST/)
    assert.doesNotMatch(String(app.cmd), /--mail_server/)
    assert.equal(app.labels && (app.labels as Record<string, string>).DCOS_PACKAGE_FRAMEWORK_NAME, 'chronos')
  })

  it('elasticsearch keeps the last of its duplicate "ports" keys', () => {
    const {pkg} = readRevision('elasticsearch/2')
    const app = renderApp({pkg, options: resolveOptions(pkg, {}, validator), userOptions: {}, source: 's'})!
    assert.deepEqual(app.ports, [31105])
  })

  it('a real generated index (cosmos test repo-up-to-1.8) loads, orders and renders every entry', () => {
    const repo = parseIndex('repo-up-to-1.8', JSON.parse(fs.readFileSync(path.join(FIXTURES, 'repo-index-samples/cosmos-test-v3-repo-up-to-1.8.json'), 'utf8')))
    assert.deepEqual(repo.names(), ['cassandra', 'nginx'])
    assert.deepEqual(
      repo.revisions('cassandra').map((p) => `${p.version}#${p.releaseVersion}`),
      ['2.2.5-0.2.0#3', '1.0.5-2.2.5#7', '1.0.5-2.2.5#6', '1.0.4-2.2.5#5', '1.0.2-2.2.5#4', '0.2.0-2#1', '0.2.0-1#0'],
    )
    for (const pkg of repo.packages) {
      const app = renderApp({pkg, options: resolveOptions(pkg, {}, validator), userOptions: {}, source: 's'})!
      assert.deepEqual(marathonProblems(app), [], `${pkg.name} ${pkg.version}`)
    }
    const search = repo.search('cassandra')
    assert.equal(search.length, 1)
    assert.deepEqual(search[0].versions['1.0.5-2.2.5'], 7)
  })

  it("Cosmos's encoded test repo (null fields) loads; a template that is not JSON is MarathonTemplateMustBeJsonObject", () => {
    const repo = parseIndex('encoded', JSON.parse(fs.readFileSync(path.join(FIXTURES, 'repo-index-samples/cosmos-expected-encoded-repo.json'), 'utf8')))
    const pkg = repo.select('cool-package')
    assert.equal(pkg.scm, undefined)
    assert.throws(() => renderApp({pkg, options: {}, userOptions: {}, source: 's'}), (e: CosmosError) => e.type === 'MarathonTemplateMustBeJsonObject')
  })
})

const def = (version: string, releaseVersion: number, extra: Record<string, unknown> = {}): PackageDefinition =>
  normalizeDefinition('t', {packagingVersion: '4.0', name: 'pk', version, releaseVersion, maintainer: 'm', description: 'd', tags: [], ...extra})

describe('versions', () => {
  it('orders by semver, releaseVersion (a number) breaking ties, and non-semver versions naturally', () => {
    assert.ok(compareVersions('1.10.0', '1.9.0') > 0)
    assert.ok(compareVersions('1.0.0-rc1', '1.0.0') < 0)
    assert.ok(compareVersions('0.9.10.0', '0.9.9.0') > 0)
    const revisions = [def('1.0.0', 5), def('1.1.0', 1), def('1.1.0', 10), def('1.1.0', 2), def('0.9.0', 100)]
    assert.deepEqual(
      selectVersion('pk', revisions)!.releaseVersion,
      10,
      'newest version, then highest releaseVersion (10 > 2 as numbers, not strings)',
    )
    assert.equal(selectVersion('pk', revisions, '1.0.0')!.releaseVersion, 5)
    assert.throws(() => selectVersion('pk', revisions, '2.0.0'), (e: CosmosError) => e.type === 'VersionNotFound' && e.message === 'Version [2.0.0] of package [pk] not found')
  })

  it('a repository answers PackageNotFound for an unknown name', () => {
    assert.throws(() => new Repository([def('1.0.0', 0)]).select('nope'), (e: CosmosError) => e.type === 'PackageNotFound' && e.message === 'Package [nope] not found')
  })
})

describe('options', () => {
  const config = {
    type: 'object',
    properties: {
      service: {type: 'object', properties: {name: {type: 'string', default: 'x'}, mem: {type: 'integer', default: 64, minimum: 32}, nodefault: {type: 'string'}}, additionalProperties: false},
      empty: {type: 'object', properties: {a: {type: 'string'}}},
      list: {type: 'array', default: [1, 2]},
    },
  }
  const pkg = def('1.0.0', 0, {config})

  it('takes defaults recursively, keeping only objects with defaults', () => {
    assert.deepEqual(schemaDefaults(config), {service: {name: 'x', mem: 64}, list: [1, 2]})
  })

  it('merges user options deeply, arrays replaced, and never touches prototypes', () => {
    assert.deepEqual(deepMerge({a: {b: 1, c: 2}, l: [1]}, {a: {c: 3}, l: [2]}), {a: {b: 1, c: 3}, l: [2]})
    const merged = deepMerge({}, JSON.parse('{"__proto__": {"polluted": true}}'))
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.deepEqual(Object.keys(merged), ['__proto__'])
  })

  it('a wrong type is JsonSchemaMismatch naming the path, what was found and what was expected', () => {
    assert.throws(
      () => resolveOptions(pkg, {service: {mem: 'lots'}}, validator),
      (e: CosmosError) => {
        assert.equal(e.type, 'JsonSchemaMismatch')
        assert.equal(e.message, 'Options JSON failed validation')
        const errors = (e.data as {errors: Record<string, unknown>[]}).errors
        assert.equal(errors.length, 1)
        assert.deepEqual(errors[0].instance, {pointer: '/service/mem'})
        assert.equal(errors[0].found, 'string')
        assert.deepEqual(errors[0].expected, ['integer'])
        assert.match(String(errors[0].message), /instance type \(string\) does not match any allowed primitive type \(allowed: \["integer"\]\)/)
        return true
      },
    )
  })

  it('every failure is reported: minimum and unexpected properties too', () => {
    assert.throws(
      () => resolveOptions(pkg, {service: {mem: 1, extra: true}}, validator),
      (e: CosmosError) => {
        const errors = (e.data as {errors: {keyword: string; unwanted?: string[]}[]}).errors
        assert.deepEqual(errors.map((x) => x.keyword).sort(), ['additionalProperties', 'minimum'])
        assert.deepEqual(errors.find((x) => x.keyword === 'additionalProperties')!.unwanted, ['extra'])
        return true
      },
    )
  })

  it('draft-3 boolean "required" and an old $schema do not break validation', () => {
    const old = def('1.0.0', 0, {config: {$schema: 'http://json-schema.org/schema#', type: 'object', properties: {a: {type: 'string', required: false, default: 'v'}}}})
    assert.deepEqual(resolveOptions(old, {}, validator), {a: 'v'})
  })

  it('options for a package without a config are OptionsNotAllowed', () => {
    assert.throws(() => resolveOptions(def('1.0.0', 0), {a: 1}, validator), (e: CosmosError) => e.type === 'OptionsNotAllowed')
    assert.deepEqual(resolveOptions(def('1.0.0', 0), {}, validator), {})
  })
})

describe('rendering', () => {
  it('escapes strings as JSON string contents and never as HTML', () => {
    const text = renderTemplate('{"a": "{{s}}", "n": {{n}}, "b": {{b}}, "j": {{#asJson}}o{{/asJson}}}', {s: 'say "hi" & <bye>\n', n: 1.5, b: true, o: {x: [1, 'y']}})
    assert.deepEqual(JSON.parse(text), {a: 'say "hi" & <bye>\n', n: 1.5, b: true, j: {x: [1, 'y']}})
  })

  it('appId replaces the id, package labels win over the template, and user options are encoded as given', () => {
    const template = Buffer.from('{"id": "/t", "cmd": "x", "labels": {"DCOS_PACKAGE_NAME": "fake", "OWN": "kept", "DCOS_PACKAGE_IS_FRAMEWORK": "true"}}').toString('base64')
    const pkg = def('1.0.0', 3, {marathon: {v2AppMustacheTemplate: template}})
    const app = renderApp({pkg, options: {a: 1}, userOptions: {a: 1}, source: 'http://repo', appId: '/other'})!
    assert.equal(app.id, '/other')
    const labels = app.labels as Record<string, string>
    assert.equal(labels.DCOS_PACKAGE_NAME, 'pk')
    assert.equal(labels.OWN, 'kept')
    assert.equal(labels.DCOS_PACKAGE_IS_FRAMEWORK, 'true', 'the template may say it is a framework')
    assert.equal(labels.DCOS_PACKAGE_SOURCE, 'http://repo')
    assert.equal(labels.DCOS_PACKAGE_RELEASE, '3')
    assert.equal(labels.DCOS_PACKAGE_REGISTRY_VERSION, '4.0')
    assert.deepEqual(JSON.parse(Buffer.from(labels.DCOS_PACKAGE_OPTIONS, 'base64').toString()), {a: 1})
  })

  it('labels that are not strings are refused', () => {
    const template = Buffer.from('{"id": "/t", "labels": {"A": 1}}').toString('base64')
    assert.throws(() => renderApp({pkg: def('1.0.0', 0, {marathon: {v2AppMustacheTemplate: template}}), options: {}, userOptions: {}, source: 's'}), (e: CosmosError) => e.type === 'InvalidLabels')
  })
})

describe('the bundled universe', () => {
  it('builds: valid packages, an index, its artifacts', () => {
    const out = tmp()
    const r = buildUniverse({root: ROOT, out})
    assert.ok(r.packages >= 2 && r.revisions >= 3)
    const index = JSON.parse(fs.readFileSync(path.join(out, 'repo.json'), 'utf8'))
    const repo = parseIndex('bundled', index)
    assert.deepEqual(repo.revisions('hello').map((p) => p.version), ['1.1.0', '1.0.0'])
    for (const f of r.artifacts) assert.ok(fs.statSync(path.join(out, 'artifacts', f)).size > 0)
  })

  it('relative artifact URIs resolve against the repository URL, docker images and other fields stay', () => {
    const repo = loadDirectory(path.join(ROOT, 'universe'))
    const hello = resolveResourceUris(repo.select('hello'), 'http://127.0.0.1:9/package/universe/repo')
    assert.equal(hello.resource?.assets?.uris?.['hello-js'], 'http://127.0.0.1:9/package/universe/artifacts/hello.js')
    const chronos = readRevision('chronos/7').pkg
    assert.deepEqual(resolveResourceUris(chronos, 'http://x/').resource, chronos.resource)
  })

  it('an invalid package fails the build, naming the file and the problem', () => {
    const src = tmp()
    fs.cpSync(path.join(ROOT, 'universe'), src, {recursive: true})
    const pkgFile = path.join(src, 'repo/packages/H/hello/0/package.json')
    fs.writeFileSync(pkgFile, JSON.stringify({...JSON.parse(fs.readFileSync(pkgFile, 'utf8')), tags: ['has space']}))
    const cfgFile = path.join(src, 'repo/packages/S/static-server/0/config.json')
    fs.writeFileSync(cfgFile, JSON.stringify({type: 'object', properties: {service: {type: 'nonsense'}}}))
    assert.throws(
      () => buildUniverse({root: ROOT, source: src, artifacts: path.join(src, 'artifacts.json'), schemas: path.join(src, 'meta/schema'), out: path.join(tmp(), 'out')}),
      (e: UniverseBuildError) => {
        assert.ok(e.problems.some((p) => p.includes('H/hello/0') && p.includes('package.json tags')), e.message)
        assert.ok(e.problems.some((p) => p.includes('S/static-server/0') && p.includes('config.json')), e.message)
        return true
      },
    )
  })
})

describe('loading repositories', () => {
  it('by http URL of an index served with the Universe media type; a 404 is IndexNotFound', async () => {
    const http = await import('node:http')
    const index = fs.readFileSync(path.join(FIXTURES, 'repo-index-samples/cosmos-test-v3-repo-up-to-1.8.json'))
    const accepts: string[] = []
    const server = http.createServer((req, res) => {
      accepts.push(String(req.headers.accept))
      if (req.url === '/repo') res.writeHead(200, {'Content-Type': 'application/vnd.dcos.universe.repo+json;charset=utf-8;version=v3'}).end(index)
      else res.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const base = `http://127.0.0.1:${(server.address() as {port: number}).port}`
      const repo = await loadRepository(`${base}/repo`)
      assert.deepEqual(repo.names(), ['cassandra', 'nginx'])
      assert.match(accepts[0], /application\/vnd\.dcos\.universe\.repo\+json;charset=utf-8;version=v4/)
      await assert.rejects(loadRepository(`${base}/missing`), (e: CosmosError) => e.type === 'IndexNotFound')
    } finally {
      server.close()
    }
  })

  it('by file:// URL of a Universe directory, of an index file, and broken ones with clear errors', async () => {
    const dirRepo = await loadRepository(`file://${path.join(ROOT, 'universe')}`)
    assert.ok(dirRepo.has('hello') && dirRepo.has('static-server'))
    const indexFile = path.join(tmp(), 'index.json')
    fs.writeFileSync(indexFile, fs.readFileSync(path.join(FIXTURES, 'repo-index-samples/cosmos-test-v3-repo-up-to-1.8.json')))
    assert.ok((await loadRepository(`file://${indexFile}`)).has('nginx'))
    await assert.rejects(loadRepository('file:///nonexistent/universe'), (e: CosmosError) => e.type === 'RepositoryUriConnection')
    await assert.rejects(loadRepository('ftp://x/repo'), (e: CosmosError) => e.type === 'RepositoryUriSyntax')
    fs.writeFileSync(indexFile, '{"not": "an index"}')
    await assert.rejects(loadRepository(`file://${indexFile}`), (e: CosmosError) => e.type === 'IndexNotFound')
    await assert.rejects(loadRepository('http://127.0.0.1:1/repo'), (e: CosmosError) => e.type === 'RepositoryUriConnection')
  })
})
