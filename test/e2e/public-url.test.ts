/**
 * `dcos cluster up --host 0.0.0.0 --public-url ...`: the URLs the cluster hands out (bundled
 * package artifacts, a provisioned service account's login endpoint) carry the public URL, while
 * the CLI on this machine, attached on loopback, keeps loopback URLs.
 *
 * Only loopback networking here, so the "public" address is 127.0.0.2 on the gateway's own port:
 * a different address from the CLI's 127.0.0.1, reachable (the gateway binds every address), so
 * agents fetching artifacts and Chronos logging in on it really work. The port is learnt from a
 * first `up`; the restart keeps it.
 */
import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {Sandbox, cosmosCall} from './harness'


describe('a cluster with a public URL', () => {
  const sb = new Sandbox('dcos-e2e-public-url-')
  let url = ''
  let publicUrl = ''
  let auth: Record<string, string> = {}

  const call = (base: string, rpc: string, body: unknown, version = 1) => cosmosCall(base, rpc, body, auth, version)

  before(async () => {
    const first = await sb.up(1, ['--cpus', '4'])
    const port = new URL(first).port
    assert.equal((await sb.dcos('cluster', 'down')).code, 0)
    publicUrl = `http://127.0.0.2:${port}`
    const up = await sb.dcos('cluster', 'up', '--host', '0.0.0.0', '--public-url', `${publicUrl}/`)
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}\n${sb.logs()}`)
    assert.match(up.stdout, new RegExp(`Public URL: ${publicUrl}\\n`))
    url = (await sb.dcos('config', 'show', 'core.dcos_url')).stdout.trim()
    assert.equal(url, `http://127.0.0.1:${port}`, 'the CLI stays attached on loopback')
    auth = await sb.authHeaders()
  })
  after(() => sb.cleanup())

  it('refuses a public URL with a path, saying so, before starting anything', async () => {
    const r = await sb.dcos('cluster', 'up', '--name', 'other', '--public-url', 'http://dcos.example.com/dcos')
    assert.notEqual(r.code, 0)
    assert.match(r.stderr, /--public-url: .*no path, query or fragment/)
    assert.doesNotMatch(r.stderr + r.stdout, /Starting cluster/)
  })

  it('serves the bundled index on the public URL with artifact URLs on it, which agents and others can fetch', async () => {
    const index = await sb.get(`${publicUrl}/package/universe/repo`)
    assert.equal(index.status, 200)
    const artifacts = [...index.body.matchAll(/"(http:[^"]*\/package\/universe\/artifacts\/[^"]+)"/g)].map((m) => m[1])
    assert.ok(artifacts.length > 0)
    for (const a of artifacts) assert.ok(a.startsWith(`${publicUrl}/package/universe/artifacts/`), a)
    assert.equal((await sb.get(artifacts[0])).status, 200)
    const metadata = JSON.parse((await sb.get(`${publicUrl}/metadata`)).body)
    assert.equal(metadata.PUBLIC_IPV4, '127.0.0.2')
  })

  it('installs chronos: its CLI and login endpoint on the public URL; the loopback client sees loopback artifact URLs', async () => {
    const install = await call(publicUrl, 'install', {packageName: 'chronos', options: {service: {name: 'chronos-pub'}}}, 2)
    assert.equal(install.status, 200, JSON.stringify(install.body))
    assert.equal(install.body.cli.binaries.linux['x86-64'].url, `${publicUrl}/package/universe/artifacts/dcos-chronos.zip`)
    const secret = await sb.get(`${url}/secrets/v1/secret/default/chronos-pub/serviceCredential`)
    assert.equal(secret.status, 200)
    const credential = JSON.parse(JSON.parse(secret.body).value)
    assert.equal(credential.login_endpoint, `${publicUrl}/acs/api/v1/auth/login`)
    // The app Marathon got fetches its artifact from the public URL too.
    const app = JSON.parse((await sb.get(`${url}/marathon/v2/apps/chronos-pub`)).body).app
    assert.ok(
      app.fetch.some((f: {uri: string}) => f.uri === `${publicUrl}/package/universe/artifacts/chronos.js`),
      JSON.stringify(app.fetch),
    )
    // Cosmos answers with URLs on the origin the client came by: the CLI here came on loopback.
    const described = await call(url, 'describe', {packageName: 'chronos'}, 3)
    assert.equal(described.status, 200)
    assert.equal(described.body.package.resource.assets.uris['chronos-js'], `${url}/package/universe/artifacts/chronos.js`)
    const un = await call(url, 'uninstall', {packageName: 'chronos', appId: 'chronos-pub'})
    assert.equal(un.status, 200, JSON.stringify(un.body))
  })
})
