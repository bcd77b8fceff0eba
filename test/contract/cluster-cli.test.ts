/**
 * `dcos cluster setup|list|attach|remove` and `dcos config` against a DC/OS cluster's metadata
 * endpoints (`/metadata`, `/dcos-metadata/dcos-version.json`), replayed by nock, in a temporary
 * DCOS_DIR. (`cluster up/down` start real processes: the end-to-end tests cover them.)
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, afterEach, before, beforeEach, describe, test} from 'node:test'
import nock from 'nock'
import ClusterAttach from '../../commands/cluster/attach'
import ClusterList from '../../commands/cluster/list'
import ClusterRemove from '../../commands/cluster/remove'
import ClusterSetup from '../../commands/cluster/setup'
import ConfigSet from '../../commands/config/set'
import ConfigShow from '../../commands/config/show'
import ConfigUnset from '../../commands/config/unset'
import {ConfigManager} from '../../src/cli/config'
import {runCommand} from './harness'

const PROD = 'https://dcos.prod.example.com'
const STAGING = 'https://dcos.staging.example.com'
const PROD_ID = 'b2e4c1f0-3d6a-4e8b-9f7c-5a1d2e3f4a5b'

let dcosDir: string
let env: NodeJS.ProcessEnv

/** What a socket raises when nothing listens. */
function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED'), {code: 'ECONNREFUSED'})
}

before(() => nock.disableNetConnect())
after(() => nock.enableNetConnect())
beforeEach(() => {
  dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-cluster-'))
  env = {DCOS_DIR: dcosDir}
})
afterEach(() => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  fs.rmSync(dcosDir, {recursive: true, force: true})
  assert.deepEqual(pending, [], 'every recorded request was made')
})

describe('dcos cluster setup', () => {
  test('reads CLUSTER_ID from /metadata, writes the config and attaches', async () => {
    nock(PROD).get('/metadata').reply(200, {PUBLIC_IPV4: '52.34.156.169', CLUSTER_ID: PROD_ID})
    const run = await runCommand(ClusterSetup, [`${PROD}/`, '--name', 'prod'], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stderr, `Cluster 'prod' (${PROD_ID}) is set up and attached.\n`)
    const dir = path.join(dcosDir, 'clusters', PROD_ID)
    assert.equal(fs.readFileSync(path.join(dir, 'dcos.toml'), 'utf8'), `[core]\ndcos_url = "${PROD}"\n\n[cluster]\nname = "prod"\n`)
    assert.ok(fs.existsSync(path.join(dir, 'attached')))
  })

  test('no /metadata (plain Mesos+Marathon): a random cluster id', async () => {
    nock(PROD).get('/metadata').reply(404, 'Not Found')
    const run = await runCommand(ClusterSetup, [PROD], {env})
    assert.equal(run.exit, 0, run.stderr)
    const [id] = fs.readdirSync(path.join(dcosDir, 'clusters'))
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  test('an unreachable URL writes nothing', async () => {
    nock(PROD).get('/metadata').replyWithError(refused())
    const run = await runCommand(ClusterSetup, [PROD], {env})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, `Error: cannot reach ${PROD} (connection refused). Is the cluster up? Try 'dcos cluster up'.\n`)
    assert.ok(!fs.existsSync(path.join(dcosDir, 'clusters')))
  })
})

describe('dcos cluster list / attach / remove', () => {
  beforeEach(() => {
    const m = new ConfigManager(dcosDir, {})
    m.save(PROD_ID, {'core.dcos_url': PROD, 'cluster.name': 'prod', 'core.dcos_acs_token': 'prod-token'})
    m.save('0a1b2c3d-staging', {'core.dcos_url': STAGING, 'cluster.name': 'staging'})
    m.attach(PROD_ID)
  })

  test('GO columns, * on the attached one, status from dcos-version.json', async () => {
    nock(PROD)
      .matchHeader('authorization', 'token=prod-token')
      .get('/dcos-metadata/dcos-version.json')
      .reply(200, {'version': '2.2.0', 'dcos-variant': 'open', 'dcos-image-commit': 'abc', 'bootstrap-id': 'def'})
    nock(STAGING).get('/dcos-metadata/dcos-version.json').replyWithError(refused())
    const run = await runCommand(ClusterList, [], {env})
    assert.equal(
      run.stdout,
      [
        '   NAME     ID                                    STATUS       VERSION  URL',
        `*  prod     ${PROD_ID}  AVAILABLE    2.2.0    ${PROD}`,
        `   staging  0a1b2c3d-staging                      UNAVAILABLE  UNKNOWN  ${STAGING}`,
        '',
      ].join('\n'),
    )
  })

  test('--json in GO field names; --attached keeps the attached one', async () => {
    nock(PROD).get('/dcos-metadata/dcos-version.json').times(2).reply(200, {version: '2.2.0'})
    nock(STAGING).get('/dcos-metadata/dcos-version.json').times(2).reply(200, {version: '2.1.1'})
    const all = await runCommand(ClusterList, ['--json'], {env})
    assert.deepEqual(JSON.parse(all.stdout)[1], {
      attached: false,
      cluster_id: '0a1b2c3d-staging',
      name: 'staging',
      status: 'AVAILABLE',
      url: STAGING,
      version: '2.1.1',
    })
    const attached = await runCommand(ClusterList, ['--attached', '--json'], {env})
    assert.deepEqual(
      JSON.parse(attached.stdout).map((c: {name: string}) => c.name),
      ['prod'],
    )
  })

  test('no clusters: --json prints [] and exits 0', async () => {
    const run = await runCommand(ClusterList, ['--json'], {env: {DCOS_DIR: path.join(dcosDir, 'empty')}})
    assert.equal(run.exit, 0)
    assert.equal(run.stdout, '[]\n')
  })

  test('attach by name moves the marker; an unknown name is a clear error', async () => {
    const run = await runCommand(ClusterAttach, ['staging'], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(new ConfigManager(dcosDir, {}).current().name, 'staging')
    const bad = await runCommand(ClusterAttach, ['nope'], {env})
    assert.equal(bad.exit, 1)
    assert.equal(bad.stderr, "Error: no cluster found with name or ID 'nope'. Run 'dcos cluster list' to see the configured clusters.\n")
  })

  test('remove forgets the cluster directory', async () => {
    const run = await runCommand(ClusterRemove, ['staging'], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.deepEqual(fs.readdirSync(path.join(dcosDir, 'clusters')), [PROD_ID])
  })
})

describe('dcos config', () => {
  beforeEach(() => {
    const m = new ConfigManager(dcosDir, {})
    m.save(PROD_ID, {'core.dcos_url': PROD, 'cluster.name': 'prod', 'core.dcos_acs_token': 'prod-token'})
    m.attach(PROD_ID)
  })

  test('set/unset report on stderr; show prints sorted key value lines with the token masked', async () => {
    const set = await runCommand(ConfigSet, ['core.timeout', '10'], {env})
    assert.equal(set.stderr, "[core.timeout]: set to '10'\n")
    const show = await runCommand(ConfigShow, [], {env})
    assert.equal(show.stdout, `cluster.name prod\ncore.dcos_acs_token ********\ncore.dcos_url ${PROD}\ncore.timeout 10\n`)
    const one = await runCommand(ConfigShow, ['core.dcos_url'], {env})
    assert.equal(one.stdout, `${PROD}\n`)
    const unset = await runCommand(ConfigUnset, ['core.timeout'], {env})
    assert.equal(unset.stderr, 'Removed [core.timeout]\n')
    const missing = await runCommand(ConfigShow, ['core.timeout'], {env})
    assert.equal(missing.stderr, "Error: Property 'core.timeout' doesn't exist\n")
    assert.equal(missing.exit, 1)
  })

  test('an unknown section is refused like the real CLI; nothing is written', async () => {
    const before = fs.readFileSync(path.join(dcosDir, 'clusters', PROD_ID, 'dcos.toml'), 'utf8')
    const run = await runCommand(ConfigSet, ['foo.bar', 'x'], {env})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, "Error: Config section 'foo' is invalid: 'foo' is not a dcos command.\n")
    assert.equal(fs.readFileSync(path.join(dcosDir, 'clusters', PROD_ID, 'dcos.toml'), 'utf8'), before)
  })
})
