/**
 * For Marathon's API tests: a real master, real agents (tasks are real processes) and Marathon,
 * all in-process on free ports with a temp dir, fast timings, no auth. `restartMarathon()`
 * closes Marathon and starts it again on the same work dir. `close()` ends everything: Marathon,
 * then the agents with their tasks, then the master, and removes the dir.
 */
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {startAgent, type AgentComponent} from '../../src/runtime/agent'
import type {AgentConfig, Component, MarathonConfig} from '../../src/runtime/config'
import type {Logger} from '../../src/runtime/log'
import {startMarathon, type MarathonComponent} from '../../src/runtime/marathon'
import {startMaster} from '../../src/runtime/master'
import {FAST, request, type HttpResult} from './master-harness'

export {waitFor, sleep} from './master-harness'

/**
 * Marathon alone, its master unreachable (it keeps retrying): only its API is under test. What it
 * logs as errors is pushed to `bugs`; `close()` stops it and removes its dir.
 */
export async function startBareMarathon(prefix: string, bugs: string[] = []): Promise<{url: string; bugs: string[]; close: () => Promise<void>}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const log: Logger = {info() {}, warn() {}, error: (m) => bugs.push(m)}
  const marathon = await startMarathon({role: 'marathon', host: '127.0.0.1', port: 0, masterUrl: 'http://127.0.0.1:1', workDir: path.join(dir, 'marathon')}, {log, reconnect: {minMs: 1000, maxMs: 5000}})
  return {
    url: marathon.url,
    bugs,
    close: async () => {
      await marathon.close()
      fs.rmSync(dir, {recursive: true, force: true})
    },
  }
}

export interface ClusterOptions {
  agents?: number
  /** Mesos resources of each agent (its ports range is its own). */
  resources?: (i: number) => string
  attributes?: (i: number) => string | undefined
}

async function canBind(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer()
    s.once('error', () => resolve(false))
    s.listen(0, host, () => s.close(() => resolve(true)))
  })
}

export class MarathonCluster {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marathon-test-'))
  readonly errors: string[] = []
  readonly log: Logger = {info() {}, warn() {}, error: (m) => this.errors.push(m)}
  master!: Component & {masterId: string}
  agents: AgentComponent[] = []
  marathon!: MarathonComponent
  #marathonConfig!: MarathonConfig

  static async start(opts: ClusterOptions = {}): Promise<MarathonCluster> {
    const c = new MarathonCluster()
    c.master = await startMaster({...FAST, workDir: path.join(c.dir, 'master')}, {log: c.log})
    const own = process.platform === 'linux' && (await canBind('127.0.0.2'))
    for (let i = 1; i <= (opts.agents ?? 1); i++) {
      const low = 31000 + (i - 1) * 100
      const host = own ? `127.0.0.${i + 1}` : '127.0.0.1'
      const config: AgentConfig = {
        role: 'agent',
        index: i,
        host,
        hostname: host,
        port: 0,
        masterUrl: c.master.url,
        workDir: path.join(c.dir, `agent-${i}`),
        resources: opts.resources?.(i) ?? `cpus:4;mem:4096;disk:4096;ports:[${low}-${low + 99}]`,
        ...(opts.attributes?.(i) && {attributes: opts.attributes(i)}),
        statusRetryMs: 200,
        isolation: 'watchdog',
        maxTaskProcesses: 256,
        killGracePeriodMs: 500,
      }
      c.agents.push(await startAgent(config, {log: c.log}))
    }
    c.#marathonConfig = {role: 'marathon', host: '127.0.0.1', port: 0, masterUrl: c.master.url, workDir: path.join(c.dir, 'marathon')}
    c.marathon = await startMarathon(c.#marathonConfig, {log: c.log, reconnect: {minMs: 20, maxMs: 200}, eventHeartbeatMs: 500})
    return c
  }

  get url(): string {
    return this.marathon.url
  }

  api(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    return request(this.url + p, {method, ...(text !== undefined && {body: text}), headers: {...(text !== undefined && {'Content-Type': 'application/json'}), ...headers}})
  }

  async json(method: string, p: string, body?: unknown): Promise<any> {
    const r = await this.api(method, p, body)
    if (r.status >= 300) throw new Error(`${method} ${p}: ${r.status} ${r.text}`)
    return r.json()
  }

  /** The app's tasks in a state, from the API. */
  async tasks(appId: string, state = 'TASK_RUNNING'): Promise<any[]> {
    const r = await this.api('GET', `/v2/apps${appId}/tasks`)
    if (r.status !== 200) return []
    return (r.json().tasks as any[]).filter((t) => t.state === state)
  }

  /** Marathon closed and started again on the same work dir (and port). */
  async restartMarathon(): Promise<void> {
    const port = Number(new URL(this.marathon.url).port)
    await this.marathon.close()
    this.marathon = await startMarathon({...this.#marathonConfig, port}, {log: this.log, reconnect: {minMs: 20, maxMs: 200}, eventHeartbeatMs: 500})
  }

  async close(): Promise<void> {
    await this.marathon?.close().catch(() => {})
    for (const a of this.agents) await (a.shutdown ? a.shutdown() : a.close()).catch(() => {})
    await this.master?.close().catch(() => {})
    fs.rmSync(this.dir, {recursive: true, force: true})
  }
}
