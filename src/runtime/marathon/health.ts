/**
 * Health and readiness checks, run by Marathon itself for every protocol (there is no executor
 * that would run the Mesos ones): HTTP/HTTPS/MESOS_HTTP(S) pass on a 200-399 answer within
 * `timeoutSeconds`, TCP/MESOS_TCP on a connection, COMMAND on exit status 0 (run with the task's
 * HOST and PORT* variables).
 *
 * Verdicts (`healthVerdict`, pure): within `gracePeriodSeconds` of the task's start, failures do
 * not count until a first success; after that each failure counts, and `maxConsecutiveFailures`
 * of them in a row (when > 0) get the task killed (and replaced, under backoff). Readiness checks
 * run until the task is ready once.
 */
import {spawn} from 'node:child_process'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import os from 'node:os'
import type {Logger} from '../log'
import type {HealthCheck, ReadinessCheck} from './app-definition'
import type {HealthResult, ReadinessResult, Task} from './tasks'

export interface ProbeOutcome {
  ok: boolean
  cause?: string
}

/** The new result after one probe, and whether the task must be killed. Pure. */
export function healthVerdict(
  previous: HealthResult | undefined,
  outcome: ProbeOutcome,
  check: Pick<HealthCheck, 'gracePeriodSeconds' | 'maxConsecutiveFailures'>,
  startedAtMs: number,
  nowMs: number,
): {result: HealthResult | undefined; kill: boolean} {
  const at = new Date(nowMs).toISOString()
  if (outcome.ok) {
    return {
      result: {
        alive: true,
        consecutiveFailures: 0,
        firstSuccess: previous?.firstSuccess ?? at,
        lastSuccess: at,
        lastFailure: previous?.lastFailure ?? null,
        lastFailureCause: previous?.lastFailureCause ?? null,
      },
      kill: false,
    }
  }
  const inGrace = nowMs - startedAtMs < check.gracePeriodSeconds * 1000 && !previous?.firstSuccess
  if (inGrace) return {result: previous, kill: false}
  const failures = (previous?.consecutiveFailures ?? 0) + 1
  return {
    result: {
      alive: false,
      consecutiveFailures: failures,
      firstSuccess: previous?.firstSuccess ?? null,
      lastSuccess: previous?.lastSuccess ?? null,
      lastFailure: at,
      lastFailureCause: outcome.cause ?? 'failed',
    },
    kill: check.maxConsecutiveFailures > 0 && failures >= check.maxConsecutiveFailures,
  }
}

export interface HealthDeps {
  now: () => number
  log: Logger
  onHealth(task: Task, index: number, result: HealthResult, previous: HealthResult | undefined): void
  onUnhealthy(task: Task, check: HealthCheck, cause: string): void
  onReadiness(task: Task, result: ReadinessResult): void
}

interface Run {
  timers: NodeJS.Timeout[]
  busy: Set<string>
  stopped: boolean
}

export class HealthMonitor {
  readonly #deps: HealthDeps
  readonly #runs = new Map<string, Run>()

  constructor(deps: HealthDeps) {
    this.#deps = deps
  }

  get size(): number {
    return this.#runs.size
  }

  /** Starts the checks of a task that runs (no-op when it has none or they already run). */
  start(task: Task, checks: readonly HealthCheck[], readiness: ReadinessCheck | undefined, portNames: readonly (string | undefined)[], env: Record<string, string>): void {
    if (this.#runs.has(task.id) || (checks.length === 0 && (!readiness || task.ready))) return
    const run: Run = {timers: [], busy: new Set(), stopped: false}
    this.#runs.set(task.id, run)
    const startedAt = task.startedAt ? Date.parse(task.startedAt) : this.#deps.now()
    checks.forEach((check, index) => {
      const tick = () => this.#probeHealth(run, task, check, index, startedAt, env)
      const delay = check.protocol.startsWith('MESOS_') || check.protocol === 'COMMAND' ? check.delaySeconds * 1000 : 0
      const first = setTimeout(() => {
        tick()
        const every = setInterval(tick, check.intervalSeconds * 1000)
        every.unref()
        run.timers.push(every)
      }, Math.min(delay, check.intervalSeconds * 1000))
      first.unref()
      run.timers.push(first)
    })
    if (readiness && !task.ready) {
      const index = portNames.indexOf(readiness.portName)
      const tick = () => this.#probeReadiness(run, task, readiness, index)
      const first = setTimeout(tick, 0)
      const every = setInterval(tick, readiness.intervalSeconds * 1000)
      first.unref()
      every.unref()
      run.timers.push(first, every)
    }
  }

  stop(taskId: string): void {
    const run = this.#runs.get(taskId)
    if (!run) return
    run.stopped = true
    for (const t of run.timers) clearTimeout(t)
    this.#runs.delete(taskId)
  }

  stopAll(): void {
    for (const id of [...this.#runs.keys()]) this.stop(id)
  }

  #probeHealth(run: Run, task: Task, check: HealthCheck, index: number, startedAt: number, env: Record<string, string>): void {
    const key = `h${index}`
    if (run.stopped || run.busy.has(key)) return
    run.busy.add(key)
    probe(check, task, env).then((outcome) => {
      run.busy.delete(key)
      if (run.stopped) return
      const previous = task.health[index]
      const {result, kill} = healthVerdict(previous, outcome, check, startedAt, this.#deps.now())
      if (result && result !== previous) {
        task.health[index] = result
        this.#deps.onHealth(task, index, result, previous)
      }
      if (kill) this.#deps.onUnhealthy(task, check, outcome.cause ?? 'failed')
    })
  }

  #probeReadiness(run: Run, task: Task, check: ReadinessCheck, portIndex: number): void {
    if (run.stopped || run.busy.has('r') || task.ready) return
    const port = task.ports[portIndex]
    if (port === undefined) return
    run.busy.add('r')
    const timeoutMs = check.timeoutSeconds * 1000
    httpGet(check.protocol === 'HTTPS', task.host, port, check.path, timeoutMs).then((answer) => {
      run.busy.delete('r')
      if (run.stopped) return
      const ready = answer.status !== undefined && check.httpStatusCodesForReady.includes(answer.status)
      const result: ReadinessResult = {
        name: check.name,
        taskId: task.id,
        ready,
        ...(check.preserveLastResponse &&
          answer.status !== undefined && {lastResponse: {status: answer.status, contentType: answer.contentType ?? '', body: answer.body ?? ''}}),
      }
      this.#deps.onReadiness(task, result)
    })
  }
}

/** One probe of a health check. Never rejects. */
export async function probe(check: HealthCheck, task: Pick<Task, 'host' | 'ports'>, env: Record<string, string>): Promise<ProbeOutcome> {
  const timeoutMs = check.timeoutSeconds * 1000
  if (check.protocol === 'COMMAND') return runCommand(check.command?.value ?? 'false', env, timeoutMs)
  const port = check.port ?? task.ports[check.portIndex ?? 0]
  if (port === undefined) return {ok: false, cause: `the task has no port at index ${check.portIndex ?? 0}`}
  const host = check.ipProtocol === 'IPv6' && task.host === '127.0.0.1' ? '::1' : task.host
  if (check.protocol === 'TCP' || check.protocol === 'MESOS_TCP') return tcpConnect(host, port, timeoutMs)
  const secure = check.protocol === 'HTTPS' || check.protocol === 'MESOS_HTTPS'
  const answer = await httpGet(secure, host, port, check.path ?? '/', timeoutMs)
  if (answer.status === undefined) return {ok: false, cause: answer.error}
  if (answer.status >= 200 && answer.status < 400) return {ok: true}
  if (answer.status < 200 && check.ignoreHttp1xx) return {ok: true}
  return {ok: false, cause: `HTTP ${answer.status}`}
}

interface HttpAnswer {
  status?: number
  contentType?: string
  body?: string
  error?: string
}

function httpGet(secure: boolean, host: string, port: number, path: string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const lib = secure ? https : http
    const req = lib.request(
      {host, port, path: path.startsWith('/') ? path : `/${path}`, method: 'GET', agent: false, timeout: timeoutMs, ...(secure && {rejectUnauthorized: false})},
      (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size <= 64 * 1024) chunks.push(c)
        })
        res.on('end', () => resolve({status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8')}))
        res.on('error', (e) => resolve({error: e.message}))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)))
    req.on('error', (e: NodeJS.ErrnoException) => resolve({error: e.code ?? e.message}))
    req.end()
  })
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = net.connect({host, port})
    const done = (outcome: ProbeOutcome) => {
      socket.destroy()
      resolve(outcome)
    }
    socket.setTimeout(timeoutMs, () => done({ok: false, cause: `timed out after ${timeoutMs} ms`}))
    socket.once('connect', () => done({ok: true}))
    socket.once('error', (e: NodeJS.ErrnoException) => done({ok: false, cause: e.code ?? e.message}))
  })
}

function runCommand(command: string, env: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {cwd: os.tmpdir(), env: {PATH: process.env.PATH ?? '/usr/bin:/bin', ...env}, stdio: 'ignore', detached: true})
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // already gone
      }
      resolve({ok: false, cause: `timed out after ${timeoutMs} ms`})
    }, timeoutMs)
    child.once('error', (e) => {
      clearTimeout(timer)
      resolve({ok: false, cause: e.message})
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(code === 0 ? {ok: true} : {ok: false, cause: signal ? `killed by ${signal}` : `exit status ${code}`})
    })
  })
}
