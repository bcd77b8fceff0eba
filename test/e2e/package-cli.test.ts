/**
 * `dcos package ...` as a new user runs it against a local cluster's package service: search the
 * bundled universe, describe hello (notes, versions, config schema), the --yes rule, an options
 * file with a wrong type, install hello until Marathon reports it running and healthy with the
 * package labels, list it, uninstall it; then a repository added by the path of a Universe
 * directory (sent as its file:// URL) that serves a newer hello with a package CLI: after the
 * install `dcos hello status` works (the real plugins/hello bundle, sha256-checked), after the
 * uninstall it is gone. Needs a fresh `node scripts/build.mjs`.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {ROOT, Sandbox, waitFor} from './harness'

interface AppSummary {
  id: string
  tasksRunning?: number
  tasksHealthy?: number
  labels?: Record<string, string>
}

describe('dcos package on a running cluster', () => {
  const sb = new Sandbox('dcos-e2e-package-')

  before(async () => {
    await sb.up(1)
  })
  after(() => sb.cleanup())

  const apps = async (): Promise<AppSummary[]> => {
    const r = await sb.dcos('marathon', 'app', 'list', '--json')
    assert.equal(r.code, 0, r.stderr)
    return JSON.parse(r.stdout) as AppSummary[]
  }
  const healthy = (id: string) =>
    waitFor(`${id} running and healthy`, async () => (await apps()).find((a) => a.id === id && a.tasksRunning === 1 && a.tasksHealthy === 1), 60_000, 250)
  const gone = (id: string) => waitFor(`${id} removed`, async () => !(await apps()).some((a) => a.id === id), 30_000, 250)

  it('search lists the bundled packages', async () => {
    const r = await sb.dcos('package', 'search')
    assert.equal(r.code, 0, r.stderr + sb.logs())
    assert.match(r.stdout, /^NAME +VERSION +CERTIFIED +FRAMEWORK +DESCRIPTION\n/)
    assert.match(r.stdout, /^hello +1\.1\.0 +/m)
    assert.match(r.stdout, /^static-server +\S+ +/m)
    const json = await sb.dcos('package', 'search', 'hel*', '--json')
    assert.deepEqual(
      (JSON.parse(json.stdout) as {packages: {name: string}[]}).packages.map((p) => p.name),
      ['hello'],
    )
  })

  it('describe shows the notes, the versions and the config schema', async () => {
    const r = await sb.dcos('package', 'describe', 'hello')
    assert.equal(r.code, 0, r.stderr)
    const {package: pkg} = JSON.parse(r.stdout)
    assert.equal(pkg.version, '1.1.0')
    assert.ok(pkg.preInstallNotes && pkg.postInstallNotes)
    const config = await sb.dcos('package', 'describe', 'hello', '--config')
    assert.equal(JSON.parse(config.stdout).properties.service.properties.instances.type, 'integer')
    const versions = await sb.dcos('package', 'describe', 'hello', '--package-versions')
    assert.deepEqual(JSON.parse(versions.stdout), ['1.1.0', '1.0.0'])
    const missing = await sb.dcos('package', 'describe', 'no-such-package')
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /^Error: Package \[no-such-package\] not found\. /)
  })

  it('without a terminal and without --yes nothing is installed, and the error names --yes', async () => {
    const r = await sb.dcos('package', 'install', 'hello')
    assert.equal(r.code, 1)
    assert.match(r.stderr, /Pass --yes to confirm\.\n$/)
    assert.equal((await apps()).length, 0)
  })

  it('an options file with a wrong type gets a message naming the field', async () => {
    const file = path.join(sb.dir, 'hello-options.json')
    fs.writeFileSync(file, JSON.stringify({service: {instances: 'two'}}))
    const r = await sb.dcos('package', 'install', 'hello', '--options', file, '--yes')
    assert.equal(r.code, 1)
    assert.match(r.stderr, /Error: Options JSON failed validation\n {2}service\.instances: expected integer, found string\n/)
    assert.equal((await apps()).length, 0)
  })

  it('install --yes runs the app until healthy, with the package labels; list shows it; uninstall removes it', async () => {
    const r = await sb.dcos('package', 'install', 'hello', '--yes')
    assert.equal(r.code, 0, r.stderr + sb.logs())
    assert.match(r.stderr, /Installing Marathon app for package \[hello\] version \[1\.1\.0\]\n/)
    const app = await healthy('/hello')
    assert.equal(app.labels?.DCOS_PACKAGE_NAME, 'hello')
    assert.equal(app.labels?.DCOS_PACKAGE_VERSION, '1.1.0')

    const list = await sb.dcos('package', 'list')
    assert.equal(list.code, 0, list.stderr)
    assert.match(list.stdout, /^hello +1\.1\.0 +true +\/hello +(---|hello) +/m)
    const again = await sb.dcos('package', 'install', 'hello', '--yes')
    assert.equal(again.code, 1)
    assert.match(again.stderr, /--app-id/)

    const u = await sb.dcos('package', 'uninstall', 'hello', '--yes')
    assert.equal(u.code, 0, u.stderr)
    assert.match(u.stderr, /^Uninstalled package \[hello\] version \[1\.1\.0\]\n/)
    await gone('/hello')
    const empty = await sb.dcos('package', 'list', '--json')
    assert.equal(empty.stdout, '[]\n')
  })

  it('a repository added by the path of a Universe directory serves its packages, and a package CLI comes and goes with its package', async () => {
    const index = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'plugins', 'index.json'), 'utf8'))
    const universe = path.join(sb.dir, 'my-universe')
    const revision = path.join(universe, 'repo', 'packages', 'H', 'hello', '0')
    fs.mkdirSync(revision, {recursive: true})
    fs.mkdirSync(path.join(universe, 'artifacts'))
    const bundled = path.join(ROOT, 'universe', 'repo', 'packages', 'H', 'hello', '1')
    for (const f of ['config.json', 'marathon.json.mustache']) fs.copyFileSync(path.join(bundled, f), path.join(revision, f))
    const pkg = JSON.parse(fs.readFileSync(path.join(bundled, 'package.json'), 'utf8'))
    fs.writeFileSync(path.join(revision, 'package.json'), JSON.stringify({...pkg, version: '2.0.0'}, null, 2))
    const binary = {kind: 'zip', url: 'artifacts/dcos-hello.zip', contentHash: [{algo: 'sha256', value: index.hello.sha256}]}
    const resource = {assets: {uris: {'hello-js': 'artifacts/hello.js'}}, cli: {binaries: {linux: {'x86-64': binary}, darwin: {'x86-64': binary}}}}
    fs.writeFileSync(path.join(revision, 'resource.json'), JSON.stringify(resource, null, 2))
    fs.copyFileSync(path.join(ROOT, 'universe', 'artifacts', 'hello.js'), path.join(universe, 'artifacts', 'hello.js'))
    fs.copyFileSync(path.join(ROOT, 'dist', 'plugins', index.hello.file), path.join(universe, 'artifacts', 'dcos-hello.zip'))

    const add = await sb.dcos('package', 'repo', 'add', 'mine', universe, '--index', '0')
    assert.equal(add.code, 0, add.stderr + sb.logs())
    const repos = await sb.dcos('package', 'repo', 'list')
    assert.match(repos.stdout, new RegExp(`^mine: file://${universe}/\nUniverse: `))
    const described = await sb.dcos('package', 'describe', 'hello')
    assert.equal(JSON.parse(described.stdout).package.version, '2.0.0')

    const notYet = await sb.dcos('hello', 'status')
    assert.equal(notYet.code, 2)
    assert.match(notYet.stderr, /'hello status' is not a dcos command/)

    const install = await sb.dcos('package', 'install', 'hello', '--yes')
    assert.equal(install.code, 0, install.stderr + sb.logs())
    assert.match(install.stderr, /Installing CLI subcommand for package \[hello\] version \[2\.0\.0\]\nNew command available: dcos hello\n/)
    await healthy('/hello')
    const status = await sb.dcos('hello', 'status')
    assert.equal(status.code, 0, status.stderr)
    assert.equal(status.stdout, '/hello: 1/1 running, 1 healthy (hello 2.0.0)\n')
    const help = await sb.dcos('--help')
    assert.match(help.stdout, /\nPACKAGE COMMANDS \(installed for the attached cluster\)\n {2}hello {2}Manage the hello service\n$/)
    const list = await sb.dcos('package', 'list')
    assert.match(list.stdout, /^hello +2\.0\.0 +true +\/hello +hello +/m)

    const u = await sb.dcos('package', 'uninstall', 'hello', '--yes')
    assert.equal(u.code, 0, u.stderr)
    await gone('/hello')
    const after = await sb.dcos('hello', 'status')
    assert.equal(after.code, 2)
    assert.match(after.stderr, /'hello status' is not a dcos command/)
    assert.doesNotMatch((await sb.dcos('--help')).stdout, /PACKAGE COMMANDS/)

    const remove = await sb.dcos('package', 'repo', 'remove', 'mine')
    assert.equal(remove.code, 0, remove.stderr)
    assert.doesNotMatch((await sb.dcos('package', 'repo', 'list')).stdout, /^mine:/m)
  })
})
