import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, test} from 'node:test'
import {ConfigManager, configShowText, dcosDir, envVarsFor} from '../../src/cli/config'
import {DcosError} from '../../src/cli/errors'

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-config-'))
})
afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

const mode = (p: string) => fs.statSync(p).mode & 0o777

test('DCOS_DIR, else ~/.dcos', () => {
  assert.equal(dcosDir({DCOS_DIR: '/x/y'}), '/x/y')
  assert.equal(dcosDir({HOME: '/home/u'}), '/home/u/.dcos')
})

test('clusters/<id>/dcos.toml (0600 in 0700 dirs) and the attached marker', () => {
  const m = new ConfigManager(path.join(dir, 'dcos'), {})
  m.save('abc', {'core.dcos_url': 'http://127.0.0.1:8000', 'cluster.name': 'local'})
  m.attach('abc')
  const file = path.join(dir, 'dcos', 'clusters', 'abc', 'dcos.toml')
  assert.equal(fs.readFileSync(file, 'utf8'), '[core]\ndcos_url = "http://127.0.0.1:8000"\n\n[cluster]\nname = "local"\n')
  assert.equal(mode(file), 0o600)
  assert.equal(mode(path.join(dir, 'dcos')), 0o700)
  assert.equal(mode(path.join(dir, 'dcos', 'clusters', 'abc')), 0o700)
  assert.ok(fs.existsSync(path.join(dir, 'dcos', 'clusters', 'abc', 'attached')))
  assert.deepEqual(fs.readdirSync(path.join(dir, 'dcos', 'clusters', 'abc')).sort(), ['attached', 'dcos.toml'])
  assert.equal(m.current().name, 'local')
})

test('attach moves the marker; DCOS_CLUSTER picks a cluster by name or id', () => {
  const m = new ConfigManager(dir, {})
  m.save('id-1', {'cluster.name': 'one'})
  m.save('id-2', {'cluster.name': 'two'})
  m.attach('id-1')
  m.attach('id-2')
  assert.equal(m.current().id, 'id-2')
  assert.ok(!fs.existsSync(path.join(dir, 'clusters', 'id-1', 'attached')))
  assert.equal(new ConfigManager(dir, {DCOS_CLUSTER: 'one'}).current().id, 'id-1')
  assert.equal(new ConfigManager(dir, {DCOS_CLUSTER: 'id-2'}).current().id, 'id-2')
  assert.throws(() => new ConfigManager(dir, {DCOS_CLUSTER: 'three'}).current(), (e: DcosError) => e.code === 'CLUSTER_NOT_FOUND')
})

test('nothing attached: the one-line error naming cluster up and cluster setup', () => {
  const m = new ConfigManager(dir, {})
  m.save('id-1', {'cluster.name': 'one'})
  assert.throws(
    () => m.current(),
    (e: DcosError) =>
      e.code === 'NOT_ATTACHED' &&
      e.exit === 1 &&
      e.message ===
        "no cluster is attached. Run 'dcos cluster up' to start a local cluster, or 'dcos cluster setup <url>' to use an existing one.",
  )
  fs.writeFileSync(path.join(dir, 'clusters', 'id-1', 'attached'), '')
  m.save('id-2', {})
  fs.writeFileSync(path.join(dir, 'clusters', 'id-2', 'attached'), '')
  assert.throws(() => m.current(), /multiple clusters are attached/)
})

test('set prints the real messages and types values', () => {
  const c = new ConfigManager(dir, {}).open('c')
  assert.equal(c.set('core.timeout', '5'), "[core.timeout]: set to '5'")
  assert.equal(c.set('core.timeout', '5'), "[core.timeout]: already set to '5'")
  assert.equal(c.set('core.timeout', '10'), "[core.timeout]: changed from '5' to '10'")
  assert.equal(c.get('core.timeout'), 10)
  assert.equal(c.set('core.dcos_acs_token', 'tok-1'), '[core.dcos_acs_token]: set')
  assert.equal(c.set('core.dcos_acs_token', 'tok-1'), '[core.dcos_acs_token]: already set to that value')
  assert.equal(c.set('core.dcos_acs_token', 'tok-2'), '[core.dcos_acs_token]: changed')
  assert.equal(c.set('core.dcos_url', 'http://a.example/'), "[core.dcos_url]: set to 'http://a.example'")
  assert.equal(
    c.set('core.dcos_url', 'http://b.example'),
    "[core.dcos_url]: changed from 'http://a.example' to 'http://b.example'\n[core.dcos_acs_token]: removed",
  )
  assert.equal(c.get('core.dcos_acs_token'), undefined)
  assert.equal(c.set('core.prompt_login', 'TRUE'), "[core.prompt_login]: set to 'true'")
})

test('set validates keys and values like the real CLI', () => {
  const c = new ConfigManager(dir, {}).open('c')
  assert.throws(() => c.set('foo.bar', '1'), {message: "Config section 'foo' is invalid: 'foo' is not a dcos command."})
  assert.throws(() => c.set('core.bogus', '1'), /Property 'core\.bogus' is invalid - possible properties are: core\.dcos_url, /)
  assert.throws(() => c.set('timeout', '1'), /must look like <section>\.<name>/)
  assert.throws(() => c.set('core.timeout', 'abc'), {message: "Unable to parse 'abc' as an int"})
  assert.throws(() => c.set('core.timeout', '0'), /less than the minimum of 1/)
  assert.throws(() => c.set('core.dcos_url', 'not a url'), {message: "Unable to parse 'not a url' as a url"})
  assert.throws(() => c.set('core.pagination', 'maybe'), {message: "Unable to parse 'maybe' as a boolean"})
})

test('unset and show of missing or partial keys', () => {
  const c = new ConfigManager(dir, {}).open('c')
  c.set('core.dcos_url', 'http://a.example')
  c.set('core.dcos_acs_token', 'tok')
  c.set('core.timeout', '5')
  assert.equal(c.unset('core.timeout'), 'Removed [core.timeout]')
  assert.throws(() => c.unset('core.timeout'), {message: "Property 'core.timeout' doesn't exist"})
  assert.throws(() => c.show('core.timeout'), {message: "Property 'core.timeout' doesn't exist"})
  assert.throws(() => c.show('core'), {
    message: "Property 'core' doesn't fully specify a value - possible properties are:\ncore.dcos_url\ncore.dcos_acs_token",
  })
  assert.equal(c.show('core.dcos_acs_token'), 'tok')
  assert.equal(c.unset('core.dcos_url'), 'Removed [core.dcos_url] and [core.dcos_acs_token]')
})

test('environment overrides: DCOS_URL, DCOS_ACS_TOKEN, DCOS_<KEY>; cluster.name never', () => {
  assert.deepEqual(envVarsFor('core.dcos_url'), ['DCOS_URL', 'DCOS_DCOS_URL'])
  assert.deepEqual(envVarsFor('core.timeout'), ['DCOS_TIMEOUT'])
  assert.deepEqual(envVarsFor('marathon.url'), ['DCOS_MARATHON_URL'])
  assert.deepEqual(envVarsFor('cluster.name'), [])
  const m = new ConfigManager(dir, {DCOS_URL: 'http://env.example', DCOS_ACS_TOKEN: 'env-token', DCOS_TIMEOUT: '7'})
  const c = m.save('c', {'core.dcos_url': 'http://file.example', 'core.dcos_acs_token': 'file-token', 'cluster.name': 'n'})
  const e = c.endpoints()
  assert.equal(e.dcosUrl, 'http://env.example')
  assert.equal(e.token, 'env-token')
  assert.equal(e.timeoutMs, 7000)
  assert.equal(c.fileValue('core.dcos_url'), 'http://file.example')
  assert.equal(
    configShowText(c),
    [
      'cluster.name n',
      'core.dcos_acs_token ********        # overwritten by environment var DCOS_ACS_TOKEN; config file value differs',
      'core.dcos_url http://env.example    # overwritten by environment var DCOS_URL; config file value: http://file.example',
      'core.timeout 7                      # overwritten by environment var DCOS_TIMEOUT',
      '',
    ].join('\n'),
  )
})

test('show masks the token; endpoints default to a 60 s timeout and TLS verification', () => {
  const c = new ConfigManager(dir, {}).save('c', {'core.dcos_url': 'http://a', 'core.dcos_acs_token': 'secret-token'})
  assert.equal(configShowText(c), 'core.dcos_acs_token ********\ncore.dcos_url http://a\n')
  assert.deepEqual(c.endpoints(), {
    dcosUrl: 'http://a',
    mesosMasterUrl: undefined,
    marathonUrl: undefined,
    cosmosUrl: undefined,
    token: 'secret-token',
    timeoutMs: 60_000,
    sslVerify: true,
  })
})

test('a broken dcos.toml is a clear error naming the file', () => {
  const m = new ConfigManager(dir, {})
  fs.mkdirSync(path.join(dir, 'clusters', 'x'), {recursive: true})
  fs.writeFileSync(path.join(dir, 'clusters', 'x', 'dcos.toml'), '[core\n')
  assert.throws(() => m.all(), (e: DcosError) => e.code === 'CONFIG_INVALID' && e.message.includes('dcos.toml'))
})
