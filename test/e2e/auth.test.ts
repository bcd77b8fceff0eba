/**
 * Closed by default, as a user meets it: after `dcos cluster up` every command works with no
 * login step; nothing answers without a token (the gateway, the master's and the agents' own
 * ports); logout makes commands exit 4 saying what to do; a wrong password fails in one line;
 * `--no-auth` works without tokens, warns, and is refused off loopback. Last, no token or
 * password ever appears in any command's output or in the cluster's logs.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {MESOS_EXECUTE, Sandbox, get} from './harness'

const AUTH_REQUIRED = "Error: authentication required, please run 'dcos auth login'\n"
const STACK = /\bat .+:\d+:\d+/

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : []
  })
}

describe('a cluster with authentication (the default)', () => {
  const sb = new Sandbox('dcos-e2e-auth-')
  /** Every token the CLI held during the test, for the final leak check. */
  const tokens = new Set<string>()
  let url = ''
  let master = ''

  const keepToken = async () => {
    const token = await sb.storedToken()
    if (token) tokens.add(token)
    return token
  }

  before(async () => {
    url = await sb.up(1)
    master = url.replace(/^https?:\/\//, '') + '/mesos'
    assert.ok(await keepToken(), 'cluster up stored a token')
  })
  after(() => sb.cleanup())

  it('runs every command right after `cluster up`, with no login step', async () => {
    for (const args of [['node', 'list'], ['task', 'list'], ['service', 'list'], ['config', 'show']]) {
      const r = await sb.dcos(...args)
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
    }
    const exec = await sb.run(MESOS_EXECUTE, [`--master=${master}`, '--name=after-up', '--command=true'])
    assert.equal(exec.code, 0, exec.stderr)
    assert.match(exec.stdout, /TASK_FINISHED/)
  })

  it('the gateway answers nothing but its public routes without a token', async () => {
    const state = await get(`${url}/mesos/master/state`)
    assert.equal(state.status, 401)
    assert.equal(state.headers['www-authenticate'], 'acsjwt')
    const nodes = JSON.parse((await sb.dcos('node', 'list', '--json')).stdout) as {id: string}[]
    const agent = nodes.find((n) => /-S\d+$/.test(n.id))!
    assert.equal((await get(`${url}/agent/${agent.id}/state`)).status, 401)
    const providers = await get(`${url}/acs/api/v1/auth/providers`)
    assert.equal(providers.status, 200)
    assert.equal(JSON.parse(providers.body)['dcos-users']['authentication-type'], 'dcos-uid-password')
    assert.equal((await sb.get(`${url}/mesos/master/state`)).status, 200)
  })

  it("the master's and the agent's own ports refuse a request without a token", async () => {
    const components = sb.components()
    const masterUrl = components.master.url
    const agentUrl = Object.entries(components).find(([name]) => name.startsWith('agent'))![1].url
    for (const target of [`${masterUrl}/master/state`, `${masterUrl}/api/v1/scheduler`, `${agentUrl}/state`, `${agentUrl}/files/browse?path=/`]) {
      const res = await get(target)
      assert.ok(res.status === 401 || res.status === 403, `${target} → ${res.status}`)
    }
  })

  it('`cluster up` again keeps the CLI logged in', async () => {
    const again = await sb.dcos('cluster', 'up', '--random-ports')
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /already running/)
    await keepToken()
    const nodes = await sb.dcos('node', 'list')
    assert.equal(nodes.code, 0, nodes.stderr)
  })

  it('after `auth logout` commands exit 4 saying to run dcos auth login', async () => {
    const logout = await sb.dcos('auth', 'logout')
    assert.equal(logout.code, 0, logout.stderr)
    assert.equal(logout.stdout + logout.stderr, '')
    assert.equal(await sb.storedToken(), undefined)
    const nodes = await sb.dcos('node', 'list')
    assert.equal(nodes.code, 4)
    assert.equal(nodes.stdout, '')
    assert.equal(nodes.stderr, AUTH_REQUIRED)
    const json = await sb.dcos('task', 'list', '--json')
    assert.equal(json.code, 4)
    assert.equal(JSON.parse(json.stdout).error.code, 'AUTH_REQUIRED')
    const exec = await sb.run(MESOS_EXECUTE, [`--master=${master}`, '--name=logged-out', '--command=true'])
    assert.equal(exec.code, 1)
    assert.match(exec.stderr, /401 Unauthorized.*dcos auth login/)
    // Logged out already: still fine.
    assert.equal((await sb.dcos('auth', 'logout')).code, 0)
  })

  it('a wrong password fails in one line, with no stack and no hint of which part was wrong', async () => {
    const wrong = path.join(sb.dir, 'wrong-password')
    fs.writeFileSync(wrong, 'not-the-password\n', {mode: 0o600})
    const r = await sb.dcos('auth', 'login', '--username', sb.adminCredential().uid, '--password-file', wrong)
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, 'Error: authentication failed: the username or password is incorrect\n')
    assert.doesNotMatch(r.stderr, STACK)
    assert.equal(await sb.storedToken(), undefined)
  })

  it('the right password (--password-file) logs in again; so does the local admin credential', async () => {
    const admin = sb.adminCredential()
    const file = path.join(sb.dir, 'password')
    fs.writeFileSync(file, `${admin.password}\n`, {mode: 0o600})
    const login = await sb.dcos('auth', 'login', '--username', admin.uid, '--password-file', file)
    assert.equal(login.code, 0, login.stderr)
    assert.equal(login.stdout + login.stderr, '')
    assert.ok(await keepToken())
    assert.equal((await sb.dcos('node', 'list')).code, 0)

    // No terminal and no flags: a local cluster's own admin credential.
    assert.equal((await sb.dcos('auth', 'logout')).code, 0)
    const local = await sb.dcos('auth', 'login')
    assert.equal(local.code, 0, local.stderr)
    assert.ok(await keepToken())
    const list = await sb.dcos('auth', 'list-providers')
    assert.match(list.stdout, /^PROVIDER ID\s+AUTHENTICATION TYPE\n(.*\n)*dcos-users\s+dcos-uid-password\n/)
    const exec = await sb.run(MESOS_EXECUTE, [`--master=${master}`, '--name=logged-in', '--command=true'])
    assert.equal(exec.code, 0, exec.stderr)
  })

  it('prints the token only when asked for by name', async () => {
    const token = await keepToken()
    const show = await sb.dcos('config', 'show', 'core.dcos_acs_token')
    assert.equal(show.stdout, `${token}\n`)
    // That one output is the token by request; it is not a leak.
    sb.transcript.pop()
    assert.match((await sb.dcos('config', 'show')).stdout, /^core\.dcos_acs_token \*{8}$/m)
  })

  it('never prints a token or the admin password, and never logs them', async () => {
    await keepToken()
    const secrets = [...tokens, sb.adminCredential().password]
    assert.ok(secrets.length >= 3)
    assert.ok(sb.transcript.length >= 20)
    for (const entry of sb.transcript) {
      for (const secret of secrets) {
        assert.ok(!entry.stdout.includes(secret) && !entry.stderr.includes(secret), `a secret in the output of ${entry.args.join(' ')}`)
      }
    }
    const logs = filesUnder(path.join(sb.clusterDir(), 'logs'))
    assert.ok(logs.length >= 3)
    for (const file of logs) {
      const text = fs.readFileSync(file, 'utf8')
      for (const secret of secrets) assert.ok(!text.includes(secret), `a secret in ${file}`)
    }
  })
})

describe('a cluster with --no-auth', () => {
  const sb = new Sandbox('dcos-e2e-noauth-')
  let url = ''

  before(async () => {
    url = await sb.up(1, ['--no-auth'])
  })
  after(() => sb.cleanup())

  it('warns that anyone on this machine controls it', () => {
    const up = sb.transcript.find((e) => e.args.includes('up'))!
    assert.match(up.stderr, /authentication is off: anyone .*127\.0\.0\.1:\d+.* controls the cluster/)
  })

  it('works without any token', async () => {
    assert.equal(await sb.storedToken(), undefined)
    assert.equal((await sb.dcos('node', 'list')).code, 0)
    assert.equal((await get(`${url}/mesos/master/state`)).status, 200)
    const master = url.replace(/^https?:\/\//, '') + '/mesos'
    const exec = await sb.run(MESOS_EXECUTE, [`--master=${master}`, '--name=open', '--command=true'])
    assert.equal(exec.code, 0, exec.stderr)
    const again = await sb.dcos('cluster', 'up', '--no-auth', '--random-ports')
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stderr, /^Warning: authentication is off: anyone who can reach 127\.0\.0\.1:\d+ on this machine controls the cluster\.$/m)
  })

  it('has nothing to log in to', async () => {
    const login = await sb.dcos('auth', 'login')
    assert.equal(login.code, 0, login.stderr)
    assert.equal(login.stderr, "Authentication is not enabled on cluster 'local': no login is needed.\n")
  })

  it('refuses to run without authentication on a non-loopback address', async () => {
    const r = await sb.dcos('cluster', 'up', '--name', 'exposed', '--no-auth', '--host', '0.0.0.0', '--random-ports')
    assert.equal(r.code, 1)
    assert.equal(
      r.stderr,
      "Error: refusing to start a cluster without authentication on 0.0.0.0: anyone who can reach that address would control the cluster. Drop --no-auth, or bind to 127.0.0.1.\n",
    )
    const list = await sb.dcos('cluster', 'list', '--json')
    assert.deepEqual((JSON.parse(list.stdout) as {name: string}[]).map((c) => c.name), ['local'])
  })
})
