/**
 * Benchmarks for the bundled cluster. Each figure is a ratio against a baseline measured in the
 * same run on the same machine, so the numbers mean something on any box; nothing here fails a
 * build on a time. Run with `npm run bench` (it builds first).
 *
 *  1. CLI start-up: `dcos --version` and a command's `--help`, p50, against `node -e 0` (goal <= 2.0x).
 *  2. ACCEPT(LAUNCH) -> TASK_RUNNING, p50, against a raw child_process.spawn of the same command (goal <= 5x).
 *  3. 1,000 short tasks through one agent: throughput against raw spawn throughput (goal >= 0.5).
 *  4. `cluster up` to ready, and the idle RSS of master + 2 agents + gateway (goal <= 200 MB).
 *  5. Marathon (./marathon.ts): POST -> running latency, 1,000 instances up and down, 1,000 apps,
 *     GET /v2/apps.
 *
 * A benchmark that fails (a refused request, a reset connection) reports why and the others go
 * on. `BENCH_ONLY=cli,cluster,launch,marathon` (comma-separated) runs only those.
 */
import {spawn, spawnSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ConfigManager} from '../../src/cli/config'
import {CredentialStore, noKeychain} from '../../src/cli/credentials'
import {SchedulerDriver} from '../../src/mesos/driver'
import type {Offer, TaskStatus} from '../../src/mesos/types'
import {marathonBenchmarks} from './marathon'

const ROOT = path.resolve(__dirname, '..', '..')
const DCOS = path.join(ROOT, 'bin', 'dcos')

function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

function timeRuns(cmd: string, args: string[], runs: number, env: NodeJS.ProcessEnv = process.env): number[] {
  const out: number[] = []
  for (let i = 0; i < runs + 3; i++) {
    const t0 = performance.now()
    const r = spawnSync(cmd, args, {env, stdio: 'ignore'})
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`)
    if (i >= 3) out.push(performance.now() - t0)
  }
  return out
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`
const lines: string[] = []
function report(line: string) {
  lines.push(line)
  console.log(line)
}

async function cliStartup(env: NodeJS.ProcessEnv) {
  const runs = 30
  const help = fs.existsSync(path.join(ROOT, 'commands', 'marathon', 'app', 'list.ts'))
    ? ['marathon', 'app', 'list', '--help']
    : ['task', 'list', '--help']
  // Interleave the three so background noise hits them alike.
  const base: number[] = []
  const version: number[] = []
  const helpTimes: number[] = []
  for (let round = 0; round < 3; round++) {
    base.push(...timeRuns(process.execPath, ['-e', '0'], runs / 3))
    version.push(...timeRuns(DCOS, ['--version'], runs / 3, env))
    helpTimes.push(...timeRuns(DCOS, help, runs / 3, env))
  }
  const b = p50(base)
  report(`cli: node -e 0 p50 ${fmt(b)}`)
  report(`cli: dcos --version p50 ${fmt(p50(version))} = ${(p50(version) / b).toFixed(2)}x node (goal <= 2.0x)`)
  report(`cli: dcos ${help.join(' ')} p50 ${fmt(p50(helpTimes))} = ${(p50(helpTimes) / b).toFixed(2)}x node (goal <= 2.0x)`)
}

interface Cluster {
  env: NodeJS.ProcessEnv
  dir: string
  url: string
  components: Record<string, {pid: number; url: string}>
  /** What the bench framework sends: the token `cluster up` stored (clusters are closed by default). */
  headers: Record<string, string>
}

async function clusterUp(agents: number, extra: string[] = []): Promise<Cluster & {upMs: number}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-bench-'))
  const env = {...process.env, DCOS_DIR: path.join(dir, 'dcos'), HOME: dir, NO_COLOR: '1'}
  const t0 = performance.now()
  const r = spawnSync(DCOS, ['cluster', 'up', '--agents', String(agents), '--random-ports', ...extra], {env, encoding: 'utf8'})
  const upMs = performance.now() - t0
  if (r.status !== 0) throw new Error(`cluster up failed: ${r.stderr}`)
  const url = spawnSync(DCOS, ['config', 'show', 'core.dcos_url'], {env, encoding: 'utf8'}).stdout.trim()
  const clusters = path.join(env.DCOS_DIR, 'clusters')
  const id = fs.readdirSync(clusters).find((d) => fs.existsSync(path.join(clusters, d, 'local')))!
  const state = JSON.parse(fs.readFileSync(path.join(clusters, id, 'local', 'state.json'), 'utf8'))
  const attached = ConfigManager.fromEnv(env).tryCurrent()
  const token = attached && (await new CredentialStore(noKeychain).readStored(attached))?.token
  const headers: Record<string, string> = token ? {Authorization: `token=${token}`} : {}
  return {env, dir, url, components: state.components, upMs, headers}
}

function clusterDown(c: Cluster) {
  spawnSync(DCOS, ['cluster', 'down', '--purge'], {env: c.env, stdio: 'ignore'})
  fs.rmSync(c.dir, {recursive: true, force: true})
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

/**
 * Proportional set size: a page shared by n processes counts 1/n in each. Summed over the
 * components it is the memory they take together; summed RSS counts the node binary's code
 * (~34 MB, shared) once per process.
 */
function pssMb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) / 1024
  } catch {
    return Number.NaN
  }
}

async function upAndRss() {
  const times: number[] = []
  let rss = 0
  let pss = 0
  for (let i = 0; i < 3; i++) {
    const c = await clusterUp(2)
    times.push(c.upMs)
    if (i === 2) {
      await new Promise((r) => setTimeout(r, 2000))
      for (const [name, comp] of Object.entries(c.components)) {
        if (!/^(master|agent|gateway)/.test(name)) continue
        rss += rssMb(comp.pid)
        pss += pssMb(comp.pid)
      }
    }
    clusterDown(c)
  }
  const base = p50(timeRuns(process.execPath, ['-e', '0'], 10))
  report(`cluster: up to ready (2 agents) p50 ${fmt(p50(times))} = ${(p50(times) / base).toFixed(1)}x node -e 0`)
  report(`cluster: idle RSS of master + 2 agents + gateway ${rss.toFixed(0)} MB (goal <= 200 MB); their PSS, shared pages counted once: ${pss.toFixed(0)} MB`)
}

/** A framework that launches tasks as offers come and resolves each task's statuses. */
class BenchFramework {
  readonly driver: SchedulerDriver
  #offers: Offer[] = []
  #offerWaiters: ((o: Offer) => void)[] = []
  #statusWaiters = new Map<string, {state: string; resolve: (s: TaskStatus) => void}[]>()
  onUpdate?: (s: TaskStatus) => void

  constructor(masterUrl: string, headers: Record<string, string>) {
    this.driver = new SchedulerDriver({
      masterUrl,
      headers: () => headers,
      frameworkInfo: {user: os.userInfo().username, name: 'bench', failover_timeout: 0},
      implicitAcknowledgements: true,
    })
    this.driver.on('offers', (offers) => {
      for (const o of offers) {
        const w = this.#offerWaiters.shift()
        if (w) w(o)
        else this.#offers.push(o)
      }
    })
    this.driver.on('rescind', (id) => (this.#offers = this.#offers.filter((o) => o.id.value !== id)))
    this.driver.on('update', (s) => {
      this.onUpdate?.(s)
      const ws = this.#statusWaiters.get(s.task_id.value) ?? []
      for (const w of ws.filter((w) => w.state === s.state)) w.resolve(s)
    })
    this.driver.on('error', (e) => console.error(`bench framework: ${e.message}`))
  }

  async start() {
    await new Promise<void>((resolve) => {
      this.driver.once('subscribed', () => resolve())
      this.driver.start()
    })
  }

  offer(): Promise<Offer> {
    const o = this.#offers.shift()
    if (o) return Promise.resolve(o)
    return new Promise((resolve) => this.#offerWaiters.push(resolve))
  }

  waitState(taskId: string, state: string): Promise<TaskStatus> {
    return new Promise((resolve) => {
      const list = this.#statusWaiters.get(taskId) ?? []
      list.push({state, resolve})
      this.#statusWaiters.set(taskId, list)
    })
  }
}

function task(id: string, agentId: string, cmd: string, cpus: number, mem: number) {
  return {
    name: id,
    task_id: {value: id},
    agent_id: {value: agentId},
    resources: [
      {name: 'cpus', type: 'SCALAR' as const, scalar: {value: cpus}},
      {name: 'mem', type: 'SCALAR' as const, scalar: {value: mem}},
    ],
    command: {value: cmd, shell: true},
  }
}

async function rawSpawnLatency(runs: number): Promise<number[]> {
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const child = spawn('/bin/sh', ['-c', 'sleep 30'], {stdio: 'ignore', detached: true})
    await new Promise((r) => child.once('spawn', r))
    out.push(performance.now() - t0)
    process.kill(-child.pid!, 'SIGKILL')
  }
  return out
}

async function rawSpawnThroughput(n: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-bench-raw-'))
  const t0 = performance.now()
  let running = 0
  let done = 0
  await new Promise<void>((resolve) => {
    const next = () => {
      while (running < 16 && done + running < n) {
        running++
        const out = fs.openSync(path.join(dir, `out-${done + running}`), 'w')
        const child = spawn('/bin/sh', ['-c', 'true'], {stdio: ['ignore', out, out], detached: true})
        fs.closeSync(out)
        child.on('exit', () => {
          running--
          if (++done === n) resolve()
          else next()
        })
      }
    }
    next()
  })
  fs.rmSync(dir, {recursive: true, force: true})
  return n / ((performance.now() - t0) / 1000)
}

async function launchBenchmarks() {
  const c = await clusterUp(1, ['--cpus', '4', '--mem', '8192'])
  try {
    const fw = new BenchFramework(c.components.master.url, c.headers)
    await fw.start()

    // 2. ACCEPT(LAUNCH) -> TASK_RUNNING, one task at a time.
    const runs = 30
    const latencies: number[] = []
    for (let i = 0; i < runs + 3; i++) {
      const offer = await fw.offer()
      const id = `latency-${i}`
      const running = fw.waitState(id, 'TASK_RUNNING')
      const t0 = performance.now()
      await fw.driver.accept([offer.id.value], [{type: 'LAUNCH', launch: {task_infos: [task(id, offer.agent_id.value, 'sleep 30', 0.1, 32)]}}], {refuse_seconds: 0})
      await running
      if (i >= 3) latencies.push(performance.now() - t0)
      const killed = fw.waitState(id, 'TASK_KILLED')
      await fw.driver.kill(id, offer.agent_id.value)
      await killed
    }
    const raw = await rawSpawnLatency(runs)
    report(`launch: ACCEPT(LAUNCH) -> TASK_RUNNING p50 ${fmt(p50(latencies))}; raw spawn p50 ${fmt(p50(raw))} = ${(p50(latencies) / p50(raw)).toFixed(1)}x (goal <= 5x)`)

    // 3. 1,000 short tasks through one agent, launched as fast as offers allow.
    const n = 1000
    let launched = 0
    let finished = 0
    const t0 = performance.now()
    const allDone = new Promise<void>((resolve) => {
      fw.onUpdate = (s) => {
        if (s.task_id.value.startsWith('short-') && ['TASK_FINISHED', 'TASK_FAILED', 'TASK_LOST', 'TASK_ERROR'].includes(s.state)) {
          if (++finished === n) resolve()
        }
      }
    })
    const launcher = (async () => {
      while (launched < n) {
        const offer = await fw.offer()
        const cpus = offer.resources.find((r) => r.name === 'cpus')?.scalar?.value ?? 0
        const mem = offer.resources.find((r) => r.name === 'mem')?.scalar?.value ?? 0
        const fit = Math.min(n - launched, Math.floor(cpus / 0.01 + 1e-9), Math.floor(mem / 4 + 1e-9), 200)
        const tasks = Array.from({length: fit}, (_, k) => task(`short-${launched + k}`, offer.agent_id.value, 'true', 0.01, 4))
        launched += fit
        await fw.driver.accept([offer.id.value], [{type: 'LAUNCH', launch: {task_infos: tasks}}], {refuse_seconds: 0})
      }
    })()
    await Promise.all([launcher, allDone])
    const ours = n / ((performance.now() - t0) / 1000)
    const rawRate = await rawSpawnThroughput(n)
    report(`throughput: ${n} short tasks through one agent ${ours.toFixed(0)} tasks/s; raw spawn ${rawRate.toFixed(0)}/s = ${(ours / rawRate).toFixed(2)} (goal >= 0.5)`)
    await fw.driver.stop()
  } finally {
    clusterDown(c)
  }
}

/** Runs one benchmark; a failure is reported, never fatal to the rest. */
async function section(name: string, fn: () => Promise<void>) {
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim())
  if (only && !only.includes(name)) return
  try {
    await fn()
  } catch (error) {
    report(`${name}: FAILED: ${(error as Error)?.stack ?? error}`)
  }
}

async function main() {
  // A driver call or socket failing after its benchmark gave up on it (e.g. "connection reset"
  // while a cluster goes down) must not end the run.
  process.on('unhandledRejection', (error) => console.error(`bench: unhandled rejection: ${(error as Error)?.message ?? error}`))
  const env = {...process.env, DCOS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-bench-cli-')), NO_COLOR: '1'}
  await section('cli', () => cliStartup(env))
  await section('cluster', () => upAndRss())
  await section('launch', () => launchBenchmarks())
  await section('marathon', () => marathonBenchmarks({clusterUp, clusterDown, report}))
  fs.rmSync(env.DCOS_DIR!, {recursive: true, force: true})
  fs.mkdirSync(path.join(ROOT, '.bench'), {recursive: true})
  fs.writeFileSync(path.join(ROOT, '.bench', 'last.txt'), lines.join('\n') + '\n')
  process.exit(0)
}

void main()
