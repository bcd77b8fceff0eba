/**
 * Test harness for the master's contract: the master runs in-process on port 0 with a temp work
 * dir; schedulers speak the real v1 API over node:http (RecordIO subscription reader below);
 * agents are played by a small HTTP server that follows src/mesos/agent-protocol.ts and records
 * every call the master makes to it.
 */
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import type {AgentTaskReport, RegisterAgentResponse} from '../../src/mesos/agent-protocol'
import {RecordIODecoder} from '../../src/mesos/recordio'
import {parseResources} from '../../src/mesos/resources'
import type {Event, FrameworkInfo, Offer, Resource, TaskInfo, TaskStatus} from '../../src/mesos/types'
import type {Component, MasterConfig} from '../../src/runtime/config'
import {Router, reply, serve, type Server} from '../../src/runtime/http'
import {silentLogger} from '../../src/runtime/log'
import {startMaster} from '../../src/runtime/master'

export interface HttpResult {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  json: () => any
}

export function request(url: string, opts: {method?: string; body?: string; headers?: Record<string, string>} = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const body = opts.body ?? ''
    // A fresh connection each time: pooled sockets of a restarted master would be stale.
    const req = http.request(url, {agent: false, method: opts.method ?? 'GET', headers: {'Content-Length': Buffer.byteLength(body), ...opts.headers}}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text)})
      })
    })
    req.on('error', reject)
    req.setTimeout(5000, () => req.destroy(new Error(`timeout: ${url}`)))
    req.end(body)
  })
}

export const getJson = async (url: string) => (await request(url)).json()

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
  return request(url, {method: 'POST', body: JSON.stringify(body), headers: {'Content-Type': 'application/json', ...headers}})
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const FAST: Omit<MasterConfig, 'workDir'> = {
  role: 'master',
  host: '127.0.0.1',
  port: 0,
  clusterName: 'unit',
  agentUnreachableTimeoutMs: 1000,
  agentHeartbeatIntervalMs: 50,
  allocationIntervalMs: 20,
  offerBatchMs: 2,
  schedulerHeartbeatSeconds: 0.2,
}

/** A master in-process; `restart()` closes it and starts a new one on the same work dir. */
export class TestMaster {
  component!: Component & {masterId: string}
  readonly dir: string
  readonly config: MasterConfig

  private constructor(config: Partial<MasterConfig>) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'master-test-'))
    this.config = {...FAST, workDir: path.join(this.dir, 'work'), ...config}
  }

  static async start(config: Partial<MasterConfig> = {}): Promise<TestMaster> {
    const m = new TestMaster(config)
    m.component = await startMaster(m.config, {log: silentLogger})
    return m
  }

  get url(): string {
    return this.component.url
  }

  get id(): string {
    return this.component.masterId
  }

  state(path = '/master/state'): Promise<any> {
    return getJson(this.url + path)
  }

  /** Closes the master and starts a new one on the same port and work dir. */
  async restart(): Promise<void> {
    const port = Number(new URL(this.url).port)
    await this.component.close()
    this.component = await startMaster({...this.config, port}, {log: silentLogger})
  }

  async close(): Promise<void> {
    await this.component.close()
    fs.rmSync(this.dir, {recursive: true, force: true})
  }
}

/** A scheduler on the v1 API: one SUBSCRIBE stream, events collected as they arrive. */
export class Scheduler {
  readonly events: Event[] = []
  frameworkId = ''
  streamId = ''
  status = 0
  #res?: http.IncomingMessage
  #req?: http.ClientRequest
  ended = false

  private constructor(readonly masterUrl: string) {}

  static async subscribe(masterUrl: string, info: Partial<FrameworkInfo> = {}, extra: Record<string, unknown> = {}): Promise<Scheduler> {
    const s = new Scheduler(masterUrl)
    const framework_info = {user: 'root', name: 'test', ...info}
    const call: Record<string, unknown> = {type: 'SUBSCRIBE', subscribe: {framework_info, ...extra}}
    if (info.id) call.framework_id = info.id
    await s.#open(JSON.stringify(call))
    if (s.status === 200) {
      const first = await waitFor('the first event', () => s.events[0])
      if (first.type === 'SUBSCRIBED') s.frameworkId = first.subscribed!.framework_id.value
    }
    return s
  }

  #open(body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${this.masterUrl}/api/v1/scheduler`,
        {agent: false, method: 'POST', headers: {'Content-Type': 'application/json', Accept: 'application/json'}},
        (res) => {
          this.#res = res
          this.status = res.statusCode ?? 0
          this.streamId = String(res.headers['mesos-stream-id'] ?? '')
          const decoder = new RecordIODecoder()
          res.on('data', (chunk: Buffer) => {
            for (const record of decoder.push(chunk)) this.events.push(JSON.parse(record) as Event)
          })
          const end = () => {
            this.ended = true
          }
          res.on('end', end)
          res.on('close', end)
          res.on('error', end)
          resolve()
        },
      )
      this.#req = req
      req.on('error', (e) => {
        this.ended = true
        reject(e)
      })
      req.end(body)
    })
  }

  /** The first event of `type` (after `from`) matching `pred`. */
  async next(type: Event['type'], pred: (e: Event) => boolean = () => true, timeoutMs = 3000, from = 0): Promise<Event> {
    return waitFor(`event ${type}`, () => this.events.slice(from).find((e) => e.type === type && pred(e)), timeoutMs)
  }

  updates(taskId?: string): TaskStatus[] {
    return this.events
      .filter((e) => e.type === 'UPDATE')
      .map((e) => e.update!.status)
      .filter((s) => taskId === undefined || s.task_id.value === taskId)
  }

  async update(taskId: string, state: string, timeoutMs = 3000): Promise<TaskStatus> {
    const e = await this.next('UPDATE', (e) => e.update!.status.task_id.value === taskId && e.update!.status.state === state, timeoutMs)
    return e.update!.status
  }

  async offer(pred: (o: Offer) => boolean = () => true, from = 0): Promise<Offer> {
    const e = await this.next('OFFERS', (e) => e.offers!.offers.some(pred), 3000, from)
    return e.offers!.offers.find(pred)!
  }

  call(type: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<HttpResult> {
    return postJson(
      `${this.masterUrl}/api/v1/scheduler`,
      {framework_id: {value: this.frameworkId}, type, ...body},
      {'Mesos-Stream-Id': this.streamId, ...headers},
    )
  }

  launch(offer: Offer, tasks: TaskInfo[], filters?: {refuse_seconds: number}): Promise<HttpResult> {
    return this.call('ACCEPT', {
      accept: {offer_ids: [offer.id], operations: [{type: 'LAUNCH', launch: {task_infos: tasks}}], ...(filters ? {filters} : {})},
    })
  }

  close(): void {
    this.#req?.destroy()
    this.#res?.destroy()
  }
}

export function task(id: string, offer: Offer, resources = 'cpus:0.1;mem:32', extra: Partial<TaskInfo> = {}): TaskInfo {
  return {
    name: id,
    task_id: {value: id},
    agent_id: offer.agent_id,
    resources: parseResources(resources),
    command: {value: 'sleep 100'},
    ...extra,
  }
}

export interface AgentCall {
  path: string
  body: any
}

/** Plays an agent: serves the master->agent calls (recording them) and makes agent->master calls. */
export class FakeAgent {
  readonly calls: AgentCall[] = []
  agentId = ''
  #server!: Server
  #beat?: NodeJS.Timeout
  #uuid = 0
  resources: Resource[]

  private constructor(
    readonly masterUrl: string,
    resources: string,
  ) {
    this.resources = parseResources(resources)
  }

  static async start(masterUrl: string, resources = 'cpus:2;mem:1024;disk:2048;ports:[31000-32000]'): Promise<FakeAgent> {
    const a = new FakeAgent(masterUrl, resources)
    const router = new Router().post('/internal/v1/:call', async (req) => {
      const body = await req.json()
      a.calls.push({path: req.params.call, body})
      if (req.params.call === 'apply_operations') return {resources: a.resources}
      return reply(202)
    })
    a.#server = await serve({router})
    return a
  }

  get url(): string {
    return this.#server.url
  }

  callsTo(path: string): any[] {
    return this.calls.filter((c) => c.path === path).map((c) => c.body)
  }

  async register(tasks: AgentTaskReport[] = [], frameworks: FrameworkInfo[] = []): Promise<RegisterAgentResponse> {
    const res = await postJson(`${this.masterUrl}/internal/v1/agent/register`, {
      ...(this.agentId ? {agent_id: this.agentId} : {}),
      agent_info: {hostname: '127.0.0.1', port: this.#server.port, attributes: [{name: 'rack', type: 'TEXT', text: {value: 'r1'}}]},
      url: this.url,
      version: '1.11.0',
      resources: this.resources,
      tasks,
      frameworks,
    })
    if (res.status !== 200) throw new Error(`register: ${res.status} ${res.text}`)
    const answer = res.json() as RegisterAgentResponse
    this.agentId = answer.agent_id
    return answer
  }

  /** Heartbeats at the interval the master asked for; answers `reregister` by registering again. */
  startHeartbeats(intervalMs: number, tasks: () => AgentTaskReport[] = () => []): void {
    this.#beat = setInterval(async () => {
      try {
        const res = await this.heartbeat()
        if (res.reregister) await this.register(tasks())
      } catch {
        /* the master may be restarting */
      }
    }, intervalMs)
  }

  stopHeartbeats(): void {
    clearInterval(this.#beat)
  }

  async heartbeat(): Promise<{reregister: boolean}> {
    return (await postJson(`${this.masterUrl}/internal/v1/agent/heartbeat`, {agent_id: this.agentId})).json()
  }

  status(frameworkId: string, taskId: string, state: string, extra: Partial<TaskStatus> = {}): Promise<HttpResult> {
    const status: TaskStatus = {
      task_id: {value: taskId},
      state: state as TaskStatus['state'],
      source: 'SOURCE_EXECUTOR',
      agent_id: {value: this.agentId},
      timestamp: Date.now() / 1000,
      uuid: Buffer.from(`uuid-${++this.#uuid}`.padEnd(16, '.')).toString('base64'),
      ...extra,
    }
    return postJson(`${this.masterUrl}/internal/v1/agent/status`, {agent_id: this.agentId, framework_id: frameworkId, status})
  }

  async close(): Promise<void> {
    this.stopHeartbeats()
    await this.#server.close()
  }
}
