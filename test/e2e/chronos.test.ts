/**
 * Chronos as a new user meets it: `dcos package install chronos --yes` on a cluster with auth (the
 * package service provisions its service account; Chronos logs in with it and requires a token on
 * its API), healthy; jobs added with `dcos chronos job add` run as Mesos tasks with Chronos's ids:
 * a repeating job every period with its output in `dcos task log`, a dependent job after its
 * parent, a failing job retried until it records lastError; a kill -9 of the Chronos task loses no
 * job and no count (its state is on a persistent volume); `dcos package uninstall chronos --yes`
 * leaves no Chronos framework and no job task. And the same package on a --no-auth cluster.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {get, ROOT, Sandbox, waitFor} from './harness'
import {MarathonClient} from './marathon-client'

/** The pid of this sandbox's Chronos node process (not its shell), found through /proc. */
function chronosPid(sb: Sandbox): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0')
      if (path.basename(argv[0]) === 'node' && argv[1] === 'chronos.js' && fs.readlinkSync(`/proc/${entry}/cwd`).startsWith(sb.dir)) return Number(entry)
    } catch {
      /* gone */
    }
  }
  return undefined
}

/** Installs the package (with `options`) and waits for its app to be healthy. */
async function install(sb: Sandbox, m: MarathonClient, options: unknown): Promise<void> {
  const file = path.join(sb.dir, 'chronos-options.json')
  fs.writeFileSync(file, JSON.stringify(options))
  const r = await sb.dcos('package', 'install', 'chronos', '--options', file, '--yes')
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout + r.stderr, /Chronos DCOS Service has been successfully installed/)
  await waitFor('the chronos app to be healthy', async () => (await m.json('GET', '/v2/apps/chronos')).app.tasksHealthy === 1, 60_000, 250)
}

function writeJob(sb: Sandbox, job: Record<string, unknown>): string {
  const file = path.join(sb.dir, `${job.name}.json`)
  fs.writeFileSync(file, JSON.stringify(job))
  return file
}

async function cli<T = unknown>(sb: Sandbox, ...args: string[]): Promise<T> {
  const r = await sb.dcos(...args)
  assert.equal(r.code, 0, `dcos ${args.join(' ')}: ${r.stderr}`)
  return (args.includes('--json') ? JSON.parse(r.stdout) : r.stdout) as T
}

async function jobs(sb: Sandbox): Promise<Record<string, any>> {
  return Object.fromEntries((await cli<any[]>(sb, 'chronos', 'job', 'list', '--json')).map((j) => [j.name, j]))
}

async function masterState(sb: Sandbox, url: string): Promise<any> {
  return JSON.parse((await sb.get(`${url}/mesos/master/state`)).body)
}

describe('chronos, installed from the universe on a cluster with auth', () => {
  const sb = new Sandbox('dcos-e2e-chronos-')
  let url: string
  let m: MarathonClient

  before(async () => {
    assert.ok(fs.existsSync(path.join(ROOT, 'dist', 'universe', 'artifacts', 'chronos.js')), 'run node scripts/build.mjs first')
    url = await sb.up(1)
    m = await MarathonClient.of(sb, url)
  })
  after(() => sb.cleanup())

  it('installs healthy, registered as the framework chronos under its service account, its API behind auth', async () => {
    await install(sb, m, {chronos: {'failure-retry': 1000}})
    const fw = (await masterState(sb, url)).frameworks.filter((f: any) => f.name === 'chronos')
    assert.equal(fw.length, 1)
    assert.equal(fw[0].failover_timeout, 604800)
    assert.equal(fw[0].principal, 'chronos', 'it authenticated as the service account the package service made')
    assert.match(fw[0].webui_url, /^http:\/\/127\.0\.0\.\d+:\d+$/)
    assert.equal((await get(`${fw[0].webui_url}/scheduler/jobs`)).status, 401)
    assert.equal((await get(`${fw[0].webui_url}/scheduler/jobs`, {Authorization: 'token=forged'})).status, 401)
    assert.equal((await sb.get(`${fw[0].webui_url}/scheduler/jobs`)).status, 200)
    assert.equal((await get(`${fw[0].webui_url}/ping`)).status, 200)
    assert.equal((await sb.get(`${url}/service/chronos/v1/scheduler/jobs`)).body, '[]', 'the gateway serves its API at /service/chronos/')

    // `dcos service log`: the sandbox of the one task of the app labelled DCOS_PACKAGE_FRAMEWORK_NAME=chronos.
    const log = await sb.dcos('service', 'log', 'chronos', '--lines', '50')
    assert.equal(log.code, 0, log.stderr)
    assert.match(log.stdout, /framework 'chronos' at master/)
    const fetched = await sb.dcos('service', 'log', 'chronos', 'stderr')
    assert.match(fetched.stdout, /Successfully fetched all URIs/)
    const marathonLog = await sb.dcos('service', 'log', 'marathon', '--lines', '2')
    assert.equal(marathonLog.code, 0, marathonLog.stderr)
    assert.equal(marathonLog.stdout.split('\n').filter(Boolean).length, 2)
    assert.match((await sb.dcos('service', 'log', 'marathon', 'stdout')).stderr, /the <file> argument is invalid for marathon/)
    const none = await sb.dcos('service', 'log', 'kafka')
    assert.deepEqual([none.code, none.stderr.trim()], [1, 'Error: no marathon apps found for service name [kafka]'])
  })

  it('refuses a bad job with Chronos\'s message', async () => {
    const r = await sb.dcos('chronos', 'job', 'add', writeJob(sb, {name: 'bad', command: 'true', schedule: 'every minute'}))
    assert.equal(r.code, 1)
    assert.match(r.stderr, /not an ISO 8601 repeating interval/)
    const orphan = await sb.dcos('chronos', 'job', 'add', writeJob(sb, {name: 'orphan', command: 'true', parents: ['nope']}))
    assert.match(orphan.stderr, /parent 'nope' does not exist/)
    assert.deepEqual(await jobs(sb), {})
  })

  it('runs a repeating job every period, a dependent job after its parent, and retries a failing job', async () => {
    const start = new Date(Date.now() + 2000).toISOString()
    await cli(sb, 'chronos', 'job', 'add', writeJob(sb, {name: 'echo', command: 'echo hello-from-chronos', schedule: `R/${start}/PT2S`, cpus: 0.05, mem: 32}))
    await cli(sb, 'chronos', 'job', 'add', writeJob(sb, {name: 'after-echo', command: 'echo child-of-echo', parents: ['echo'], cpus: 0.05, mem: 32}))
    await cli(sb, 'chronos', 'job', 'add', writeJob(sb, {name: 'failing', command: 'echo trying; exit 3', schedule: 'R1//PT1H', retries: 2, cpus: 0.05, mem: 32}))
    await new Promise((r) => setTimeout(r, 12_000))
    const j = await jobs(sb)
    assert.ok(j.echo.successCount >= 3, `echo ran ${j.echo.successCount} times`)
    assert.ok(j.echo.lastSuccess)
    assert.ok(j['after-echo'].successCount >= 1)
    const failing = await waitFor('the failing job to run out of retries', async () => ((await jobs(sb)).failing.errorCount === 1 ? (await jobs(sb)).failing : undefined), 10_000, 250)
    assert.ok(failing.lastError, 'lastError is recorded')
    assert.equal(failing.successCount, 0)

    const ids = (await cli<any[]>(sb, 'task', 'list', '--completed', '--json')).map((t) => t.id as string)
    const echoes = ids.filter((id) => /^ct:\d+:0:echo:$/.test(id))
    assert.ok(echoes.length >= 3, `echo tasks: ${echoes.join(' ')}`)
    const attempts = ids.filter((id) => id.includes(':failing:')).map((id) => Number(id.split(':')[2]))
    assert.deepEqual(attempts.sort(), [0, 1, 2], 'the failing job ran once and was retried twice')
    const due = (id: string) => Number(id.split(':')[1])
    const children = ids.filter((id) => id.includes(':after-echo:'))
    assert.ok(children.length >= 1 && children.every((id) => due(id) > Math.min(...echoes.map(due))), 'the dependent job runs after its parent')

    assert.match(await cli<string>(sb, 'task', 'log', '--completed', echoes[0]), /hello-from-chronos/)
    assert.match(await cli<string>(sb, 'task', 'list', '--completed'), /ChronosTask:echo .*ct:\d+:0:echo:/)
    const graph = await cli<string>(sb, 'chronos', 'graph', '--csv')
    assert.match(graph, /^link,echo,after-echo$/m)
    assert.match(graph, /^node,failing,failure,idle$/m)
    assert.match(await cli<string>(sb, 'chronos', 'graph'), /"echo" -> "after-echo";/)
    assert.match(await cli<string>(sb, 'chronos', 'job', 'show', 'failing'), /"retries": 2/)
  })

  it('keeps every job and its counts across a kill -9 of the Chronos task', async () => {
    const frameworkId = (await masterState(sb, url)).frameworks.find((f: any) => f.name === 'chronos').id
    const [task] = await m.tasks('/chronos', 'TASK_RUNNING')
    const before = await jobs(sb)
    const pid = chronosPid(sb)
    assert.ok(pid, 'the Chronos process is running')
    process.kill(pid, 'SIGKILL')
    await waitFor('Marathon to relaunch Chronos', async () => (await m.tasks('/chronos', 'TASK_RUNNING')).some((t) => t.id !== task.id), 30_000, 250)
    await waitFor('Chronos to answer again', async () => (await sb.get(`${url}/service/chronos/ping`)).status === 200, 30_000, 250)
    const after = await jobs(sb)
    assert.deepEqual(Object.keys(after).sort(), ['after-echo', 'echo', 'failing'])
    for (const name of Object.keys(before)) {
      assert.ok(after[name].successCount >= before[name].successCount, `${name}: ${after[name].successCount} >= ${before[name].successCount}`)
      assert.equal(after[name].errorCount, before[name].errorCount)
    }
    assert.equal(after.failing.lastError, before.failing.lastError)
    const fws = (await masterState(sb, url)).frameworks.filter((f: any) => f.name === 'chronos')
    assert.deepEqual(fws.map((f: any) => f.id), [frameworkId], 'it failed over to its own framework id')
    const count = after.echo.successCount
    await waitFor('echo to keep running after the restart', async () => (await jobs(sb)).echo.successCount >= count + 2, 15_000, 250)
  })

  it('runs, kills and removes jobs from the CLI', async () => {
    await cli(sb, 'chronos', 'job', 'add', writeJob(sb, {name: 'sleeper', command: 'sleep 300', schedule: 'R/2099-01-01T00:00:00Z/P1D', cpus: 0.05, mem: 32}))
    await cli(sb, 'chronos', 'job', 'run', 'sleeper')
    await waitFor('the sleeper to run', async () => (await cli<any[]>(sb, 'task', 'list', '--json')).some((t) => /^ct:\d+:0:sleeper:$/.test(t.id)), 15_000, 250)
    await cli(sb, 'chronos', 'job', 'kill', 'sleeper')
    await waitFor('the sleeper to be killed', async () => !(await cli<any[]>(sb, 'task', 'list', '--json')).some((t) => t.id.includes(':sleeper:')), 15_000, 250)
    await cli(sb, 'chronos', 'job', 'remove', 'sleeper')
    assert.equal((await jobs(sb)).sleeper, undefined)
  })

  it('uninstalls: no Chronos framework registered and no job task running', async () => {
    await cli(sb, 'chronos', 'job', 'add', writeJob(sb, {name: 'long', command: 'sleep 300', schedule: 'R1//PT1H', cpus: 0.05, mem: 32}))
    await waitFor('the long job to run', async () => (await cli<any[]>(sb, 'task', 'list', '--json')).some((t) => t.id.includes(':long:')), 15_000, 250)
    const r = await sb.dcos('package', 'uninstall', 'chronos', '--yes')
    assert.equal(r.code, 0, r.stderr)
    const state = await masterState(sb, url)
    assert.deepEqual(state.frameworks.filter((f: any) => f.name === 'chronos'), [])
    await waitFor('no job task running', async () => !(await cli<any[]>(sb, 'task', 'list', '--json')).some((t) => t.id.startsWith('ct:')), 15_000, 250)
  })
})

describe('chronos on a --no-auth cluster', () => {
  const sb = new Sandbox('dcos-e2e-chronos-noauth-')
  let m: MarathonClient
  let url: string

  before(async () => {
    url = await sb.up(1, ['--no-auth'])
    m = new MarathonClient(`${url}/service/marathon`, {})
  })
  after(() => sb.cleanup())

  it('installs without a service account and runs a job', async () => {
    await install(sb, m, {})
    const app = (await m.json('GET', '/v2/apps/chronos')).app
    assert.equal(app.env.DCOS_SERVICE_ACCOUNT_CREDENTIAL, undefined)
    const fw = (await masterState(sb, url)).frameworks.find((f: any) => f.name === 'chronos')
    assert.equal((await get(`${fw.webui_url}/scheduler/jobs`)).status, 200, 'no credential: an open API')
    await cli(sb, 'chronos', 'job', 'add', writeJob(sb, {name: 'once', command: 'echo once', schedule: 'R/2099-01-01T00:00:00Z/P1D', cpus: 0.05, mem: 32}))
    await cli(sb, 'chronos', 'job', 'run', 'once')
    await waitFor('the run to succeed', async () => (await jobs(sb)).once.successCount === 1, 15_000, 250)
  })
})
