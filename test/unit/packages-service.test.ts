/**
 * The package service's contract, in-process in a real gateway (auth off, no Marathon): every
 * answer of search, describe (v1, v2, v3), list-versions, render and repository list/add/delete
 * is checked with ajv against Cosmos's own JSON schemas of the RPC bodies
 * (/work/shared/fixtures/universe-real/cosmos-rpc-schemas), errors have Cosmos's shape and media
 * type, media types are negotiated, and the bundled index and artifacts are served read-only.
 * Install, list and uninstall against a real Marathon are in test/e2e/packages-service.test.ts.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import type {Component} from '../../src/runtime/config'
import {startGateway} from '../../src/runtime/gateway'
import {silentLogger} from '../../src/runtime/log'
import {negotiateVersion, REPO_MEDIA_TYPE} from '../../src/runtime/packages'
import {schemaErrors} from './cosmos-schemas'

const ROOT = path.resolve(__dirname, '..', '..')

const MEDIA = (rpc: string, kind: 'request' | 'response', v = 1) => `application/vnd.dcos.package.${rpc}-${kind}+json;charset=utf-8;version=v${v}`

let gateway: Component
let url: string
const dirs: string[] = []

async function call(rpc: string, body: unknown, opts: {accept?: string; contentType?: string; version?: number} = {}) {
  const res = await fetch(`${url}/package/${rpc.replace('.', '/')}`, {
    method: 'POST',
    headers: {'Content-Type': opts.contentType ?? MEDIA(rpc, 'request'), Accept: opts.accept ?? MEDIA(rpc, 'response', opts.version ?? 1)},
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await res.text()
  return {status: res.status, type: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined}
}

before(async () => {
  // A master that has no frameworks: the service answers all but install/uninstall without one.
  const master = await import('node:http').then(
    (http) =>
      new Promise<{close: () => void; url: string}>((resolve) => {
        const s = http.createServer((req, res) => {
          res.writeHead(200, {'Content-Type': 'application/json'})
          res.end(req.url?.startsWith('/master/frameworks') ? '{"frameworks":[]}' : '{"slaves":[]}')
        })
        s.listen(0, '127.0.0.1', () => resolve({url: `http://127.0.0.1:${(s.address() as {port: number}).port}`, close: () => s.close()}))
      }),
  )
  after(() => master.close())
  gateway = await startGateway({role: 'gateway', host: '127.0.0.1', port: 0, masterUrl: master.url, clusterId: 'c', clusterName: 'c'}, {log: silentLogger})
  url = gateway.url
})
after(async () => {
  await gateway?.close()
  for (const d of dirs) fs.rmSync(d, {recursive: true, force: true})
})

describe('package service contract (Cosmos RPC schemas)', () => {
  it('search: all bundled packages, selected first, the response valid', async () => {
    const r = await call('search', {})
    assert.equal(r.status, 200)
    assert.equal(r.type, MEDIA('search', 'response'))
    assert.deepEqual(schemaErrors('v1', 'SearchResponse', r.body), [])
    const names = r.body.packages.map((p: {name: string}) => p.name)
    assert.ok(names.includes('hello') && names.includes('static-server'), names.join())
    assert.equal(names[0], 'hello', 'selected packages first')
    const hello = r.body.packages.find((p: {name: string}) => p.name === 'hello')
    assert.equal(hello.currentVersion, '1.1.0')
    assert.deepEqual(hello.versions, {'1.0.0': 0, '1.1.0': 1})
    const q = await call('search', {query: 'STATIC'})
    assert.deepEqual(q.body.packages.map((p: {name: string}) => p.name), ['static-server'])
    const wild = await call('search', {query: 'stat*'})
    assert.deepEqual(wild.body.packages.map((p: {name: string}) => p.name), ['static-server'])
  })

  it('describe v3, v2 and v1 each match their schema; artifact URIs are absolute cluster URLs', async () => {
    const v3 = await call('describe', {packageName: 'hello'}, {version: 3})
    assert.equal(v3.status, 200)
    assert.deepEqual(schemaErrors('v3', 'DescribeResponse', v3.body), [])
    assert.equal(v3.body.package.version, '1.1.0')
    assert.equal(v3.body.package.resource.assets.uris['hello-js'], `${url}/package/universe/artifacts/hello.js`)
    const v2 = await call('describe', {packageName: 'hello', packageVersion: '1.0.0'}, {version: 2})
    assert.deepEqual(schemaErrors('v2', 'DescribeResponse', v2.body), [])
    assert.equal(v2.body.version, '1.0.0')
    const v1 = await call('describe', {packageName: 'static-server'}, {version: 1})
    assert.deepEqual(schemaErrors('v1', 'DescribeResponse', v1.body), [])
    assert.match(v1.body.marathonMustache, /node static-server.js/)
    const any = await call('describe', {packageName: 'hello'}, {accept: '*/*'})
    assert.equal(any.type, MEDIA('describe', 'response', 3), 'the newest for */*')
  })

  it('list-versions and render match their schemas; render applies options and labels', async () => {
    const lv = await call('list-versions', {packageName: 'hello', includePackageVersions: true})
    assert.deepEqual(schemaErrors('v1', 'ListVersionsResponse', lv.body), [])
    assert.deepEqual(lv.body.results, {'1.0.0': '0', '1.1.0': '1'})
    const r = await call('render', {packageName: 'hello', options: {service: {name: 'hi'}, hello: {message: 'a "quoted" & <b>'}}})
    assert.equal(r.status, 200)
    assert.deepEqual(schemaErrors('v1', 'RenderResponse', r.body), [])
    const app = r.body.marathonJson
    assert.equal(app.id, '/hi')
    assert.equal(app.env.HELLO_MESSAGE, 'a "quoted" & <b>')
    assert.equal(app.fetch[0].uri, `${url}/package/universe/artifacts/hello.js`)
    assert.equal(app.labels.DCOS_PACKAGE_NAME, 'hello')
    assert.equal(app.labels.DCOS_PACKAGE_SOURCE, `${url}/package/universe/repo`)
    assert.deepEqual(JSON.parse(Buffer.from(app.labels.DCOS_PACKAGE_OPTIONS, 'base64').toString()), {service: {name: 'hi'}, hello: {message: 'a "quoted" & <b>'}})
  })

  it('picks a version: --package-version renders that revision, the default is the newest', async () => {
    const old = await call('render', {packageName: 'hello', packageVersion: '1.0.0'})
    assert.equal(old.body.marathonJson.labels.DCOS_PACKAGE_VERSION, '1.0.0')
    assert.equal(old.body.marathonJson.labels.DCOS_PACKAGE_RELEASE, '0')
    assert.equal(old.body.marathonJson.env.HELLO_ECHO, undefined, '1.0.0 has no echo option')
    const newest = await call('render', {packageName: 'hello'})
    assert.equal(newest.body.marathonJson.labels.DCOS_PACKAGE_VERSION, '1.1.0')
    assert.equal(newest.body.marathonJson.env.HELLO_ECHO, 'true')
  })

  it('GET /capabilities says package management, in its schema', async () => {
    const res = await fetch(`${url}/capabilities`)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'application/vnd.dcos.capabilities+json;charset=utf-8;version=v1')
    assert.deepEqual(schemaErrors('v1', 'CapabilitiesResponse', await res.json()), [])
  })

  it('errors: PackageNotFound, VersionNotFound, JsonSchemaMismatch naming the field, in Cosmos shape and media type', async () => {
    const nf = await call('describe', {packageName: 'nope'})
    assert.equal(nf.status, 400)
    assert.equal(nf.type, 'application/vnd.dcos.package.error+json;charset=utf-8;version=v1')
    assert.deepEqual(nf.body, {type: 'PackageNotFound', message: 'Package [nope] not found', data: {packageName: 'nope'}})
    const vnf = await call('describe', {packageName: 'hello', packageVersion: '9.9.9'})
    assert.equal(vnf.body.type, 'VersionNotFound')
    const bad = await call('render', {packageName: 'hello', options: {service: {instances: 'two'}}})
    assert.equal(bad.status, 400)
    assert.equal(bad.body.type, 'JsonSchemaMismatch')
    assert.equal(bad.body.message, 'Options JSON failed validation')
    assert.equal(bad.body.data.errors[0].instance.pointer, '/service/instances')
    assert.deepEqual(bad.body.data.errors[0].expected, ['integer'])
    const malformed = await call('describe', '{not json')
    assert.equal(malformed.status, 400)
    assert.equal(malformed.body.type, 'MalformedRequest')
    const noName = await call('describe', {})
    assert.equal(noName.body.type, 'MalformedRequest')
  })

  it('media types: a wrong Content-Type is 415, an Accept we cannot produce 406, variants tolerated', async () => {
    const r415 = await call('search', {}, {contentType: 'text/plain'})
    assert.equal(r415.status, 415)
    assert.equal(r415.body.type, 'UnsupportedContentType')
    const r406 = await call('search', {}, {accept: MEDIA('search', 'response', 7)})
    assert.equal(r406.status, 406)
    assert.equal((await call('search', {}, {contentType: 'application/vnd.dcos.package.search-request+json; version=v1', accept: 'application/vnd.dcos.package.search-response+json'})).status, 200)
    assert.equal((await call('search', {}, {contentType: 'application/json', accept: 'application/json'})).status, 200)
    assert.equal(negotiateVersion('describe', `${MEDIA('describe', 'response', 2)},${MEDIA('describe', 'response', 3)};q=0.5`), 2)
    assert.equal(negotiateVersion('install', MEDIA('install', 'response', 1)), 1)
  })

  it('repositories: list, add a Universe directory by file:// URL (at an index), refuse duplicates and broken ones, delete', async () => {
    const list = await call('repository.list', {})
    assert.deepEqual(schemaErrors('v1', 'PackageRepositoryListResponse', list.body), [])
    assert.deepEqual(list.body.repositories, [{name: 'Universe', uri: `${url}/package/universe/repo`}])

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pkg-repo-'))
    dirs.push(dir)
    fs.cpSync(path.join(ROOT, 'universe/repo/packages/S/static-server'), path.join(dir, 'repo/packages/E/extra-server'), {recursive: true})
    const pj = path.join(dir, 'repo/packages/E/extra-server/0/package.json')
    fs.writeFileSync(pj, JSON.stringify({...JSON.parse(fs.readFileSync(pj, 'utf8')), name: 'extra-server', version: '2.0.0'}))
    const added = await call('repository.add', {name: 'local', uri: `file://${dir}`, index: 0})
    assert.equal(added.status, 200, JSON.stringify(added.body))
    assert.deepEqual(added.body.repositories.map((r: {name: string}) => r.name), ['local', 'Universe'])
    assert.equal((await call('describe', {packageName: 'extra-server'}, {version: 3})).body.package.version, '2.0.0')
    // A package edited in place (as one does while writing it) is seen at once.
    fs.writeFileSync(pj, JSON.stringify({...JSON.parse(fs.readFileSync(pj, 'utf8')), version: '2.1.0-dev'}))
    assert.equal((await call('describe', {packageName: 'extra-server'}, {version: 3})).body.package.version, '2.1.0-dev')

    const dup = await call('repository.add', {name: 'local', uri: 'http://127.0.0.1:1/x'})
    assert.equal(dup.body.type, 'RepositoryAlreadyPresent')
    const broken = await call('repository.add', {name: 'broken', uri: 'file:///nonexistent/universe'})
    assert.equal(broken.body.type, 'RepositoryUriConnection')
    const oob = await call('repository.add', {name: 'far', uri: `file://${dir}/repo`, index: 9})
    assert.equal(oob.body.type, 'RepositoryAddIndexOutOfBounds')

    // A repository that breaks after it was added: the others still answer.
    fs.rmSync(dir, {recursive: true, force: true})
    const search = await call('search', {})
    assert.equal(search.status, 200)
    assert.ok(search.body.packages.some((p: {name: string}) => p.name === 'hello'))
    const gone = await call('describe', {packageName: 'extra-server'})
    assert.equal(gone.body.type, 'PackageNotFound')
    assert.match(gone.body.message, /repository \[local\] could not be read/)

    const del = await call('repository.delete', {name: 'local'})
    assert.deepEqual(schemaErrors('v1', 'PackageRepositoryDeleteResponse', del.body), [])
    assert.deepEqual(del.body.repositories.map((r: {name: string}) => r.name), ['Universe'])
    assert.equal((await call('repository.delete', {name: 'local'})).body.type, 'RepositoryNotPresent')
  })

  it('install without a Marathon is a clear 503, not a 500', async () => {
    const r = await call('install', {packageName: 'hello'}, {version: 2})
    assert.equal(r.status, 503)
    assert.equal(r.body.type, 'ServiceUnavailable')
  })
})

describe('the bundled repository over HTTP (public, read-only)', () => {
  it('serves the index with the Universe media type and absolute artifact URLs', async () => {
    const res = await fetch(`${url}/package/universe/repo`)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), REPO_MEDIA_TYPE)
    const index = (await res.json()) as {packages: {name: string; resource: {assets: {uris: Record<string, string>}}}[]}
    const hello = index.packages.find((p) => p.name === 'hello')!
    assert.equal(hello.resource.assets.uris['hello-js'], `${url}/package/universe/artifacts/hello.js`)
  })

  it('serves artifacts, and nothing outside the artifacts directory', async () => {
    const res = await fetch(`${url}/package/universe/artifacts/hello.js`)
    assert.equal(res.status, 200)
    assert.match(await res.text(), /HELLO_MESSAGE/)
    for (const p of ['..%2Frepo.json', '%2e%2e', '.hidden', 'nope.js', '..%2F..%2Fpackage.json']) {
      const r = await fetch(`${url}/package/universe/artifacts/${p}`)
      assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`)
      await r.body?.cancel()
    }
    const post = await fetch(`${url}/package/universe/artifacts/hello.js`, {method: 'POST'})
    assert.equal(post.status, 405)
  })
})

describe('framework credentials and persistence (the service over a stand-in Marathon)', () => {
  /** Marathon as the service sees it: apps by id, a POST that may be refused. */
  function standIn(refuse = false) {
    const apps = new Map<string, Record<string, unknown>>()
    const cluster = {
      marathon: async (method: string, p: string, json?: unknown) => {
        const id = p.replace(/^\/v2\/apps/, '').replace(/\?.*$/, '')
        if (method === 'GET' && p.startsWith('/v2/apps/')) return apps.has(id) ? {status: 200, body: {app: apps.get(id)}} : {status: 404, body: {}}
        if (method === 'POST') {
          if (refuse) return {status: 422, body: {message: 'Object is not valid'}}
          const app = json as Record<string, unknown>
          apps.set(String(app.id), app)
          return {status: 201, body: app}
        }
        if (method === 'DELETE') return {status: apps.delete(id) ? 200 : 404, body: {}}
        return {status: 404, body: {}}
      },
      apps: async () => [...apps.values()],
      frameworkIds: async () => [],
      teardown: async () => {},
    }
    return {apps, cluster}
  }

  async function service(refuse = false) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pkg-svc-'))
    dirs.push(dir)
    const {Store} = await import('../../src/runtime/store')
    const {Repositories} = await import('../../src/runtime/packages/repositories')
    const {PackageService} = await import('../../src/runtime/packages')
    const {defaultUniverseDir} = await import('../../src/runtime/packages')
    const store = Store.open(dir)
    const accounts = new Map<string, number>()
    const secrets = new Map<string, string>()
    let keys = 0
    const {apps, cluster} = standIn(refuse)
    const svc = new PackageService({
      repositories: new Repositories({store, universeDir: defaultUniverseDir(), publicUrl: () => 'http://gw'}),
      cluster: cluster as never,
      log: silentLogger,
      store,
      accounts: {
        provisionServiceAccount: async (uid) => {
          accounts.set(uid, ++keys)
          return {scheme: 'RS256', uid, private_key: `key-${keys}`}
        },
        removeServiceAccount: async (uid) => accounts.delete(uid),
      },
      secrets: {put: async (p, v) => void secrets.set(p, v), delete: async (p) => secrets.delete(p)},
      uninstallWaitMs: 0,
    })
    after(() => store.close())
    return {svc, apps, accounts, secrets, store, dir}
  }

  it('provisions a service account and its secret for a package that asks, fills the options, and removes both on uninstall', async () => {
    const {svc, apps, accounts, secrets} = await service()
    const r = await svc.install({packageName: 'chronos', options: {service: {name: 'cron'}}})
    assert.equal(r.appId, '/cron')
    assert.deepEqual([...accounts.keys()], ['cron'])
    assert.equal(JSON.parse(secrets.get('cron/serviceCredential')!).uid, 'cron')
    const app = apps.get('/cron') as {secrets: Record<string, {source: string}>; env: Record<string, unknown>; labels: Record<string, string>}
    assert.equal(app.secrets.serviceCredential.source, 'cron/serviceCredential')
    assert.deepEqual(app.env.DCOS_SERVICE_ACCOUNT_CREDENTIAL, {secret: 'serviceCredential'})
    assert.deepEqual(JSON.parse(Buffer.from(app.labels.DCOS_PACKAGE_OPTIONS, 'base64').toString()), {service: {name: 'cron'}}, 'the labels keep what the user gave')

    await assert.rejects(svc.install({packageName: 'chronos', appId: '/cron-2', options: {service: {name: 'cron'}}}), (e: {type: string; status: number}) => e.type === 'ServiceAccountInUse' && e.status === 409)
    assert.equal(accounts.get('cron'), 1, 'the first install keeps its key')

    await svc.uninstall({packageName: 'chronos'})
    assert.equal(accounts.size, 0)
    assert.equal(secrets.size, 0)
  })

  it('provisions nothing when the user names a secret, or for a package that does not ask', async () => {
    const {svc, accounts} = await service()
    await svc.install({packageName: 'chronos', options: {service: {name: 'mine', service_account: 'me', service_account_secret: 'my/secret'}}})
    await svc.install({packageName: 'hello'})
    assert.equal(accounts.size, 0)
  })

  it('uninstall: one of several installs by app id, all with all, ambiguous otherwise', async () => {
    const {svc, apps} = await service()
    await svc.install({packageName: 'hello', appId: '/a', options: {service: {name: 'a'}}})
    await svc.install({packageName: 'hello', packageVersion: '1.0.0', appId: '/b', options: {service: {name: 'b'}}})
    await assert.rejects(svc.uninstall({packageName: 'hello'}), (e: {type: string; message: string}) => e.type === 'AmbiguousAppId' && e.message === 'Multiple apps named [hello] are installed: [/a, /b]')
    await assert.rejects(svc.uninstall({packageName: 'hello', appId: '/c'}), (e: {type: string}) => e.type === 'UninstallNonExistentAppForPackage')
    const listed = await svc.list({packageName: 'hello'})
    assert.deepEqual(listed.packages.map((p) => [p.appId, (p.packageInformation.packageDefinition as {version: string}).version]), [['/a', '1.1.0'], ['/b', '1.0.0']])
    const one = await svc.uninstall({packageName: 'hello', appId: 'b'})
    assert.deepEqual(one.results.map((r) => [r.appId, r.packageVersion]), [['/b', '1.0.0']])
    await svc.install({packageName: 'hello', appId: '/c', options: {service: {name: 'c'}}})
    const both = await svc.uninstall({packageName: 'hello', all: true})
    assert.deepEqual(both.results.map((r) => r.appId), ['/a', '/c'])
    assert.equal(apps.size, 0)
    await assert.rejects(svc.uninstall({packageName: 'hello'}), (e: {type: string}) => e.type === 'PackageNotInstalled')
  })

  it('a refused app leaves no account or secret behind', async () => {
    const {svc, accounts, secrets} = await service(true)
    await assert.rejects(svc.install({packageName: 'chronos'}), (e: {type: string}) => e.type === 'MarathonBadResponse')
    assert.equal(accounts.size, 0)
    assert.equal(secrets.size, 0)
  })

  it('the repository list survives a restart', async () => {
    const {store, dir} = await service()
    const {Repositories} = await import('../../src/runtime/packages/repositories')
    const {Store} = await import('../../src/runtime/store')
    const {defaultUniverseDir} = await import('../../src/runtime/packages')
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'pkg-repo2-'))
    dirs.push(repo)
    fs.cpSync(path.join(ROOT, 'universe/repo'), path.join(repo, 'repo'), {recursive: true})
    const a = new Repositories({store, universeDir: defaultUniverseDir(), publicUrl: () => 'http://gw'})
    await a.add('copy', `file://${repo}`, 0)
    await store.close()
    const reopened = Store.open(dir)
    after(() => reopened.close())
    const b = new Repositories({store: reopened, universeDir: defaultUniverseDir(), publicUrl: () => 'http://gw2'})
    assert.deepEqual(b.list(), [{name: 'copy', uri: `file://${repo}`}, {name: 'Universe', uri: 'http://gw2/package/universe/repo'}])
  })
})
