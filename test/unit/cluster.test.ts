/**
 * The local cluster's pieces that stand alone: the restart policy, port choice, the spec, the
 * stop order, supervising a process, the sweep for leaked task processes, and the lifecycle
 * library's handling of stopped and unknown clusters. The supervisor itself runs for real on a
 * gateway-only cluster (the gateway is part of this module). A full `up` needs the master and
 * agent too: that test runs only once dist/runtime.js bundles them (see the last suite).
 */
import assert from 'node:assert/strict'
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, afterEach, before, describe, it} from 'node:test'
import type {ClusterSpec, GatewayConfig} from '../../src/runtime/config'
import {down, findLocalCluster, listLocalClusters, LocalClusterError, up, type LocalCluster} from '../../src/runtime/cluster'
import {ClusterDir, localClusterDir} from '../../src/runtime/cluster/cluster-dir'
import {choosePorts, freePort} from '../../src/runtime/cluster/ports'
import {isAlive} from '../../src/runtime/cluster/procs'
import {nextRestart} from '../../src/runtime/cluster/restart-policy'
import {killLeakedTasks, stopPhases} from '../../src/runtime/cluster/shutdown'
import {isLoopback} from '../../src/runtime/auth/guard'
import {buildClusterSpec, componentUrl, gatewayOf, portRequests, withAuth, withGatewayHost, withPorts} from '../../src/runtime/cluster/spec'
import {SupervisedProcess} from '../../src/runtime/cluster/supervised-process'
import {componentEnv} from '../../src/runtime/cluster/supervisor'
import {silentLogger} from '../../src/runtime/log'

const ROOT = path.resolve(__dirname, '..', '..')

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-cluster-test-'))
}

async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function kill(pid: number | undefined) {
  if (pid === undefined) return
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // gone
  }
}

const plan = (dir: string) => ({
  id: 'c-1',
  name: 'local',
  dir,
  createdAt: '2026-01-01T00:00:00.000Z',
  agentHosts: ['127.0.0.2', '127.0.0.3'],
  cpus: 2,
  memMb: 1024,
  diskMb: 10240,
  agentUnreachableTimeoutMs: 15000,
})

describe('restart policy', () => {
  it('restarts fast first, doubles up to 2 s, and starts over after 10 s up', () => {
    const delays: number[] = []
    let failures = 0
    for (let i = 0; i < 7; i++) {
      const next = nextRestart(failures, 50)
      failures = next.failuresInARow
      delays.push(next.delayMs)
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1600, 2000, 2000])
    assert.deepEqual(nextRestart(failures, 10_000), {failuresInARow: 1, delayMs: 100})
  })
})

describe('port choice', () => {
  it('keeps a free wanted port, replaces a taken one with a notice, never gives one port twice', async () => {
    const blocker = net.createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const taken = (blocker.address() as net.AddressInfo).port
    const free = await freePort('127.0.0.1', new Set([taken]))
    try {
      const notices: string[] = []
      const ports = await choosePorts(
        [
          {who: 'the master', host: '127.0.0.1', wanted: taken},
          {who: 'the gateway', host: '127.0.0.1', wanted: free},
          {who: 'agent 1', host: '127.0.0.1', wanted: free},
          {who: 'agent 2', host: '127.0.0.1'},
        ],
        (m) => notices.push(m),
      )
      assert.notEqual(ports[0], taken)
      assert.equal(ports[1], free)
      assert.equal(new Set(ports).size, 4)
      assert.deepEqual(notices, [
        `port ${taken} is in use; the master uses ${ports[0]} instead`,
        `port ${free} is in use; agent 1 uses ${ports[2]} instead`,
      ])
    } finally {
      blocker.close()
    }
  })
})

describe('cluster spec', () => {
  it('has a master, Marathon, agents on their own addresses and port ranges, and a gateway', () => {
    const spec = buildClusterSpec(plan('/x/local'))
    assert.deepEqual(
      spec.components.map((c) => c.name),
      ['master', 'marathon', 'agent-1', 'agent-2', 'gateway'],
    )
    const [master, marathon, a1, a2, gateway] = spec.components.map((c) => c.config)
    assert.equal(master.port, 5050)
    assert.deepEqual([marathon.port, a1.port, a2.port, gateway.port], [8080, 5051, 5052, 8000])
    assert.equal(marathon.role === 'marathon' && `${marathon.masterUrl} ${marathon.workDir} ${marathon.logFile}`, 'http://127.0.0.1:5050 /x/local/marathon /x/local/logs/marathon.log')
    assert.equal(a2.role === 'agent' && a2.resources, 'cpus:2;mem:1024;disk:10240;ports:[32000-32999]')
    assert.equal(a1.role === 'agent' && `${a1.host} ${a1.hostname} ${a1.workDir} ${a1.logFile}`, '127.0.0.2 127.0.0.2 /x/local/agents/1 /x/local/logs/agent-1.log')
    assert.equal(master.role === 'master' && master.logFile, '/x/local/logs/master.log')
    assert.equal((gateway as GatewayConfig).clusterId, 'c-1')
  })

  it('moves to other ports with every master URL following', () => {
    const spec = withPorts(buildClusterSpec(plan('/x/local')), [1, 5, 2, 3, 4])
    for (const c of spec.components) {
      if (c.config.role !== 'master') assert.equal((c.config as {masterUrl: string}).masterUrl, 'http://127.0.0.1:1')
    }
    assert.deepEqual(
      portRequests(spec, false).map((r) => `${r.who}@${r.host}:${r.wanted}`),
      ['the master@127.0.0.1:1', 'the marathon@127.0.0.1:5', 'agent 1@127.0.0.2:2', 'agent 2@127.0.0.3:3', 'the gateway@127.0.0.1:4'],
    )
    assert.ok(portRequests(spec, true).every((r) => r.wanted === undefined))
  })

  it('gives the private key and the admin only to the gateway, and takes auth away again', () => {
    const auth = {
      publicKey: 'PUB',
      privateKey: 'PRIV',
      usersDir: '/x/local/gateway/users',
      admin: {uid: 'admin', description: 'd', passwordHash: 'scrypt$h'},
      tokens: {master: 'tm', agent: 'ta', gateway: 'tg', marathon: 'tmar'},
    }
    const spec = withAuth(buildClusterSpec(plan('/x/local')), auth)
    assert.deepEqual(
      spec.components.map((c) => c.config.auth),
      [
        {publicKey: 'PUB', token: 'tm'},
        {publicKey: 'PUB', token: 'tmar'},
        {publicKey: 'PUB', token: 'ta'},
        {publicKey: 'PUB', token: 'ta'},
        {publicKey: 'PUB', token: 'tg', privateKey: 'PRIV', usersDir: '/x/local/gateway/users', bootstrapUsers: [auth.admin]},
      ],
    )
    assert.ok(withAuth(spec, undefined).components.every((c) => !('auth' in c.config)))
  })

  it('binds only the gateway to another host, reached on loopback when it is a wildcard', () => {
    const spec = withGatewayHost(buildClusterSpec(plan('/x/local')), '0.0.0.0')
    assert.deepEqual(spec.components.map((c) => c.config.host), ['127.0.0.1', '127.0.0.1', '127.0.0.2', '127.0.0.3', '0.0.0.0'])
    assert.equal(componentUrl(gatewayOf(spec)), 'http://127.0.0.1:8000')
    assert.equal(componentUrl({...gatewayOf(spec), host: '::1'}), 'http://[::1]:8000')
    assert.deepEqual(['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost', '0.0.0.0', '10.0.0.1', '::'].map(isLoopback), [true, true, true, true, true, false, false, false])
  })

  it('stops Marathon, the gateway and the agents (killing tasks) before the master', () => {
    const spec = buildClusterSpec(plan('/x/local'))
    const phases = stopPhases(spec, {keepTasks: false}).map((p) => p.steps.map((s) => `${s.name}:${s.signal}`))
    assert.deepEqual(phases, [['marathon:SIGTERM', 'agent-1:SIGUSR1', 'agent-2:SIGUSR1', 'gateway:SIGTERM'], ['master:SIGTERM']])
    const keep = stopPhases(spec, {keepTasks: true})[0].steps.map((s) => s.signal)
    assert.deepEqual(keep, ['SIGTERM', 'SIGTERM', 'SIGTERM', 'SIGTERM'])
  })
})

describe('supervised process', () => {
  const dir = tempDir()
  after(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('restarts a process that keeps dying, with growing delays, until stopped', async () => {
    // Measured from each exit to the next start, so a slow machine's start-up time (a loaded CI
    // box takes 500 ms to boot node) does not blur the delays the supervisor chose.
    const starts: number[] = []
    const exits: number[] = []
    const proc = new SupervisedProcess(
      {name: 'flaky', command: process.execPath, args: ['-e', 'console.log("up"); setTimeout(() => process.exit(3), 20)'], logFile: path.join(dir, 'flaky.log')},
      {log: silentLogger, onChange: () => (proc.pid !== undefined ? starts : exits).push(Date.now())},
    )
    proc.start()
    try {
      await until('three restarts', () => proc.restarts >= 3)
      await until('the fourth run to log', () => fs.readFileSync(path.join(dir, 'flaky.log'), 'utf8').startsWith('up\nup\nup\nup\n'))
      const gaps = starts.slice(1).map((t, i) => t - exits[i])
      // delays of 100, 200, 400 ms between an exit and the next start
      assert.ok(gaps[0] >= 90 && gaps[1] >= 190 && gaps[2] >= 390, `gaps ${gaps}`)
      assert.ok(gaps[2] > gaps[0], `gaps ${gaps}`)
    } finally {
      await proc.stop('SIGTERM', 1000)
    }
    const restarts = proc.restarts
    await new Promise((r) => setTimeout(r, 300))
    assert.equal(proc.restarts, restarts, 'no restart after stop')
    assert.equal(proc.pid, undefined)
  })

  it('runs the child with the environment it is given', async () => {
    const log = path.join(dir, 'env.log')
    const proc = new SupervisedProcess(
      {name: 'env', command: process.execPath, args: ['-e', 'console.log(process.env.MALLOC_MMAP_THRESHOLD_); setInterval(() => {}, 1000)'], logFile: log, env: componentEnv({PATH: process.env.PATH})},
      {log: silentLogger, onChange: () => {}},
    )
    proc.start()
    try {
      await until('the child to print its environment', () => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('\n'))
      assert.equal(fs.readFileSync(log, 'utf8').trim(), '131072')
    } finally {
      await proc.stop('SIGTERM', 1000)
    }
  })

  it('SIGKILLs a process that ignores the stop signal after the grace period', async () => {
    const proc = new SupervisedProcess(
      {name: 'stubborn', command: process.execPath, args: ['-e', 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)'], logFile: path.join(dir, 'stubborn.log')},
      {log: silentLogger, onChange: () => {}},
    )
    proc.start()
    const pid = proc.pid!
    await until('the handler to be installed', () => fs.readFileSync(path.join(dir, 'stubborn.log'), 'utf8').includes('ready'))
    const t0 = Date.now()
    await proc.stop('SIGTERM', 300)
    assert.ok(Date.now() - t0 >= 300)
    assert.equal(isAlive(pid), false)
  })
})

describe('leaked task sweep', () => {
  const dir = tempDir()
  const started: ChildProcess[] = []
  after(() => {
    for (const c of started) kill(-c.pid!) // each is detached: its own process group
    fs.rmSync(dir, {recursive: true, force: true})
  })

  function run(cmd: string, cwd: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
    fs.mkdirSync(cwd, {recursive: true})
    const child = spawn('sh', ['-c', cmd], {cwd, detached: true, stdio: 'ignore', env: {PATH: process.env.PATH, ...env}})
    started.push(child)
    return child
  }

  it('kills task processes (and their process groups) under the agents dir, and nothing else', async () => {
    const agents = path.join(dir, 'agents')
    const inSandbox = run('sleep 60 & sleep 60 & wait', path.join(agents, '1', 'slaves', 'S0', 'runs', 'r1'))
    const movedAway = run('sleep 60', dir, {MESOS_SANDBOX: path.join(agents, '2', 'sandbox')})
    const outsider = run('sleep 60', dir)
    await until('the sleeps to start', () => fs.readdirSync('/proc').some((p) => /^\d+$/.test(p) && procParent(Number(p)) === inSandbox.pid))
    const found = killLeakedTasks(agents)
    assert.ok(found.includes(inSandbox.pid!) && found.includes(movedAway.pid!), `found ${found}`)
    assert.ok(!found.includes(outsider.pid!))
    await until('the sandboxed processes to die', () => !isAlive(inSandbox.pid!) && !isAlive(movedAway.pid!))
    assert.ok(isAlive(outsider.pid!))
  })
})

function procParent(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return undefined
  }
}

describe('supervisor (on a gateway-only cluster)', () => {
  const dcosDir = tempDir()
  const pids: number[] = []
  after(() => {
    pids.forEach(kill)
    fs.rmSync(dcosDir, {recursive: true, force: true})
  })

  function startSupervisor(specFile: string) {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/runtime/main.ts'), 'supervisor', specFile], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout!.on('data', (d) => (output += d))
    child.stderr!.on('data', (d) => (output += d))
    pids.push(child.pid!)
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    return {child, exited, output: () => output}
  }

  it('starts, publishes state, restarts a killed component, refuses a second supervisor, and stops cleanly', async () => {
    const dir = new ClusterDir(localClusterDir(dcosDir, 'c-gw'))
    const port = await freePort('127.0.0.1')
    const gateway: GatewayConfig = {role: 'gateway', host: '127.0.0.1', port, masterUrl: 'http://127.0.0.1:9', clusterId: 'c-gw', clusterName: 'gw', logFile: dir.log('gateway')}
    const spec: ClusterSpec = {id: 'c-gw', name: 'gw', dir: dir.dir, createdAt: new Date().toISOString(), components: [{name: 'gateway', config: gateway}]}
    dir.writeSpec(spec)
    const supervisor = startSupervisor(dir.specFile)

    const first = await until('the gateway to run', () => {
      const s = dir.readState()
      return s?.components.gateway?.pid ? s : undefined
    }, 20_000)
    pids.push(first.components.gateway.pid!)
    assert.equal(first.pid, supervisor.child.pid)
    assert.equal(first.components.gateway.url, `http://127.0.0.1:${port}`)
    assert.equal(fs.readFileSync(dir.pidFile, 'utf8').trim(), String(supervisor.child.pid))
    assert.equal(fs.statSync(dir.config('gateway')).mode & 0o777, 0o600)
    await until('the gateway to answer', async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined))?.ok, 20_000)

    const second = startSupervisor(dir.specFile)
    assert.equal(await second.exited, 1)
    assert.match(second.output(), /another supervisor/)

    process.kill(first.components.gateway.pid!, 'SIGKILL')
    const restarted = await until('the gateway to be restarted', () => {
      const c = dir.readState()?.components.gateway
      return c?.pid && c.pid !== first.components.gateway.pid && c.restarts === 1 ? c : undefined
    }, 20_000)
    pids.push(restarted.pid!)
    assert.match(supervisor.output(), /gateway exited unexpectedly \(signal SIGKILL\)/)

    const taskDir = path.join(dir.agentsDir, '1', 'slaves', 'S0', 'runs', 'r1')
    fs.mkdirSync(taskDir, {recursive: true})
    const leaked = spawn('sleep', ['60'], {cwd: taskDir, detached: true, stdio: 'ignore'})
    pids.push(leaked.pid!)

    supervisor.child.kill('SIGTERM')
    assert.equal(await supervisor.exited, 0)
    assert.equal(isAlive(restarted.pid!), false)
    await until('the leaked task to die', () => !isAlive(leaked.pid!), 2_000)
    assert.equal(fs.existsSync(dir.pidFile), false)
    assert.equal(dir.readState()?.components.gateway.pid, null)
    assert.match(fs.readFileSync(dir.log('gateway'), 'utf8'), /listening on http:\/\/127\.0\.0\.1/)
  })
})

describe('cluster lifecycle without a running cluster', () => {
  const dcosDir = tempDir()
  after(() => fs.rmSync(dcosDir, {recursive: true, force: true}))

  it('lists and finds a stopped cluster, and purges it on down', async () => {
    const spec = buildClusterSpec({...plan(localClusterDir(dcosDir, 'c-1')), agentHosts: ['127.0.0.1']})
    const dir = new ClusterDir(spec.dir)
    dir.writeSpec(spec)
    fs.mkdirSync(path.join(dcosDir, 'clusters', 'set-up-elsewhere'), {recursive: true})
    const listed = listLocalClusters(dcosDir)
    assert.deepEqual(listed, [
      {id: 'c-1', name: 'local', url: 'http://127.0.0.1:8000', masterUrl: 'http://127.0.0.1:5050', dir: dir.dir, running: false, supervisorPid: undefined, agents: 1, auth: false},
    ])
    assert.equal(findLocalCluster(dcosDir, 'local')?.id, 'c-1')
    assert.equal(findLocalCluster(dcosDir, 'c-1')?.name, 'local')
    assert.equal(findLocalCluster(dcosDir, 'other'), undefined)
    await down(dcosDir, 'c-1', {purge: true})
    assert.equal(fs.existsSync(dir.dir), false)
    assert.ok(fs.existsSync(path.join(dcosDir, 'clusters', 'c-1')), "the CLI's part is left to the CLI")
    assert.deepEqual(listLocalClusters(dcosDir), [])
  })

  it('refuses unknown clusters and bad options with typed errors', async () => {
    await assert.rejects(down(dcosDir, 'nope', {}), (e: LocalClusterError) => e.code === 'NOT_FOUND')
    await assert.rejects(down(dcosDir, '../..', {}), (e: LocalClusterError) => e.code === 'NOT_FOUND')
    const base = {dcosDir, name: 'x', agents: 1, runtimeJs: __filename}
    for (const bad of [{agents: 0}, {agents: 1.5}, {agents: 33}, {name: ''}, {cpus: -1}, {mem: 10}, {host: 'example.com'}, {host: '127.0.0.1; rm'}]) {
      await assert.rejects(up({...base, ...bad}), (e: LocalClusterError) => e.code === 'INVALID_OPTIONS', JSON.stringify(bad))
    }
    await assert.rejects(up({...base, runtimeJs: '/nonexistent/runtime.js'}), (e: LocalClusterError) => e.code === 'RUNTIME_MISSING')
    assert.deepEqual(listLocalClusters(dcosDir), [], 'nothing was created')
  })
})

const RUNTIME_JS = path.join(ROOT, 'dist', 'runtime.js')
const fullRuntime = fs.existsSync(RUNTIME_JS) && fs.existsSync(path.join(ROOT, 'src/runtime/master/index.ts')) && fs.existsSync(path.join(ROOT, 'src/runtime/agent/index.ts'))

describe('cluster up/down with the real runtime', () => {
  before(() => assert.ok(fullRuntime, 'dist/runtime.js is not built: run node scripts/build.mjs (npm test builds first)'))
  const dcosDir = tempDir()
  afterEach(async () => {
    for (const c of listLocalClusters(dcosDir)) await down(dcosDir, c.id, {})
  })
  after(() => fs.rmSync(dcosDir, {recursive: true, force: true}))

  /** Logs in with the cluster's admin.json, as the CLI does after `cluster up`. */
  async function adminToken(cluster: LocalCluster): Promise<Record<string, string>> {
    const admin = fs.readFileSync(cluster.adminCredentialFile!, 'utf8')
    const res = await fetch(`${cluster.url}/acs/api/v1/auth/login`, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: admin})
    assert.equal(res.status, 200)
    return {Authorization: `token=${((await res.json()) as {token: string}).token}`}
  }

  it('starts a cluster, answers a second up with alreadyRunning, restarts it after down', async () => {
    const opts = {dcosDir, name: 'local', agents: 2, randomPorts: true, runtimeJs: RUNTIME_JS, cpus: 1, mem: 256}
    const t0 = Date.now()
    const first = await up(opts)
    const elapsed = Date.now() - t0
    assert.equal(first.alreadyRunning, false)
    assert.equal(first.restarted, false)
    assert.ok(first.cluster.running && first.cluster.agents === 2)
    assert.equal(first.cluster.auth, true)
    assert.equal(first.cluster.adminCredentialFile, path.join(first.cluster.dir, 'admin.json'))
    assert.equal(fs.statSync(first.cluster.adminCredentialFile!).mode & 0o777, 0o600)
    assert.equal(fs.statSync(first.cluster.dir).mode & 0o777, 0o700)
    const admin = JSON.parse(fs.readFileSync(first.cluster.adminCredentialFile!, 'utf8')) as {uid: string; password: string}
    assert.equal(admin.uid, 'admin')

    const headers = await adminToken(first.cluster)
    const slaves = (await (await fetch(`${first.cluster.url}/mesos/master/slaves`, {headers})).json()) as {slaves: {id: string}[]}
    assert.equal(slaves.slaves.length, 2)
    const meta = (await (await fetch(`${first.cluster.url}/metadata`)).json()) as {CLUSTER_ID: string}
    assert.equal(meta.CLUSTER_ID, first.cluster.id)
    for (const url of [`${first.cluster.url}/mesos/master/slaves`, `${first.cluster.masterUrl}/master/state`]) {
      const res = await fetch(url)
      await res.body?.cancel()
      assert.equal(res.status, 401, url)
      assert.equal(res.headers.get('www-authenticate'), 'acsjwt')
    }
    // Nothing a process shows to `ps` and nothing logged holds a credential.
    const secrets = [admin.password, headers.Authorization.slice('token='.length)]
    for (const file of fs.readdirSync(path.join(first.cluster.dir, 'logs'))) {
      const text = fs.readFileSync(path.join(first.cluster.dir, 'logs', file), 'utf8')
      for (const secret of secrets) assert.ok(!text.includes(secret), `a credential in logs/${file}`)
    }
    const state = new ClusterDir(first.cluster.dir).readState()!
    for (const {pid} of Object.values(state.components)) {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      assert.ok(!/token|eyJ|BEGIN/.test(cmdline), cmdline)
    }

    const again = await up(opts)
    assert.equal(again.alreadyRunning, true)
    assert.equal(again.cluster.supervisorPid, first.cluster.supervisorPid)

    await down(dcosDir, first.cluster.id, {})
    assert.equal(isAlive(first.cluster.supervisorPid!), false)
    assert.equal(findLocalCluster(dcosDir, 'local')?.running, false)

    const restarted = await up(opts)
    assert.equal(restarted.restarted, true)
    assert.equal(restarted.cluster.id, first.cluster.id)
    assert.equal(restarted.cluster.url, first.cluster.url, 'same ports')
    assert.deepEqual(JSON.parse(fs.readFileSync(restarted.cluster.adminCredentialFile!, 'utf8')), admin, 'same admin credential')
    // Same keys: the token from before the restart is still good.
    const after = (await (await fetch(`${restarted.cluster.url}/mesos/master/slaves`, {headers})).json()) as {slaves: {id: string}[]}
    assert.deepEqual(after.slaves.map((s) => s.id).sort(), slaves.slaves.map((s) => s.id).sort(), 'same agents')
    assert.ok(elapsed < 10_000, `up took ${elapsed} ms`)
  })

  it('runs without auth only on loopback, and says so', async () => {
    const opts = {dcosDir, name: 'open', agents: 1, randomPorts: true, runtimeJs: RUNTIME_JS, cpus: 1, mem: 256}
    await assert.rejects(up({...opts, auth: false, host: '0.0.0.0'}), (e: LocalClusterError) => e.code === 'INVALID_OPTIONS' && /without authentication/.test(e.message))
    assert.equal(findLocalCluster(dcosDir, 'open'), undefined, 'nothing was created')
    const notices: string[] = []
    const {cluster} = await up({...opts, auth: false, onNotice: (m) => notices.push(m)})
    assert.equal(cluster.auth, false)
    assert.equal(cluster.adminCredentialFile, undefined)
    assert.ok(notices.some((n) => n.startsWith('authentication is off')), notices.join('\n'))
    const res = await fetch(`${cluster.url}/mesos/master/slaves`)
    assert.equal(res.status, 200)
    await res.body?.cancel()
  })
})
