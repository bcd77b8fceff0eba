/**
 * Chronos on a real local cluster, as Marathon runs it: an app that fetches dist/chronos.js
 * (`uris`) and keeps its state on a persistent volume (residency). Jobs run as Mesos tasks with
 * Chronos's ids; a repeating job runs every period, a dependent job after its parent, a failing
 * job is retried and records lastError; a kill -9 of the Chronos task loses no job and no count.
 * The cluster has auth: Chronos gets a service account's credential through a Marathon secret
 * (as the package has it), logs in with it, and requires a valid token on its own API.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {generateSigningKeys} from '../../src/runtime/auth/tokens'
import {get, ROOT, Sandbox, waitFor} from './harness'
import {MarathonClient} from './marathon-client'

const CHRONOS_JS = path.join(ROOT, 'dist', 'chronos.js')

/** The Marathon app the package renders, posted directly; `secret`: the credential's secret path. */
export function chronosApp(extraFlags = '', secret?: string): Record<string, unknown> {
  return {
    ...(secret && {secrets: {serviceCredential: {source: secret}}, env: {DCOS_SERVICE_ACCOUNT_CREDENTIAL: {secret: 'serviceCredential'}}}),
    id: '/chronos',
    cmd: `node chronos.js --http_port $PORT0 --hostname $HOST --mesos_framework_name chronos --state_dir $MESOS_SANDBOX/chronos-state ${extraFlags}`.trim(),
    uris: [`file://${CHRONOS_JS}`],
    cpus: 0.5,
    mem: 256,
    disk: 0,
    instances: 1,
    portDefinitions: [{port: 0, protocol: 'tcp', name: 'api'}],
    container: {type: 'MESOS', volumes: [{containerPath: 'chronos-state', mode: 'RW', persistent: {size: 64}}]},
    residency: {relaunchEscalationTimeoutSeconds: 3600, taskLostBehavior: 'WAIT_FOREVER'},
    upgradeStrategy: {minimumHealthCapacity: 0, maximumOverCapacity: 0},
    healthChecks: [{protocol: 'HTTP', path: '/ping', portIndex: 0, gracePeriodSeconds: 30, intervalSeconds: 5, timeoutSeconds: 5, maxConsecutiveFailures: 3}],
    labels: {DCOS_PACKAGE_FRAMEWORK_NAME: 'chronos'},
  }
}

/** The pid of the Chronos node process (not its shell), found through /proc. */
function chronosPid(): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (path.basename(argv[0]) === 'node' && argv[1] === 'chronos.js') return Number(entry)
    } catch {
      /* gone */
    }
  }
  return undefined
}

describe('chronos', () => {
  const sb = new Sandbox('dcos-e2e-chronos-')
  let url: string
  let m: MarathonClient
  let c: MarathonClient

  before(async () => {
    assert.ok(fs.existsSync(CHRONOS_JS), 'run node scripts/build.mjs first')
    url = await sb.up(1)
    m = await MarathonClient.of(sb, url)
    c = new MarathonClient(`${url}/service/chronos`, await sb.authHeaders())
  })

  /** What the package service provisions on a cluster with auth: a service account and its credential as a secret. */
  async function provisionServiceAccount(): Promise<string> {
    const admin = new MarathonClient(url, await sb.authHeaders())
    const keys = await generateSigningKeys()
    const created = await admin.call('PUT', '/acs/api/v1/users/chronos-principal', {description: 'chronos', public_key: keys.publicKey})
    assert.equal(created.status, 201, created.text)
    const credential = {scheme: 'RS256', uid: 'chronos-principal', private_key: keys.privateKey, login_endpoint: `${url}/acs/api/v1/auth/login`}
    const stored = await admin.call('PUT', '/secrets/v1/secret/default/chronos/service-credential', {value: JSON.stringify(credential)})
    assert.equal(stored.status, 201, stored.text)
    return 'chronos/service-credential'
  }
  after(() => sb.cleanup())

  const jobs = async (): Promise<Record<string, any>> => Object.fromEntries(((await c.json('GET', '/scheduler/jobs')) as any[]).map((j) => [j.name, j]))
  const tasks = async (): Promise<any[]> => JSON.parse((await sb.dcos('task', 'list', '--completed', '--json')).stdout)

  it('runs as a Marathon app, registered as the framework chronos with its API as webui_url, behind auth', async () => {
    await m.json('POST', '/v2/apps', chronosApp('--failure_retry 1000', await provisionServiceAccount()))
    await waitFor('Chronos to answer through the gateway', async () => (await c.call('GET', '/ping').catch(() => undefined))?.status === 200, 30_000, 250)
    const state = JSON.parse((await sb.get(`${url}/mesos/master/state`)).body)
    const fw = state.frameworks.filter((f: any) => f.name === 'chronos')
    assert.equal(fw.length, 1)
    assert.match(fw[0].webui_url, /^http:\/\/127\.0\.0\.\d+:\d+$/)
    assert.equal(fw[0].failover_timeout, 604800)
    assert.equal(fw[0].principal, 'chronos-principal', 'it authenticated as its service account')
    // Its own API wants a valid token (directly; the gateway wants one anyway); /ping does not.
    assert.equal((await get(`${fw[0].webui_url}/scheduler/jobs`)).status, 401)
    assert.equal((await get(`${fw[0].webui_url}/scheduler/jobs`, {Authorization: 'token=forged'})).status, 401)
    assert.equal((await sb.get(`${fw[0].webui_url}/scheduler/jobs`)).status, 200)
    assert.equal((await get(`${fw[0].webui_url}/ping`)).status, 200)
  })

  it('answers bad jobs with a 400 and a message', async () => {
    const bad = await c.call('POST', '/scheduler/iso8601', {name: 'bad', command: 'true', schedule: 'every minute'})
    assert.equal(bad.status, 400)
    assert.match(bad.text, /not an ISO 8601 repeating interval/)
    const orphan = await c.call('POST', '/v1/scheduler/dependency', {name: 'orphan', command: 'true', parents: ['nope']})
    assert.equal(orphan.status, 400)
    assert.match(orphan.text, /parent 'nope' does not exist/)
    assert.equal((await c.call('POST', '/scheduler/iso8601', '{"name":')).status, 400)
    assert.equal((await c.call('DELETE', '/scheduler/job/nope')).status, 400)
  })

  it('runs a repeating job every period, a dependent job after its parent, and retries a failing job', async () => {
    const start = new Date(Date.now() + 2000).toISOString()
    assert.equal((await c.call('POST', '/scheduler/iso8601', {name: 'echo', command: 'echo hello-from-chronos', schedule: `R/${start}/PT2S`, cpus: 0.05, mem: 32})).status, 204)
    assert.equal((await c.call('POST', '/scheduler/dependency', {name: 'after-echo', command: 'echo child-of-echo', parents: ['echo'], cpus: 0.05, mem: 32})).status, 204)
    assert.equal((await c.call('POST', '/v1/scheduler/iso8601', {name: 'failing', command: 'echo trying; exit 3', schedule: 'R1//PT1H', retries: 2, cpus: 0.05, mem: 32})).status, 204)
    await new Promise((r) => setTimeout(r, 12_000))
    const j = await jobs()
    assert.ok(j.echo.successCount >= 3, `echo ran ${j.echo.successCount} times`)
    assert.ok(j.echo.lastSuccess)
    assert.ok(j['after-echo'].successCount >= 1)
    const failing = await waitFor('the failing job to run out of retries', async () => ((await jobs()).failing.errorCount === 1 ? (await jobs()).failing : undefined), 10_000, 250)
    assert.ok(failing.lastError, 'lastError is recorded')
    assert.equal(failing.successCount, 0)

    const all = await tasks()
    const ids = all.map((t) => t.id as string)
    const echoes = ids.filter((id) => /^ct:\d+:0:echo:$/.test(id))
    assert.ok(echoes.length >= 3, `echo tasks: ${echoes.join(' ')}`)
    const attempts = ids.filter((id) => id.startsWith('ct:') && id.includes(':failing:')).map((id) => Number(id.split(':')[2]))
    assert.deepEqual(attempts.sort(), [0, 1, 2], 'the failing job ran once and was retried twice')
    const due = (id: string) => Number(id.split(':')[1])
    const firstEcho = Math.min(...echoes.map(due))
    const children = ids.filter((id) => id.includes(':after-echo:'))
    assert.ok(children.length >= 1 && children.every((id) => due(id) > firstEcho), 'the dependent job runs after its parent')

    const log = await sb.dcos('task', 'log', '--completed', echoes[0])
    assert.match(log.stdout, /hello-from-chronos/)
    const list = await sb.dcos('task', 'list', '--completed')
    assert.match(list.stdout, /ct:\d+:0:echo:/)
    assert.match(list.stdout, /ChronosTask:echo/)

    const csv = (await c.call('GET', '/scheduler/graph/csv')).text
    assert.match(csv, /^link,echo,after-echo$/m)
    assert.match(csv, /^node,failing,failure,idle$/m)
  })

  it('keeps every job and its counts across a kill -9 of the Chronos task', async () => {
    const frameworkId = JSON.parse((await sb.get(`${url}/mesos/master/state`)).body).frameworks.find((f: any) => f.name === 'chronos').id
    const [task] = await m.tasks('/chronos', 'TASK_RUNNING')
    const before = await jobs()
    const pid = chronosPid()
    assert.ok(pid, 'the Chronos process is running')
    process.kill(pid, 'SIGKILL')
    await waitFor('Marathon to relaunch Chronos', async () => (await m.tasks('/chronos', 'TASK_RUNNING')).some((t) => t.id !== task.id), 30_000, 250)
    await waitFor('Chronos to answer again', async () => (await c.call('GET', '/ping').catch(() => undefined))?.status === 200, 30_000, 250)
    const after = await jobs()
    assert.deepEqual(Object.keys(after).sort(), ['after-echo', 'echo', 'failing'])
    for (const name of Object.keys(before)) {
      assert.ok(after[name].successCount >= before[name].successCount, `${name}: ${after[name].successCount} >= ${before[name].successCount}`)
      assert.equal(after[name].errorCount, before[name].errorCount)
    }
    assert.equal(after.failing.lastError, before.failing.lastError)
    const state = JSON.parse((await sb.get(`${url}/mesos/master/state`)).body)
    assert.deepEqual(state.frameworks.filter((f: any) => f.name === 'chronos').map((f: any) => f.id), [frameworkId], 'it failed over to its own framework id')
    const count = after.echo.successCount
    await waitFor('echo to keep running after the restart', async () => (await jobs()).echo.successCount >= count + 2, 15_000, 250)
  })
})
