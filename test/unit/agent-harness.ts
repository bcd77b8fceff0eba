/**
 * For the agent tests: a stand-in master that speaks the master's side of the agent protocol
 * (src/mesos/agent-protocol.ts) and records what the agent sends, plus an agent started
 * in-process on 127.0.0.1:0 with a temporary work dir. Cleanup kills every task process group the
 * agent reported and removes the work dir.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {RegisterAgentRequest, RegisterAgentResponse, StatusUpdateRequest} from '../../src/mesos/agent-protocol'
import type {TaskInfo, TaskStatus} from '../../src/mesos/types'
import type {AgentConfig} from '../../src/runtime/config'
import {Router, reply, serve, type Server} from '../../src/runtime/http'
import type {Logger} from '../../src/runtime/log'
import {startAgent, type AgentComponent} from '../../src/runtime/agent'

export const FRAMEWORK_ID = 'fw-1'

export class StandInMaster {
  readonly registrations: RegisterAgentRequest[] = []
  readonly updates: StatusUpdateRequest[] = []
  heartbeats = 0
  /** Acknowledge every update as soon as it arrives (as a framework would). */
  autoAck = true
  /** Answer the next heartbeats with {reregister: true}. */
  reregister = false
  heartbeatIntervalMs = 100
  /** Say STATUS_BATCH when the agent registers, and take /agent/statuses. */
  statusBatch = false
  /** The sizes of the status batches received. */
  readonly batches: number[] = []
  agentUrl = ''
  #server?: Server

  static async start(port = 0): Promise<StandInMaster> {
    const m = new StandInMaster()
    await m.listen(port)
    return m
  }

  get url(): string {
    return this.#server!.url
  }

  get port(): number {
    return this.#server!.port
  }

  async listen(port: number): Promise<void> {
    const router = new Router()
    router.post('/internal/v1/agent/register', async (req) => {
      const body = (await req.json()) as RegisterAgentRequest
      this.registrations.push(body)
      this.agentUrl = body.url
      this.reregister = false
      const res: RegisterAgentResponse = {agent_id: body.agent_id ?? 'stand-in-S0', master_id: 'stand-in-master', heartbeat_interval_ms: this.heartbeatIntervalMs}
      if (this.statusBatch) res.capabilities = ['STATUS_BATCH']
      return res
    })
    router.post('/internal/v1/agent/heartbeat', () => {
      this.heartbeats++
      return {reregister: this.reregister}
    })
    router.post('/internal/v1/agent/status', async (req) => {
      const update = (await req.json()) as StatusUpdateRequest
      this.updates.push(update)
      if (this.autoAck) setImmediate(() => void this.ack(update.status).catch(() => {}))
      return reply(202)
    })
    router.post('/internal/v1/agent/statuses', async (req) => {
      const body = (await req.json()) as {agent_id: string; updates: {framework_id: string; status: TaskStatus}[]}
      this.batches.push(body.updates.length)
      for (const u of body.updates) {
        const update = {agent_id: body.agent_id, ...u}
        this.updates.push(update)
        if (this.autoAck) setImmediate(() => void this.ack(update.status).catch(() => {}))
      }
      return {results: body.updates.map(() => ({status: 202}))}
    })
    this.#server = await serve({router, host: '127.0.0.1', port})
  }

  /** Relays the framework's acknowledgement of `status` to the agent. */
  async ack(status: TaskStatus, frameworkId = FRAMEWORK_ID): Promise<number> {
    const res = await post(`${this.agentUrl}/internal/v1/ack`, {framework_id: frameworkId, task_id: status.task_id.value, uuid: status.uuid})
    return res.status
  }

  statuses(taskId: string): TaskStatus[] {
    return this.updates.filter((u) => u.status.task_id.value === taskId).map((u) => u.status)
  }

  /** The distinct updates' states: a re-sent update (same uuid) counts once. */
  states(taskId: string): string[] {
    const seen = new Set<string | undefined>()
    return this.statuses(taskId)
      .filter((s) => !seen.has(s.uuid) && seen.add(s.uuid))
      .map((s) => s.state)
  }

  async waitForState(taskId: string, state: string, timeoutMs = 15_000): Promise<TaskStatus> {
    return waitFor(`${taskId} to reach ${state} (saw ${this.states(taskId).join(', ') || 'nothing'})`, () => this.statuses(taskId).find((s) => s.state === state), timeoutMs)
  }

  close(): Promise<void> {
    return this.#server!.close()
  }
}

export async function post(url: string, body: unknown): Promise<{status: number; text: string; json: () => unknown}> {
  const res = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: typeof body === 'string' ? body : JSON.stringify(body)})
  const text = await res.text()
  return {status: res.status, text, json: () => JSON.parse(text)}
}

export async function get(url: string): Promise<{status: number; text: string; json: () => unknown; headers: Headers}> {
  const res = await fetch(url)
  const text = await res.text()
  return {status: res.status, text, json: () => JSON.parse(text), headers: res.headers}
}

export async function waitFor<T>(what: string | (() => string), fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

export function commandTask(id: string, command: string, extra: Partial<TaskInfo> = {}, mem = 64): TaskInfo {
  return {
    name: id,
    task_id: {value: id},
    agent_id: {value: ''},
    resources: [
      {name: 'cpus', type: 'SCALAR', scalar: {value: 0.1}},
      {name: 'mem', type: 'SCALAR', scalar: {value: mem}},
    ],
    command: {shell: true, value: command},
    ...extra,
  }
}

export interface TestAgent {
  agent: AgentComponent
  master: StandInMaster
  workDir: string
  config: AgentConfig
  /** Starts the agent again on the same work dir (after close()). */
  restart(overrides?: Partial<AgentConfig>): Promise<AgentComponent>
  run(task: TaskInfo, framework?: Record<string, unknown>): Promise<{status: number; text: string}>
  kill(taskId: string, gracePeriodMs?: number): Promise<{status: number; text: string}>
  cleanup(): Promise<void>
}

/** Starts a stand-in master and an agent registered with it. */
export async function startTestAgent(overrides: Partial<AgentConfig> = {}): Promise<TestAgent> {
  const master = await StandInMaster.start()
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-agent-test-'))
  const config: AgentConfig = {
    role: 'agent',
    index: 1,
    host: '127.0.0.1',
    port: 0,
    masterUrl: master.url,
    workDir,
    resources: 'cpus:4;mem:4096;disk:10240;ports:[31000-31099]',
    attributes: 'rack:r1;level:3',
    statusRetryMs: 200,
    isolation: 'auto',
    maxTaskProcesses: 64,
    killGracePeriodMs: 3000,
    ...overrides,
  }
  const started: AgentComponent[] = []
  // Errors the agent logs are bugs: cleanup fails the test with them.
  const errors: string[] = []
  const log: Logger = {info() {}, warn() {}, error: (m) => errors.push(m)}
  const start = async (c: AgentConfig) => {
    const a = await startAgent(c, {log})
    started.push(a)
    return a
  }
  const t: TestAgent = {
    agent: await start(config),
    master,
    workDir,
    config,
    async restart(more = {}) {
      t.agent = await start({...config, ...more})
      return t.agent
    },
    run: (task, framework = {}) =>
      post(`${t.agent.url}/internal/v1/run_task`, {
        framework_info: {id: {value: FRAMEWORK_ID}, name: 'test', user: 'root', checkpoint: true, ...framework},
        task: {...task, agent_id: {value: t.agent.agentId()}},
      }),
    kill: (taskId, gracePeriodMs) =>
      post(`${t.agent.url}/internal/v1/kill_task`, {
        framework_id: FRAMEWORK_ID,
        task_id: taskId,
        ...(gracePeriodMs !== undefined ? {kill_policy: {grace_period: {nanoseconds: gracePeriodMs * 1e6}}} : {}),
      }),
    async cleanup() {
      // The last agent kills what still runs (and removes its cgroups); earlier ones are closed.
      await started.at(-1)!.shutdown!()
      for (const a of started) await a.close()
      for (const pid of processesIn(workDir)) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          /* gone */
        }
      }
      await master.close()
      fs.rmSync(workDir, {recursive: true, force: true})
      if (errors.length > 0) throw new Error(`the agent logged errors:\n${errors.join('\n')}`)
    },
  }
  await waitFor('the agent to register', () => t.agent.agentId())
  return t
}

/** Live processes whose command line mentions `dir` or whose working directory is inside it. */
export function processesIn(dir: string): number[] {
  const out: number[] = []
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (/\) Z /.test(fs.readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue
      let cwd = ''
      try {
        cwd = fs.readlinkSync(`/proc/${entry}/cwd`)
      } catch {
        /* not readable */
      }
      if (cwd.startsWith(dir) || fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) out.push(Number(entry))
    } catch {
      /* exited */
    }
  }
  return out
}
