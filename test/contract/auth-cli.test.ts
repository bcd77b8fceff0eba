/**
 * `dcos auth login|logout|list-providers`, the token on every request, and exit 4 on a 401,
 * against a stand-in cluster on listen(0) that speaks DC/OS's ACS API (`/acs/api/v1/auth/*`,
 * `Authorization: token=<jwt>`, 401 with `WWW-Authenticate: acsjwt`) and serves recorded Mesos
 * state behind it. Tokens never reach any output except `dcos config show core.dcos_acs_token`.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, afterEach, before, beforeEach, describe, test} from 'node:test'
import AuthListProviders from '../../commands/auth/list-providers'
import AuthLogin from '../../commands/auth/login'
import AuthLogout from '../../commands/auth/logout'
import ConfigShow from '../../commands/config/show'
import ConfigUnset from '../../commands/config/unset'
import NodeList from '../../commands/node/list'
import {ConfigManager} from '../../src/cli/config'
import {type Keychain, type KeychainLoader, TOKEN_KEY} from '../../src/cli/credentials'
import {HttpError, Router, reply, serve, type Request, type Server} from '../../src/runtime/http'
import {fixture, runCommand} from './harness'

const UID = 'admin'
const PASSWORD = 'PASSWORD-MARKER-s3cret'
const CLUSTER_ID = 'c0ffee00-auth-test'

const PROVIDERS = {
  'dcos-users': {
    'authentication-type': 'dcos-uid-password',
    'client-method': 'dcos-usercredential-post-receive-authtoken',
    config: {start_flow_url: '/acs/api/v1/auth/login'},
    description: 'Log in using a standard DC/OS user account (username and password)',
  },
  'dcos-services': {
    'authentication-type': 'dcos-uid-servicekey',
    'client-method': 'dcos-servicecredential-post-receive-authtoken',
    config: {start_flow_url: '/acs/api/v1/auth/login'},
    description: 'Log in using a DC/OS service user account (username and private key)',
  },
}

/** A stand-in DC/OS cluster: the ACS API in front of recorded Mesos state. */
class StandInCluster {
  readonly issued: string[] = []
  readonly revoked: string[] = []
  readonly logins: {uid: string; password: string}[] = []
  readonly seen: {path: string; authorization?: string}[] = []
  failures = 0
  authEnabled = true
  #server!: Server

  static async start(): Promise<StandInCluster> {
    const c = new StandInCluster()
    const router = new Router()
      .get('/acs/api/v1/auth/providers', () => (c.authEnabled ? PROVIDERS : reply(404, 'Not Found')))
      .post('/acs/api/v1/auth/login', (req) => c.#login(req))
      .post('/acs/api/v1/auth/logout', (req) => {
        c.revoked.push(c.#token(req))
        return reply(204)
      })
      .get('/mesos/master/state', () => fixture('mesos/master-state.json'))
      .get('/mesos/master/slaves', () => fixture('mesos/master-slaves.json'))
      .get('/mesos/master/state-summary', () => fixture('mesos/master-state-summary.json'))
    c.#server = await serve({
      router,
      before: (req) => {
        c.seen.push({path: req.path, authorization: req.header('authorization')})
        if (!c.authEnabled || req.path === '/acs/api/v1/auth/providers' || req.path === '/acs/api/v1/auth/login') return
        c.#token(req)
      },
    })
    return c
  }

  get url(): string {
    return this.#server.url
  }

  close(): Promise<void> {
    return this.#server.close()
  }

  /** The valid token of the request, else a 401 as DC/OS's admin router sends it. */
  #token(req: Request): string {
    const m = /^token=(.+)$/.exec(req.header('authorization') ?? '')
    if (!m || !this.issued.includes(m[1]) || this.revoked.includes(m[1])) {
      throw new HttpError(
        401,
        'Unauthorized',
        {title: 'Unauthorized', description: 'Please log in.', code: 'ERR_MISSING_AUTH_TOKEN'},
        {'WWW-Authenticate': 'acsjwt'},
      )
    }
    return m[1]
  }

  async #login(req: Request) {
    if (!this.authEnabled) throw new HttpError(404, 'Not Found')
    const body = (await req.json()) as {uid: string; password: string}
    this.logins.push(body)
    if (this.failures >= 3) return reply(429, {title: 'Too Many Requests', code: 'ERR_RATE_LIMITED'}, {'Retry-After': '30'})
    if (body.uid !== UID || body.password !== PASSWORD) {
      this.failures++
      return reply(401, {title: 'Unauthorized', description: 'Invalid credentials.', code: 'ERR_INVALID_CREDENTIALS'})
    }
    const token = `eyJhbGciOiJSUzI1NiJ9.TOKEN-MARKER-${this.issued.length}.sig`
    this.issued.push(token)
    return {token}
  }
}

/** A keychain in a Map (never the machine's). */
function fakeKeychain(): {load: KeychainLoader; entries: Map<string, string>} {
  const entries = new Map<string, string>()
  const keychain: Keychain = {
    get: async (a) => entries.get(a),
    set: async (a, s) => void entries.set(a, s),
    delete: async (a) => entries.delete(a),
  }
  return {load: async () => keychain, entries}
}

let acs: StandInCluster
let dcosDir: string
let env: NodeJS.ProcessEnv

before(async () => {
  acs = await StandInCluster.start()
})
after(() => acs.close())
beforeEach(() => {
  dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-auth-'))
  env = {DCOS_DIR: dcosDir}
  const manager = new ConfigManager(dcosDir, env)
  manager.save(CLUSTER_ID, {'core.dcos_url': acs.url, 'cluster.name': 'prod'})
  manager.attach(CLUSTER_ID)
  acs.failures = 0
  acs.authEnabled = true
})
afterEach(() => fs.rmSync(dcosDir, {recursive: true, force: true}))

function dcosToml(): string {
  return fs.readFileSync(path.join(dcosDir, 'clusters', CLUSTER_ID, 'dcos.toml'), 'utf8')
}

function passwordFile(content = `${PASSWORD}\n`): string {
  const file = path.join(dcosDir, 'password')
  fs.writeFileSync(file, content, {mode: 0o600})
  return file
}

/** Asserts that no output holds the password or any token the cluster issued. */
function assertNoSecrets(...outputs: string[]): void {
  for (const out of outputs) {
    assert.ok(!out.includes(PASSWORD), `the password leaked: ${out}`)
    assert.ok(!out.includes('TOKEN-MARKER'), `a token leaked: ${out}`)
  }
}

describe('dcos auth login', () => {
  test('--password-file: the token is stored, nothing is printed (as the Go CLI)', async () => {
    const run = await runCommand(AuthLogin, ['--username', UID, '--password-file', passwordFile()], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, '')
    assert.deepEqual(acs.logins.at(-1), {uid: UID, password: PASSWORD})
    // No keychain here: dcos.toml, 0600, as the real CLI kept it.
    assert.match(dcosToml(), new RegExp(`dcos_acs_token = "${acs.issued.at(-1)!.replaceAll('.', '\\.')}"`))
    assert.equal(fs.statSync(path.join(dcosDir, 'clusters', CLUSTER_ID, 'dcos.toml')).mode & 0o777, 0o600)

    const nodes = await runCommand(NodeList, ['--json'], {env})
    assert.equal(nodes.exit, 0, nodes.stderr)
    assert.equal(acs.seen.at(-1)?.authorization, `token=${acs.issued.at(-1)}`)
    assertNoSecrets(nodes.stdout, nodes.stderr)
  })

  test('with a working keychain the token goes there, and commands read it from there', async () => {
    const kc = fakeKeychain()
    const run = await runCommand(AuthLogin, ['--username', UID, '--password-env', 'PW'], {env: {...env, PW: PASSWORD}, keychain: kc.load})
    assert.equal(run.exit, 0, run.stderr)
    assert.ok(!dcosToml().includes('TOKEN-MARKER'))
    assert.deepEqual([...kc.entries.values()], [acs.issued.at(-1)])
    const nodes = await runCommand(NodeList, [], {env, keychain: kc.load})
    assert.equal(nodes.exit, 0, nodes.stderr)
    assert.equal(acs.seen.at(-1)?.authorization, `token=${acs.issued.at(-1)}`)

    const show = await runCommand(ConfigShow, [TOKEN_KEY], {env, keychain: kc.load})
    assert.equal(show.stdout, `${acs.issued.at(-1)}\n`)
    const all = await runCommand(ConfigShow, [], {env, keychain: kc.load})
    assert.equal(all.stdout, `cluster.name prod\ncore.dcos_acs_token ********\ncore.dcos_url ${acs.url}\n`)

    const unset = await runCommand(ConfigUnset, [TOKEN_KEY], {env, keychain: kc.load})
    assert.equal(unset.stderr, `Removed [${TOKEN_KEY}]\n`)
    assert.equal(kc.entries.size, 0)
  })

  test('a wrong password fails in one line that says neither which part was wrong nor the password', async () => {
    const run = await runCommand(AuthLogin, ['--username', UID, '--password', 'wrong-password'], {env})
    assert.equal(run.exit, 1)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, 'Error: authentication failed: the username or password is incorrect\n')
    const json = await runCommand(AuthLogin, ['--username', 'nobody', '--password', PASSWORD], {env})
    assert.equal(json.stderr, 'Error: authentication failed: the username or password is incorrect\n')
    assert.ok(!dcosToml().includes(TOKEN_KEY.split('.')[1]))
  })

  test('repeated failures: the cluster asks to wait, and the CLI says for how long', async () => {
    acs.failures = 3
    const run = await runCommand(AuthLogin, ['--username', UID, '--password-file', passwordFile()], {env})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, 'Error: too many failed login attempts: try again in 30 seconds\n')
  })

  test('no terminal and no password: a clear error naming the flags; nothing is sent', async () => {
    const before = acs.logins.length
    const run = await runCommand(AuthLogin, ['--username', UID], {env})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, 'Error: no password given: use --password-file, --password-env or run on a terminal.\n')
    const noUser = await runCommand(AuthLogin, [], {env})
    assert.equal(noUser.stderr, 'Error: no username given: use --username or run on a terminal.\n')
    assert.equal(acs.logins.length, before)
  })

  test('--password-env naming an unset variable, an unreadable or empty --password-file', async () => {
    const unset = await runCommand(AuthLogin, ['--username', UID, '--password-env', 'NOPE'], {env})
    assert.equal(unset.stderr, 'Error: the environment variable NOPE named by --password-env is not set.\n')
    const missing = path.join(dcosDir, 'missing')
    const noFile = await runCommand(AuthLogin, ['--username', UID, '--password-file', missing], {env})
    assert.equal(noFile.stderr, `Error: cannot read the password file '${missing}' (ENOENT).\n`)
    const empty = await runCommand(AuthLogin, ['--username', UID, '--password-file', passwordFile('')], {env})
    assert.match(empty.stderr, /^Error: the password file '.*' is empty\.\n$/)
    const both = await runCommand(AuthLogin, ['--password', 'x', '--password-env', 'Y'], {env})
    assert.equal(both.exit, 2)
  })

  test('on a terminal it asks for what is missing, without echoing the password', async () => {
    const run = await runCommand(AuthLogin, [], {env, isTTY: true, input: `${UID}\n${PASSWORD}\n`})
    assert.equal(run.exit, 0, run.stderr)
    assert.match(run.stderr, /Username: /)
    assert.match(run.stderr, /Password: \n$/)
    assertNoSecrets(run.stdout, run.stderr)
    assert.deepEqual(acs.logins.at(-1), {uid: UID, password: PASSWORD})

    const given = await runCommand(AuthLogin, ['--username', UID], {env, isTTY: true, input: `${PASSWORD}\n`})
    assert.equal(given.exit, 0, given.stderr)
    assert.doesNotMatch(given.stderr, /Username/)
  })

  test('DCOS_USERNAME and DCOS_PASSWORD are read, as the Go CLI reads them', async () => {
    const run = await runCommand(AuthLogin, [], {env: {...env, DCOS_USERNAME: UID, DCOS_PASSWORD: PASSWORD}})
    assert.equal(run.exit, 0, run.stderr)
    assert.deepEqual(acs.logins.at(-1), {uid: UID, password: PASSWORD})
  })

  test('a cluster without authentication: nothing to log in to, exit 0', async () => {
    acs.authEnabled = false
    const run = await runCommand(AuthLogin, ['--username', UID, '--password', PASSWORD], {env})
    assert.equal(run.exit, 0)
    assert.equal(run.stderr, "Authentication is not enabled on cluster 'prod': no login is needed.\n")
  })
})

describe('without a valid token', () => {
  test('no token: exit 4, one line saying to run dcos auth login', async () => {
    const run = await runCommand(NodeList, [], {env})
    assert.equal(run.exit, 4)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, "Error: authentication required, please run 'dcos auth login'\n")
  })

  test('a refused token: exit 4; the token is in no output, --json included', async () => {
    const marker = 'eyJhbGciOiJSUzI1NiJ9.TOKEN-MARKER-forged.sig'
    new ConfigManager(dcosDir, env).save(CLUSTER_ID, {[TOKEN_KEY]: marker})
    const run = await runCommand(NodeList, ['--json'], {env})
    assert.equal(run.exit, 4)
    assert.deepEqual(JSON.parse(run.stdout), {error: {code: 'AUTH_REQUIRED', message: "authentication failed, please run 'dcos auth login'"}})
    assert.equal(run.stderr, "Error: authentication failed, please run 'dcos auth login'\n")
    assert.equal(acs.seen.at(-1)?.authorization, `token=${marker}`)
    assertNoSecrets(run.stdout, run.stderr)
  })
})

describe('dcos auth logout', () => {
  test('revokes the token at the cluster and forgets it; the next command exits 4', async () => {
    const kc = fakeKeychain()
    await runCommand(AuthLogin, ['--username', UID, '--password-file', passwordFile()], {env, keychain: kc.load})
    const token = acs.issued.at(-1)!
    const run = await runCommand(AuthLogout, [], {env, keychain: kc.load})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout + run.stderr, '')
    assert.deepEqual(acs.revoked.at(-1), token)
    assert.equal(kc.entries.size, 0)
    const nodes = await runCommand(NodeList, [], {env, keychain: kc.load})
    assert.equal(nodes.exit, 4)
    assert.equal(nodes.stderr, "Error: authentication required, please run 'dcos auth login'\n")
  })

  test('removes a token kept in dcos.toml', async () => {
    await runCommand(AuthLogin, ['--username', UID, '--password-file', passwordFile()], {env})
    assert.match(dcosToml(), /dcos_acs_token/)
    assert.equal((await runCommand(AuthLogout, [], {env})).exit, 0)
    assert.doesNotMatch(dcosToml(), /dcos_acs_token/)
  })

  test('when not logged in, or when the cluster is gone, it still succeeds', async () => {
    assert.equal((await runCommand(AuthLogout, [], {env})).exit, 0)
    new ConfigManager(dcosDir, env).save(CLUSTER_ID, {'core.dcos_url': 'http://127.0.0.1:9', [TOKEN_KEY]: 'stale-token'})
    const run = await runCommand(AuthLogout, [], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.doesNotMatch(dcosToml(), /stale-token/)
  })
})

describe('dcos auth list-providers', () => {
  test('PROVIDER ID and AUTHENTICATION TYPE, sorted; no token is sent', async () => {
    new ConfigManager(dcosDir, env).save(CLUSTER_ID, {[TOKEN_KEY]: 'a-token'})
    const run = await runCommand(AuthListProviders, [], {env})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(
      run.stdout,
      ['PROVIDER ID    AUTHENTICATION TYPE', 'dcos-services  dcos-uid-servicekey', 'dcos-users     dcos-uid-password', ''].join('\n'),
    )
    assert.equal(acs.seen.at(-1)?.authorization, undefined)
  })

  test('--json prints the providers map; a URL argument needs no configured cluster', async () => {
    const run = await runCommand(AuthListProviders, [acs.url, '--json'], {env: {DCOS_DIR: path.join(dcosDir, 'empty')}})
    assert.equal(run.exit, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), PROVIDERS)
  })

  test('a cluster without authentication says so', async () => {
    acs.authEnabled = false
    const run = await runCommand(AuthListProviders, [], {env})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, `Error: ${acs.url} offers no login: authentication is not enabled on this cluster.\n`)
  })
})
