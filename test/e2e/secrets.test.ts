/**
 * Secrets on a real cluster, as DC/OS strict mode has them: a secret PUT into the gateway's
 * secret store reaches a Marathon app's environment through `secrets` + an env reference (the
 * task proves it has the value without printing it), and the value appears nowhere else: not in
 * /v2/apps, /master/state, /master/tasks, the agent's /state, the cluster's logs, Marathon's or
 * the master's state on disk, or anything the CLI printed; the files that must hold it are 0600.
 * An app whose secret is missing is not launched and says why in /v2/queue, and launches once the
 * secret exists. A service account's credential (as a package gets it) logs in with the
 * framework library, and its token is accepted by the master. With `--no-auth` secrets work too.
 */
import assert from 'node:assert/strict'
import {createHash, randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {credentialFromEnv, jwksUrlOf, RequestVerifier, ServiceAuth} from '../../src/frameworks/service-auth'
import {generateSigningKeys} from '../../src/runtime/auth/tokens'
import {get, Sandbox, waitFor} from './harness'
import {MarathonClient} from './marathon-client'

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : []
  })
}

async function send(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<{status: number; text: string}> {
  const res = await fetch(url, {
    method,
    headers: {...headers, ...(body !== undefined && {'Content-Type': 'application/json'})},
    ...(body !== undefined && {body: JSON.stringify(body)}),
  })
  return {status: res.status, text: await res.text()}
}

/** An app whose task prints `ok` only when $MYSECRET is the value (compared by hash: the value is in no definition). */
function checkingApp(id: string, source: string, value: string): Record<string, unknown> {
  const sha = createHash('sha256').update(value).digest('hex')
  return {
    id,
    cmd: `[ "$(printf %s "$MYSECRET" | sha256sum | cut -d' ' -f1)" = ${sha} ] && echo ok || echo mismatch; sleep 600`,
    cpus: 0.1,
    mem: 32,
    secrets: {mine: {source}},
    env: {MYSECRET: {secret: 'mine'}, PLAIN: 'visible'},
  }
}

async function taskLogSays(sb: Sandbox, taskId: string, text: string): Promise<string> {
  return waitFor(`'${text}' in the stdout of ${taskId}`, async () => {
    const r = await sb.dcos('task', 'log', taskId)
    return r.code === 0 && r.stdout.includes(text) && r.stdout
  }, 20_000, 250)
}

describe('secrets with authentication', () => {
  const sb = new Sandbox('dcos-e2e-secrets-')
  const value = `s3cr3t-${randomBytes(12).toString('hex')}`
  const b64 = Buffer.from(value).toString('base64')
  let url = ''
  let marathon: MarathonClient
  let headers: Record<string, string> = {}

  before(async () => {
    url = await sb.up(1)
    marathon = await MarathonClient.of(sb, url)
    headers = await sb.authHeaders()
  })
  after(() => sb.cleanup())

  it('the Secrets API needs a token and stores a secret', async () => {
    assert.equal((await send('PUT', `${url}/secrets/v1/secret/default/e2e/mysecret`, {}, {value})).status, 401)
    assert.equal((await send('PUT', `${url}/secrets/v1/secret/default/e2e/mysecret`, headers, {value})).status, 201)
    assert.equal((await send('PUT', `${url}/secrets/v1/secret/default/e2e/mysecret`, headers, {value})).status, 409)
    const list = await send('GET', `${url}/secrets/v1/secret/default/e2e?list=true`, headers)
    assert.deepEqual(JSON.parse(list.text), {array: ['mysecret']})
  })

  it('Marathon 422s a reference to an undeclared secret and a bad source', async () => {
    const undeclared = await marathon.call('POST', '/v2/apps', {id: '/bad-ref', cmd: 'true', env: {X: {secret: 'nope'}}})
    assert.equal(undeclared.status, 422, undeclared.text)
    assert.ok(undeclared.json().details.some((d: {path: string}) => d.path === '/env/X'), undeclared.text)
    const source = await marathon.call('POST', '/v2/apps', {id: '/bad-source', cmd: 'true', secrets: {s: {source: '../x'}}, env: {X: {secret: 's'}}})
    assert.equal(source.status, 422, source.text)
  })

  it('a task gets the secret in its environment; the value is nowhere else', async () => {
    const posted = await marathon.call('POST', '/v2/apps', checkingApp('/secret-app', 'e2e/mysecret', value))
    assert.equal(posted.status, 201, posted.text)
    const [task] = await marathon.running('/secret-app', 1, 30_000)
    const out = await taskLogSays(sb, task.id, 'ok')
    assert.ok(!out.includes('mismatch'))

    const show = await sb.dcos('marathon', 'app', 'show', '/secret-app')
    assert.equal(show.code, 0, show.stderr)
    const shown = JSON.parse(show.stdout)
    assert.deepEqual(shown.secrets, {mine: {source: 'e2e/mysecret'}})
    assert.deepEqual(shown.env.MYSECRET, {secret: 'mine'})
    await sb.dcos('task', 'list', '--json')

    const nodes = JSON.parse((await sb.dcos('node', 'list', '--json')).stdout) as {id: string}[]
    const agentId = nodes.find((n) => /-S\d+$/.test(n.id))!.id
    const masterUrl = sb.components().master.url
    const agentUrl = sb.components()['agent-1'].url
    const views = [
      `${url}/service/marathon/v2/apps`,
      `${url}/service/marathon/v2/apps/secret-app?embed=app.tasks&embed=app.readiness`,
      `${url}/service/marathon/v2/tasks`,
      `${url}/service/marathon/v2/apps/secret-app/versions`,
      `${url}/mesos/master/state`,
      `${url}/mesos/master/tasks`,
      `${url}/mesos/master/frameworks`,
      `${url}/agent/${agentId}/state`,
      `${url}/agent/${agentId}/slave(1)/state`,
      `${masterUrl}/master/state`,
      `${agentUrl}/state`,
    ]
    for (const view of views) {
      const r = await get(view, headers)
      assert.equal(r.status, 200, `${view}: ${r.body.slice(0, 200)}`)
      assert.ok(!r.body.includes(value) && !r.body.includes(b64), `the secret is in ${view}`)
    }
    const operator = await send('POST', `${masterUrl}/api/v1`, headers, {type: 'GET_TASKS'})
    assert.equal(operator.status, 200)
    assert.ok(!operator.text.includes(value) && !operator.text.includes(b64), 'the secret is in GET_TASKS')
    const state = await get(`${url}/mesos/master/state`, headers)
    assert.ok(state.body.includes('secret-app'), 'the task is there, without its secret')

    for (const entry of sb.transcript) {
      assert.ok(!entry.stdout.includes(value) && !entry.stderr.includes(value), `'${entry.args.join(' ')}' printed the secret`)
      assert.ok(!entry.stdout.includes(b64) && !entry.stderr.includes(b64), `'${entry.args.join(' ')}' printed the secret (base64)`)
    }
    // On disk: only the secret store (raw) and the agent's checkpoints (the TaskInfo) hold it, owner-only.
    const dir = sb.clusterDir()
    const holders = filesUnder(dir).filter((f) => {
      const text = fs.readFileSync(f, 'latin1')
      return text.includes(value) || text.includes(b64)
    })
    assert.ok(holders.length > 0)
    for (const f of holders) {
      const rel = path.relative(dir, f)
      assert.match(rel, /^(gateway\/secrets|agents\/\d+\/meta)\//, `the secret is in ${rel}`)
      assert.equal(fs.statSync(f).mode & 0o777, 0o600, `${rel} is not 0600`)
    }
    for (const f of filesUnder(path.join(dir, 'logs'))) assert.ok(!fs.readFileSync(f, 'utf8').includes(value), `the secret is in ${f}`)
  })

  it('an app whose secret is missing is not launched and says why; it launches once the secret exists', async () => {
    const other = `later-${randomBytes(8).toString('hex')}`
    const posted = await marathon.call('POST', '/v2/apps', checkingApp('/waits-for-secret', 'e2e/later', other))
    assert.equal(posted.status, 201, posted.text)
    const item = await waitFor('the app in /v2/queue with its problem', async () => {
      const queue = (await marathon.json('GET', '/v2/queue')).queue as any[]
      return queue.find((q) => q.app.id === '/waits-for-secret' && q.lastLaunchProblem)
    }, 20_000, 200)
    assert.match(item.lastLaunchProblem, /secret 'e2e\/later' does not exist/)
    assert.deepEqual(await marathon.tasks('/waits-for-secret'), [])
    assert.equal((await send('PUT', `${url}/secrets/v1/secret/default/e2e/later`, headers, {value: other})).status, 201)
    const [task] = await marathon.running('/waits-for-secret', 1, 30_000)
    await taskLogSays(sb, task.id, 'ok')
  })

  it('a service account credential logs in with the framework library; the master accepts its token', async () => {
    // What the package service provisions (DC/OS: `dcos security org service-accounts create`).
    const keys = await generateSigningKeys()
    const created = await send('PUT', `${url}/acs/api/v1/users/e2e-framework`, headers, {description: 'e2e framework', public_key: keys.publicKey})
    assert.equal(created.status, 201, created.text)
    const credential = {scheme: 'RS256', uid: 'e2e-framework', private_key: keys.privateKey, login_endpoint: `${url}/acs/api/v1/auth/login`}
    const parsed = credentialFromEnv({DCOS_SERVICE_ACCOUNT_CREDENTIAL: JSON.stringify(credential)})!
    const auth = new ServiceAuth(parsed)
    await auth.start()
    try {
      const token = auth.token()!
      const direct = await get(`${sb.components().master.url}/master/state`, auth.headers())
      assert.equal(direct.status, 200)
      const through = await get(`${url}/mesos/master/state`, auth.headers())
      assert.equal(through.status, 200)
      assert.equal((await get(`${sb.components().master.url}/master/state`)).status, 401)
      // Its own API would check callers' tokens by the cluster's JWKS.
      const verifier = new RequestVerifier(jwksUrlOf(parsed))
      assert.deepEqual(await verifier.verify(`token=${token}`), {ok: true, uid: 'e2e-framework'})
      assert.equal((await verifier.verify(`token=${token}x`)).ok, false)
      // A framework's token cannot read the secret store.
      assert.equal((await send('GET', `${url}/secrets/v1/secret/default/e2e/mysecret`, auth.headers())).status, 403)
    } finally {
      auth.stop()
    }
  })
})

describe('secrets with --no-auth', () => {
  const sb = new Sandbox('dcos-e2e-secrets-noauth-')
  const value = `open-${randomBytes(8).toString('hex')}`
  let url = ''

  before(async () => {
    url = await sb.up(1, ['--no-auth'])
  })
  after(() => sb.cleanup())

  it('the store works without a token and the task gets its secret', async () => {
    assert.equal((await send('PUT', `${url}/secrets/v1/secret/default/open`, {}, {value})).status, 201)
    const marathon = new MarathonClient(`${url}/service/marathon`, {})
    const posted = await marathon.call('POST', '/v2/apps', checkingApp('/open-secret', 'open', value))
    assert.equal(posted.status, 201, posted.text)
    const [task] = await marathon.running('/open-secret', 1, 30_000)
    await taskLogSays(sb, task.id, 'ok')
    const state = await get(`${url}/mesos/master/state`)
    assert.ok(!state.body.includes(value))
  })
})
