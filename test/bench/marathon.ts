/**
 * Marathon benchmarks (called from run.ts, in the same run as their baselines). Marathon is
 * driven over its public v2 API, straight at its own URL (not through the gateway) with the token
 * `cluster up` stored; a task counts as running once `GET /v2/apps[/{id}]` shows it, which is
 * checked after `/v2/events` announced it (no tight polling loading the machine).
 *
 *  1. POST /v2/apps (1 instance) -> tasksRunning=1 in GET /v2/apps/{id}: p50 and p99, against a
 *     raw spawn of the same command (goal p50 <= 50 ms; real Marathon 0.5-0.7 s).
 *  2. One app scaled to 1,000 instances: time to all running, against 1,000 raw spawns of the
 *     same command (goal <= 2x).
 *  3. Scale that app to 0: time until all 1,000 tasks are TASK_KILLED (goal <= 1 s), with raw
 *     kill + reap of 1,000 processes for scale.
 *  4. 1,000 apps POSTed one by one: time to all running (goal <= 10 s).
 *  5. GET /v2/apps with those 1,000 apps: p50 against JSON.stringify of the same body in this
 *     process (goal <= 3x).
 */
import {spawn, type ChildProcess} from 'node:child_process'
import http from 'node:http'

interface BenchCluster {
  components: Record<string, {pid: number; url: string}>
  headers: Record<string, string>
}

export interface BenchHelpers<C extends BenchCluster> {
  clusterUp: (agents: number, extra: string[]) => Promise<C>
  clusterDown: (c: C) => void
  report: (line: string) => void
}

const COMMAND = 'sleep 1000'
/** Tiny tasks: 1,000 of them fit the agent the bench starts. */
const TASK = {cpus: 0.01, mem: 4, cmd: COMMAND}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`)

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * q))]
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/** Plain keep-alive HTTP to Marathon; never rejects on an HTTP status, only on a transport error. */
class Marathon {
  readonly #agent = new http.Agent({keepAlive: true, maxSockets: 4})
  constructor(
    readonly base: string,
    readonly headers: Record<string, string>,
  ) {}

  /** A request that met a kept-alive socket the server had closed meanwhile is sent again on a new one. */
  call(method: string, path: string, body?: unknown, retried = false): Promise<{status: number; text: string}> {
    const text = body === undefined ? undefined : JSON.stringify(body)
    return new Promise((resolve, reject) => {
      const req = http.request(
        this.base + path,
        {
          method,
          agent: this.#agent,
          headers: {...this.headers, ...(text !== undefined && {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text)})},
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (d: Buffer) => chunks.push(d))
          res.on('end', () => resolve({status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8')}))
          res.on('error', reject)
        },
      )
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (!retried && req.reusedSocket && (error.code === 'ECONNRESET' || error.message === 'socket hang up')) resolve(this.call(method, path, body, true))
        else reject(error)
      })
      req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)))
      req.end(text)
    })
  }

  async json(method: string, path: string, body?: unknown): Promise<any> {
    const r = await this.call(method, path, body)
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text.slice(0, 300)}`)
    return r.text ? JSON.parse(r.text) : undefined
  }

  /** Polls until `GET /v2/apps/{id}` shows `n` running tasks (and no more). */
  async running(id: string, n: number, timeoutMs: number, pollMs = 2): Promise<void> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const r = await this.call('GET', `/v2/apps${id}`)
      if (r.status === 200 && JSON.parse(r.text).app.tasksRunning === n) return
      if (performance.now() > deadline) throw new Error(`${id}: not ${n} running tasks after ${timeoutMs} ms (${r.status} ${r.text.slice(0, 200)})`)
      await sleep(pollMs)
    }
  }

  /** Attaches to `/v2/events?event_type=status_update_event`; `onEvent` sees each update. */
  async statusEvents(onEvent: (e: {appId: string; taskId: string; taskStatus: string}) => void): Promise<() => void> {
    const req = http.get(`${this.base}/v2/events?event_type=status_update_event`, {agent: false, headers: {...this.headers, Accept: 'text/event-stream'}})
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      req.on('response', resolve)
      req.on('error', reject)
    })
    if (res.statusCode !== 200) throw new Error(`GET /v2/events: ${res.statusCode}`)
    let buffer = ''
    res.setEncoding('utf8')
    res.on('data', (d: string) => {
      buffer += d
      let i
      while ((i = buffer.indexOf('\r\n\r\n')) >= 0) {
        const frame = buffer.slice(0, i)
        buffer = buffer.slice(i + 4)
        const data = /^data: (.*)$/m.exec(frame)?.[1]
        if (data && /^event: status_update_event$/m.test(frame)) onEvent(JSON.parse(data))
      }
    })
    res.on('error', () => {})
    req.on('error', () => {})
    return () => req.destroy()
  }

  close(): void {
    this.#agent.destroy()
  }
}

function app(id: string, instances: number) {
  return {id, instances, ...TASK}
}

/** spawn -> 'spawn' of the task's command (as the agent runs it: /bin/sh -c), one at a time. */
async function rawSpawns(n: number): Promise<{latencies: number[]; totalMs: number; children: ChildProcess[]}> {
  const latencies: number[] = []
  const children: ChildProcess[] = []
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    const child = spawn('/bin/sh', ['-c', COMMAND], {stdio: 'ignore', detached: true})
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve)
      child.once('error', reject)
    })
    latencies.push(performance.now() - t)
    children.push(child)
  }
  return {latencies, totalMs: performance.now() - t0, children}
}

/** SIGKILL every child's process group and wait until all are reaped. */
async function killAll(children: ChildProcess[]): Promise<number> {
  const t0 = performance.now()
  await Promise.all(
    children.map((child) => {
      const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r))
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        /* gone already */
      }
      return exited
    }),
  )
  return performance.now() - t0
}

/** Waits for a condition on counters that events advance; rejects after `timeoutMs`. */
async function until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(5)
  }
}

/** `BENCH_MARATHON=latency,scale,apps` runs only those sections; `BENCH_MARK=1` prints CLOCK_MONOTONIC µs at phase starts (to cut profiles). */
function mark(what: string): void {
  if (process.env.BENCH_MARK) console.log(`mark ${what} ${process.hrtime.bigint() / 1000n}`)
}

async function section(report: (line: string) => void, name: string, fn: () => Promise<void>): Promise<void> {
  const only = process.env.BENCH_MARATHON?.split(',')
  if (only && !only.includes(name)) return
  try {
    await fn()
  } catch (error) {
    report(`marathon: ${name} FAILED: ${(error as Error).message}`)
  }
}

export async function marathonBenchmarks<C extends BenchCluster>(h: BenchHelpers<C>): Promise<void> {
  const {report} = h
  const c = await h.clusterUp(1, ['--cpus', '64', '--mem', '65536'])
  const m = new Marathon(c.components.marathon.url, c.headers)
  const running = new Map<string, number>()
  const killed = new Map<string, number>()
  let runningTotal = 0
  let killedTotal = 0
  let closeEvents = () => {}
  try {
    await m.running('/', 0, 30_000).catch(() => {}) // warms the connection; '/' is no app
    closeEvents = await m.statusEvents((e) => {
      if (e.taskStatus === 'TASK_RUNNING') {
        running.set(e.appId, (running.get(e.appId) ?? 0) + 1)
        runningTotal++
      } else if (e.taskStatus === 'TASK_KILLED') {
        killed.set(e.appId, (killed.get(e.appId) ?? 0) + 1)
        killedTotal++
      }
    })

    // 1. POST -> running, one app at a time.
    await section(report, 'latency', async () => {
      const runs = 30
      const warmup = 3
      const latencies: number[] = []
      for (let i = 0; i < runs + warmup; i++) {
        const id = `/latency-${i}`
        const t0 = performance.now()
        await m.json('POST', '/v2/apps', app(id, 1))
        await until(`${id} running`, () => (running.get(id) ?? 0) >= 1, 30_000)
        await m.running(id, 1, 30_000)
        if (i >= warmup) latencies.push(performance.now() - t0)
      }
      for (let i = 0; i < runs + warmup; i++) await m.json('DELETE', `/v2/apps/latency-${i}?force=true`)
      await until('the latency apps killed', () => [...Array(runs + warmup).keys()].every((i) => (killed.get(`/latency-${i}`) ?? 0) >= 1), 60_000)
      const raw = await rawSpawns(runs + warmup)
      await killAll(raw.children)
      const rawP50 = quantile(raw.latencies.slice(warmup), 0.5)
      const p50 = quantile(latencies, 0.5)
      report(
        `marathon: POST /v2/apps -> tasksRunning=1 p50 ${fmt(p50)} p99 ${fmt(quantile(latencies, 0.99))}; raw spawn p50 ${fmt(rawP50)} = ${(p50 / rawP50).toFixed(1)}x (goal p50 <= 50 ms; Marathon 0.5-0.7 s)`,
      )
    })

    // 2. + 3. One app scaled to 1,000 instances, then to 0.
    await section(report, 'scale', async () => {
      const n = 1000
      const raw = await rawSpawns(n)
      const rawKillMs = await killAll(raw.children)
      const id = '/scale'
      await m.json('POST', '/v2/apps', app(id, 1))
      await until(`${id} running`, () => (running.get(id) ?? 0) >= 1, 30_000)
      await m.running(id, 1, 30_000)
      running.set(id, 0)
      mark('scale-up')
      const t0 = performance.now()
      await m.json('PUT', `/v2/apps${id}?force=true`, {instances: n})
      await until(`${n} tasks of ${id} running`, () => (running.get(id) ?? 0) >= n - 1, 120_000)
      await m.running(id, n, 60_000, 20)
      const upMs = performance.now() - t0
      report(`marathon: scale one app 1 -> ${n} instances, all running ${fmt(upMs)}; ${n} raw spawns ${fmt(raw.totalMs)} = ${(upMs / raw.totalMs).toFixed(2)}x (goal <= 2x)`)

      killed.set(id, 0)
      mark('scale-down')
      const t1 = performance.now()
      await m.json('PUT', `/v2/apps${id}?force=true`, {instances: 0})
      await until(`${n} tasks of ${id} killed`, () => (killed.get(id) ?? 0) >= n, 120_000)
      const downMs = performance.now() - t1
      report(`marathon: scale ${n} -> 0, all TASK_KILLED ${fmt(downMs)}; raw SIGKILL + reap of ${n} ${fmt(rawKillMs)} (goal <= 1 s)`)
      mark('scale-end')
      await m.json('DELETE', `/v2/apps${id}?force=true`)
    })

    // 4. + 5. 1,000 apps posted one by one, then GET /v2/apps with them.
    await section(report, 'apps', async () => {
      const n = 1000
      const before = runningTotal
      mark('apps')
      const t0 = performance.now()
      for (let i = 0; i < n; i++) await m.json('POST', '/v2/apps', app(`/many/app-${i}`, 1))
      const postedMs = performance.now() - t0
      await until(`${n} apps running`, () => runningTotal - before >= n, 120_000)
      const deadline = performance.now() + 60_000
      for (;;) {
        const apps = (await m.json('GET', '/v2/apps?id=/many/')).apps as {tasksRunning: number}[]
        if (apps.length === n && apps.every((a) => a.tasksRunning === 1)) break
        if (performance.now() > deadline) throw new Error(`not all of ${n} apps running`)
        await sleep(20)
      }
      const allMs = performance.now() - t0
      report(`marathon: ${n} apps POSTed one by one (POSTs took ${fmt(postedMs)}), all running ${fmt(allMs)} = ${((n / allMs) * 1000).toFixed(0)} apps/s (goal <= 10 s)`)

      mark('get')
      const gets: number[] = []
      const stringify: number[] = []
      let size = 0
      for (let i = 0; i < 33; i++) {
        const t = performance.now()
        const r = await m.call('GET', '/v2/apps')
        if (r.status !== 200) throw new Error(`GET /v2/apps: ${r.status}`)
        if (i >= 3) gets.push(performance.now() - t)
        const body = JSON.parse(r.text)
        size = r.text.length
        const s = performance.now()
        JSON.stringify(body)
        if (i >= 3) stringify.push(performance.now() - s)
      }
      const g = quantile(gets, 0.5)
      const s = quantile(stringify, 0.5)
      report(
        `marathon: GET /v2/apps with ${n} apps (${(size / 1e6).toFixed(2)} MB) p50 ${fmt(g)}; JSON.stringify of it p50 ${fmt(s)} = ${(g / s).toFixed(1)}x (goal <= 3x)`,
      )
      mark('get-end')
      await m.json('DELETE', '/v2/groups/many?force=true')
    })
  } finally {
    closeEvents()
    m.close()
    h.clusterDown(c)
  }
}
