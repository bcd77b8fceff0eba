/**
 * The agent's side of registration and liveness (src/mesos/agent-protocol.ts): register, then
 * heartbeat at the interval the master gives. A refused or failed heartbeat, or one answered
 * `{reregister: true}`, starts registration again; registration is retried with a backoff capped
 * at one second for as long as the master stays away. Tasks are not touched meanwhile.
 *
 * Requests go over node:http with kept-alive connections, several at once (status updates of
 * different tasks do not wait for one another). Not `fetch`: undici costs the agent ~10 MB of
 * resident memory and more per request on loopback. Registration and heartbeats have a
 * connection of their own: queued behind a burst of status updates they would time out, and
 * the agent would take a busy master for a lost one.
 */
import http from 'node:http'
import {
  AGENT_PROTOCOL_PREFIX,
  type HeartbeatResponse,
  type RegisterAgentRequest,
  type RegisterAgentResponse,
} from '../../mesos/agent-protocol'
import type {Logger} from '../log'

const REQUEST_TIMEOUT_MS = 5000
const MIN_BACKOFF_MS = 50
const MAX_BACKOFF_MS = 1000
/** Connections to the master for status updates; more updates queue (in order) for a free one. */
const MAX_SOCKETS = 16
/** Largest answer read from the master. */
const MAX_ANSWER_BYTES = 1024 * 1024

/** The master's answer to one request. */
export interface MasterAnswer {
  status: number
  ok: boolean
  text: string
}

export interface MasterLinkDeps {
  masterUrl: string
  /** Sent with every call: the agent's service token, when auth is on. */
  headers?: Record<string, string>
  log: Logger
  /** The registration to send, built afresh for every attempt (tasks change). */
  registration: () => RegisterAgentRequest
  /** Called with each successful (re-)registration before heartbeats start. */
  onRegistered: (response: RegisterAgentResponse) => Promise<void>
  /** The link to the master is lost until the next registration. */
  onDisconnected: () => void
}

export class MasterLink {
  #deps: MasterLinkDeps
  #closing = new AbortController()
  #registered = false
  #agentId?: string
  #loop?: Promise<void>
  #pool = new http.Agent({keepAlive: true, maxSockets: MAX_SOCKETS})
  /** Registration and heartbeats: one at a time, never behind updates. */
  #control = new http.Agent({keepAlive: true, maxSockets: 1})
  /** Requests not yet answered: close() ends them. */
  #requests = new Set<http.ClientRequest>()

  constructor(deps: MasterLinkDeps) {
    this.#deps = deps
  }

  get registered(): boolean {
    return this.#registered
  }

  start(): void {
    this.#loop ??= this.#run()
  }

  /** POSTs JSON to the master; undefined when the master could not be reached or did not answer in time. */
  post(path: string, body: unknown): Promise<MasterAnswer | undefined> {
    return this.#post(this.#pool, path, body)
  }

  #post(pool: http.Agent, path: string, body: unknown): Promise<MasterAnswer | undefined> {
    if (this.#closing.signal.aborted) return Promise.resolve(undefined)
    let url: URL
    try {
      url = new URL(AGENT_PROTOCOL_PREFIX + path, this.#deps.masterUrl)
    } catch {
      return Promise.resolve(undefined)
    }
    return this.#send(pool, url, Buffer.from(JSON.stringify(body)), false)
  }

  /**
   * One POST. A kept-alive socket the master closed while idle fails with ECONNRESET before the
   * request reached it: retried once on a fresh connection (Node's `request.reusedSocket` advice).
   */
  #send(pool: http.Agent, url: URL, payload: Buffer, retried: boolean): Promise<MasterAnswer | undefined> {
    return new Promise((resolve) => {
      const req = http.request(url, {
        method: 'POST',
        agent: pool,
        headers: {...this.#deps.headers, 'Content-Type': 'application/json', 'Content-Length': payload.length},
      })
      this.#requests.add(req)
      req.once('close', () => this.#requests.delete(req))
      const timer = setTimeout(() => req.destroy(new Error('timed out')), REQUEST_TIMEOUT_MS)
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error('answer too large'))
          else chunks.push(c)
        })
        res.on('end', () => {
          clearTimeout(timer)
          const status = res.statusCode ?? 0
          resolve({status, ok: status >= 200 && status < 300, text: Buffer.concat(chunks).toString('utf8')})
        })
        res.on('error', () => {
          clearTimeout(timer)
          resolve(undefined)
        })
      })
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        if (!retried && req.reusedSocket && error.code === 'ECONNRESET') resolve(this.#send(pool, url, payload, true))
        else resolve(undefined)
      })
      req.end(payload)
    })
  }

  async close(): Promise<void> {
    this.#closing.abort()
    for (const req of this.#requests) req.destroy(new Error('closing'))
    await this.#loop
    this.#pool.destroy()
    this.#control.destroy()
  }

  async #run(): Promise<void> {
    let backoff = MIN_BACKOFF_MS
    let lastProblem = ''
    while (!this.#closing.signal.aborted) {
      const attempt = await this.#register()
      if (typeof attempt === 'string') {
        if (attempt !== lastProblem) this.#deps.log.warn(`cannot register with the master at ${this.#deps.masterUrl}: ${attempt}; retrying`)
        lastProblem = attempt
        await this.#sleep(backoff)
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)
        continue
      }
      backoff = MIN_BACKOFF_MS
      lastProblem = ''
      this.#registered = true
      await this.#heartbeat(attempt.heartbeat_interval_ms)
      this.#registered = false
      if (!this.#closing.signal.aborted) this.#deps.onDisconnected()
    }
  }

  /** One registration attempt: the response, or what went wrong. */
  async #register(): Promise<RegisterAgentResponse | string> {
    const registration = this.#deps.registration()
    const res = await this.#post(this.#control, '/agent/register', registration)
    if (!res) return 'the master is unreachable'
    if (!res.ok) return `HTTP ${res.status} ${res.text.slice(0, 200)}`
    let body: RegisterAgentResponse
    try {
      body = JSON.parse(res.text) as RegisterAgentResponse
    } catch {
      return 'the master answered with malformed JSON'
    }
    if (typeof body.agent_id !== 'string' || !body.agent_id) return 'the master answered without an agent_id'
    this.#agentId = body.agent_id
    try {
      await this.#deps.onRegistered(body)
    } catch (error) {
      return `registration could not be recorded: ${(error as Error).message}`
    }
    this.#deps.log.info(`${registration.agent_id ? 're-registered' : 'registered'} with master ${body.master_id} as agent ${body.agent_id}`)
    return body
  }

  /** Heartbeats until the master asks for re-registration or cannot be reached. */
  async #heartbeat(intervalMs: number): Promise<void> {
    const interval = Number.isFinite(intervalMs) && intervalMs > 0 ? intervalMs : 1000
    while (!this.#closing.signal.aborted) {
      await this.#sleep(interval)
      if (this.#closing.signal.aborted) return
      const res = await this.#post(this.#control, '/agent/heartbeat', {agent_id: this.#agentId})
      if (!res) {
        this.#deps.log.warn('lost the master (heartbeat failed); registering again')
        return
      }
      const body = parseJson<HeartbeatResponse>(res.text)
      if (!res.ok || !body || body.reregister) {
        this.#deps.log.info(`the master asked for re-registration (HTTP ${res.status})`)
        return
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.#closing.signal
      if (signal.aborted) return resolve()
      const done = () => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done)
    })
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T
  } catch {
    return undefined
  }
}
