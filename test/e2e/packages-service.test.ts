/**
 * The package service in a real local cluster (auth on), with raw HTTP as a script or another
 * Cosmos client would use it: search and describe the bundled repository, install hello (the
 * agent fetches its artifact from the gateway's public artifacts path; the app runs and is
 * healthy in Marathon with the DCOS_PACKAGE_* labels and answers with the configured message),
 * a second install of the same app id is a conflict, list shows it, uninstall removes it and its
 * task; options of the wrong type are a JsonSchemaMismatch naming the field; a repository added
 * by file:// URL of a Universe directory serves its packages, and one that breaks later does not
 * break search. static-server installs at a chosen version and app id and serves its page. Chronos (a framework) is installed with a provisioned service account and
 * uninstalled: its framework is torn down and its account and secret are gone. Every answer is
 * checked against Cosmos's RPC JSON schemas.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {schemaErrors} from '../unit/cosmos-schemas'
import {ROOT, Sandbox, cosmosCall, cosmosMedia, waitFor} from './harness'


describe('package service in a local cluster', () => {
  const sb = new Sandbox('dcos-e2e-packages-')
  let url = ''
  let auth: Record<string, string> = {}

  const call = (rpc: string, body: unknown, version = 1) => cosmosCall(url, rpc, body, auth, version)

  async function marathon(method: string, p: string): Promise<{status: number; body: any}> {
    const res = await fetch(`${url}/marathon${p}`, {method, headers: auth})
    const text = await res.text()
    return {status: res.status, body: text ? JSON.parse(text) : undefined}
  }

  before(async () => {
    url = await sb.up(1, ['--cpus', '4'])
    auth = await sb.authHeaders()
  })
  after(() => sb.cleanup())

  it('needs a token for the RPCs, but not for the bundled index and artifacts', async () => {
    const res = await fetch(`${url}/package/search`, {method: 'POST', headers: {'Content-Type': cosmosMedia('search', 'request')}, body: '{}'})
    assert.equal(res.status, 401)
    await res.body?.cancel()
    const artifact = await fetch(`${url}/package/universe/artifacts/hello.js`)
    assert.equal(artifact.status, 200)
    await artifact.body?.cancel()
  })

  it('searches and describes the bundled repository', async () => {
    const search = await call('search', {query: ''})
    assert.equal(search.status, 200)
    assert.deepEqual(schemaErrors('v1', 'SearchResponse', search.body), [])
    const names = search.body.packages.map((p: {name: string}) => p.name)
    for (const n of ['hello', 'static-server', 'chronos']) assert.ok(names.includes(n), names.join())
    const describe = await call('describe', {packageName: 'hello'}, 3)
    assert.deepEqual(schemaErrors('v3', 'DescribeResponse', describe.body), [])
    assert.equal(describe.body.package.version, '1.1.0')
    assert.ok(describe.body.package.preInstallNotes)
  })

  it('installs hello: running and healthy in Marathon with the labels, answering with its message', async () => {
    const options = {service: {name: 'hello-e2e'}, hello: {message: 'hi from the package service'}}
    const install = await call('install', {packageName: 'hello', options}, 2)
    assert.equal(install.status, 200, JSON.stringify(install.body))
    assert.deepEqual(schemaErrors('v2', 'InstallResponse', install.body), [])
    assert.equal(install.body.appId, '/hello-e2e')
    assert.equal(install.body.packageVersion, '1.1.0')
    assert.ok(install.body.postInstallNotes)

    const app = await waitFor(
      'hello-e2e healthy',
      async () => {
        const r = await marathon('GET', '/v2/apps/hello-e2e?embed=apps.tasks')
        return r.status === 200 && r.body.app.tasksHealthy === 1 ? r.body.app : undefined
      },
      60_000,
      250,
    )
    const labels = app.labels
    assert.equal(labels.DCOS_PACKAGE_NAME, 'hello')
    assert.equal(labels.DCOS_PACKAGE_VERSION, '1.1.0')
    assert.equal(labels.DCOS_PACKAGE_RELEASE, '1')
    assert.equal(labels.DCOS_PACKAGE_SOURCE, `${url}/package/universe/repo`)
    assert.deepEqual(JSON.parse(Buffer.from(labels.DCOS_PACKAGE_OPTIONS, 'base64').toString()), options)
    assert.equal(JSON.parse(Buffer.from(labels.DCOS_PACKAGE_DEFINITION, 'base64').toString()).data.name, 'hello')
    assert.ok(labels.DCOS_PACKAGE_METADATA && labels.DCOS_PACKAGE_REGISTRY_VERSION === '4.0')
    const task = app.tasks[0]
    const res = await fetch(`http://${task.host}:${task.ports[0]}/`)
    assert.equal(await res.text(), 'hi from the package service\n')
  })

  it('a second install of the same app id is a 409 conflict', async () => {
    const again = await call('install', {packageName: 'hello', options: {service: {name: 'hello-e2e'}}}, 2)
    assert.equal(again.status, 409)
    assert.equal(again.body.type, 'PackageAlreadyInstalled')
    assert.match(again.body.message, /\/hello-e2e/)
  })

  it('lists the installed package', async () => {
    const list = await call('list', {})
    assert.equal(list.status, 200)
    assert.deepEqual(schemaErrors('v1', 'ListResponse', list.body), [])
    const mine = list.body.packages.find((p: {appId: string}) => p.appId === '/hello-e2e')
    assert.equal(mine.packageInformation.packageDefinition.name, 'hello')
    assert.equal(mine.packageInformation.packageDefinition.version, '1.1.0')
    assert.deepEqual((await call('list', {packageName: 'static-server'})).body.packages, [])
  })

  it('options of the wrong type are a JsonSchemaMismatch naming the field, and nothing is installed', async () => {
    const bad = await call('install', {packageName: 'hello', options: {service: {name: 'hello-bad', instances: 'two'}}}, 2)
    assert.equal(bad.status, 400)
    assert.equal(bad.body.type, 'JsonSchemaMismatch')
    assert.equal(bad.body.data.errors[0].instance.pointer, '/service/instances')
    assert.equal((await marathon('GET', '/v2/apps/hello-bad')).status, 404)
  })

  it('uninstalls hello: the app and its task are gone', async () => {
    const un = await call('uninstall', {packageName: 'hello'})
    assert.equal(un.status, 200, JSON.stringify(un.body))
    assert.deepEqual(schemaErrors('v1', 'UninstallResponse', un.body), [])
    assert.deepEqual(un.body.results.map((r: {appId: string}) => r.appId), ['/hello-e2e'])
    assert.equal((await marathon('GET', '/v2/apps/hello-e2e')).status, 404)
    await waitFor('no running task of hello-e2e', async () => {
      const state = JSON.parse((await sb.get(`${url}/mesos/master/state`)).body)
      return !state.frameworks.some((f: {tasks: {name: string; state: string}[]}) => f.tasks.some((t) => t.name.includes('hello-e2e') && t.state === 'TASK_RUNNING'))
    }, 30_000, 250)
    assert.equal((await call('uninstall', {packageName: 'hello'})).body.type, 'PackageNotInstalled')
  })

  it('installs static-server (version picked) serving its welcome page, and uninstalls it by app id', async () => {
    const install = await call('install', {packageName: 'static-server', packageVersion: '1.0.0', appId: '/web/files', options: {static: {message: 'Files & <more>'}}}, 2)
    assert.equal(install.status, 200, JSON.stringify(install.body))
    assert.equal(install.body.appId, '/web/files')
    const app = await waitFor(
      'static-server healthy',
      async () => {
        const r = await marathon('GET', '/v2/apps/web/files?embed=apps.tasks')
        return r.status === 200 && r.body.app.tasksHealthy === 1 ? r.body.app : undefined
      },
      60_000,
      250,
    )
    const page = await (await fetch(`http://${app.tasks[0].host}:${app.tasks[0].ports[0]}/`)).text()
    assert.match(page, /<h1>Files &amp; &lt;more&gt;<\/h1>/)
    const outside = await fetch(`http://${app.tasks[0].host}:${app.tasks[0].ports[0]}/..%2f..%2fstdout`)
    assert.equal(outside.status, 404)
    await outside.body?.cancel()
    const un = await call('uninstall', {packageName: 'static-server', appId: 'web/files'})
    assert.equal(un.status, 200, JSON.stringify(un.body))
    assert.equal((await marathon('GET', '/v2/apps/web/files')).status, 404)
  })

  it('installs chronos with a provisioned service account; uninstall tears its framework down and removes the account and secret', async () => {
    const install = await call('install', {packageName: 'chronos', options: {service: {name: 'chronos-e2e'}}}, 2)
    assert.equal(install.status, 200, JSON.stringify(install.body))
    assert.deepEqual(schemaErrors('v2', 'InstallResponse', install.body), [])
    assert.equal(install.body.cli.binaries.linux['x86-64'].url, `${url}/package/universe/artifacts/dcos-chronos.zip`, 'the package CLI, its URL absolute')
    const secretUrl = `${url}/secrets/v1/secret/default/chronos-e2e/serviceCredential`
    assert.equal((await sb.get(secretUrl)).status, 200, 'the credential is stored as <service>/serviceCredential')
    assert.equal((await sb.get(`${url}/acs/api/v1/users/chronos-e2e`)).status, 200, 'the service account exists')
    const frameworks = async () => JSON.parse((await sb.get(`${url}/mesos/master/frameworks`)).body).frameworks as {name: string; id: string; tasks: unknown[]}[]
    await waitFor('chronos-e2e registered as a framework', async () => (await frameworks()).some((f) => f.name === 'chronos-e2e'), 90_000, 500)

    const un = await call('uninstall', {packageName: 'chronos', appId: 'chronos-e2e'})
    assert.equal(un.status, 200, JSON.stringify(un.body))
    assert.deepEqual(un.body.results.map((r: {appId: string}) => r.appId), ['/chronos-e2e'])
    assert.ok(!(await frameworks()).some((f) => f.name === 'chronos-e2e'), 'no framework named chronos-e2e stays registered')
    assert.equal((await marathon('GET', '/v2/apps/chronos-e2e')).status, 404)
    assert.equal((await sb.get(secretUrl)).status, 404)
    const account = await sb.get(`${url}/acs/api/v1/users/chronos-e2e`)
    assert.equal(account.status, 400, 'DC/OS IAM answers 400 for an unknown uid')
    assert.match(account.body, /ERR_UNKNOWN_USER_ID/)
  })

  it('serves the packages of a repository added by file:// URL; one that breaks later does not break search', async () => {
    const dir = path.join(sb.dir, 'my-universe')
    fs.cpSync(path.join(ROOT, 'universe', 'repo', 'packages', 'H', 'hello', '0'), path.join(dir, 'repo', 'packages', 'G', 'greeter', '0'), {recursive: true})
    const pj = path.join(dir, 'repo/packages/G/greeter/0/package.json')
    fs.writeFileSync(pj, JSON.stringify({...JSON.parse(fs.readFileSync(pj, 'utf8')), name: 'greeter', version: '0.1.0'}))
    // A real Universe package (nginx, Docker-only) beside it, as is.
    fs.cpSync('/work/shared/fixtures/universe-real/nginx/6', path.join(dir, 'repo', 'packages', 'N', 'nginx', '6'), {recursive: true})
    const add = await call('repository.add', {name: 'mine', uri: `file://${dir}`})
    assert.equal(add.status, 200, JSON.stringify(add.body))
    // file:// repositories are our extension: Cosmos's schema allows only http(s) URIs.
    const asHttp = {repositories: add.body.repositories.map((r: {uri: string}) => ({...r, uri: r.uri.replace(/^file:/, 'http:')}))}
    assert.deepEqual(schemaErrors('v1', 'PackageRepositoryAddResponse', asHttp), [])
    assert.deepEqual(add.body.repositories.map((r: {name: string}) => r.name), ['Universe', 'mine'])
    const found = await call('search', {query: 'greet*'})
    assert.deepEqual(found.body.packages.map((p: {name: string}) => p.name), ['greeter'])
    const rendered = await call('render', {packageName: 'greeter'})
    assert.equal(rendered.body.marathonJson.labels.DCOS_PACKAGE_SOURCE, `file://${dir}`)
    assert.equal(rendered.body.marathonJson.fetch[0].uri, `file://${dir}/artifacts/hello.js`, 'relative artifact URIs resolve against the repository')

    const docker = await call('install', {packageName: 'nginx'}, 2)
    assert.equal(docker.status, 400)
    assert.equal(docker.body.type, 'MarathonBadResponse')
    assert.match(docker.body.message, /\/container\/type: .*container engine/, 'the refusal says why')

    const broken = await call('repository.add', {name: 'nowhere', uri: 'http://127.0.0.1:9/repo'})
    assert.equal(broken.body.type, 'RepositoryUriConnection')
    fs.rmSync(dir, {recursive: true, force: true})
    const search = await call('search', {})
    assert.equal(search.status, 200)
    assert.ok(search.body.packages.some((p: {name: string}) => p.name === 'hello'))
    assert.ok(!search.body.packages.some((p: {name: string}) => p.name === 'greeter'))
    const del = await call('repository.delete', {name: 'mine'})
    assert.deepEqual(del.body.repositories.map((r: {name: string}) => r.name), ['Universe'])
  })
})
