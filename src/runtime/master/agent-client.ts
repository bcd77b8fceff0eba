/**
 * Master -> agent calls of the agent protocol: JSON POSTs with a timeout over kept-alive
 * connections, several at once per agent. A call waits only for the earlier calls it could race
 * with (./call-order: a kill never overtakes the launch it kills), so a burst of launches and
 * acknowledgements for different tasks is not a queue of round trips, each behind the agent's
 * fsync for the one before.
 */
import http from 'node:http'
import {AGENT_PROTOCOL_PREFIX, type AckRequest, type BatchResponse, type KillTaskRequest, type RunTaskRequest, type ShutdownFrameworkRequest} from '../../mesos/agent-protocol'
import {CallOrder, type CallScope} from './call-order'

export type AgentCallFailure = 'unreachable' | 'timeout' | 'rejected'

export class AgentCallError extends Error {
  override name = 'AgentCallError'
  constructor(
    message: string,
    /** `unreachable`: nothing was delivered; `timeout`: it may have been; `rejected`: a non-2xx answer. */
    readonly failure: AgentCallFailure,
    readonly status?: number,
  ) {
    super(message)
  }
}

/** Largest answer read from an agent. */
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024
/** Most calls in one batch (the agent's request body limit is 1 MB; a run_task is a few KB). */
const MAX_BATCH = 64
const MAX_BATCH_BYTES = 512 * 1024
/** Connections per agent; calls beyond that wait (in order) for a free one. */
const MAX_SOCKETS_PER_AGENT = 32

/** What a call of the agent protocol concerns, from its path and body. */
export function callScope(path: string, body: unknown): CallScope {
  switch (path) {
    case 'run_task': {
      const b = body as RunTaskRequest
      return {kind: 'task', frameworkId: b.framework_info.id.value, taskId: b.task.task_id.value}
    }
    case 'kill_task':
    case 'ack': {
      const b = body as KillTaskRequest | AckRequest
      return {kind: 'task', frameworkId: b.framework_id, taskId: b.task_id}
    }
    case 'shutdown_framework':
      return {kind: 'framework', frameworkId: (body as ShutdownFrameworkRequest).framework_id}
    default:
      return {kind: 'agent'}
  }
}

/** A call waiting for its batch: `json` is `{"path":...,"body":...}`. */
interface Queued {
  path: string
  json: string
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
}

export class AgentClient {
  #pool = new http.Agent({keepAlive: true, maxSockets: MAX_SOCKETS_PER_AGENT})
  #orders = new Map<string, CallOrder>()
  /** Calls ready to go to an agent that takes batches, per agent URL, until the end of this turn. */
  #outboxes = new Map<string, Queued[]>()
  #timeoutMs: number
  #headers: Record<string, string>

  /** `headers` go with every call: the master's service token, when auth is on. */
  constructor(timeoutMs: number, headers: Record<string, string> = {}) {
    this.#timeoutMs = timeoutMs
    this.#headers = headers
  }

  /**
   * POSTs `body` to `<agent url>/internal/v1/<path>` once the earlier calls it must follow are
   * over. To an agent that takes batches (CALL_BATCH), the calls that may go in one turn of the
   * event loop go together in one request (each with its own result).
   */
  post<T = unknown>(agent: {id: string; url: string; batchCalls?: boolean}, path: string, body: unknown): Promise<T> {
    let order = this.#orders.get(agent.id)
    if (!order) this.#orders.set(agent.id, (order = new CallOrder()))
    const ticket = order.admit(callScope(path, body))
    const call = ticket.ready.then(() => (agent.batchCalls ? this.#enqueue<T>(agent.url, path, body) : this.#send<T>(agent.url, path, JSON.stringify(body))))
    const over = () => {
      order.settled(ticket)
      if (order.size === 0 && this.#orders.get(agent.id) === order) this.#orders.delete(agent.id)
    }
    call.then(over, over)
    return call
  }

  /**
   * One POST. A kept-alive socket the agent closed while idle (it restarted, or timed the
   * connection out) fails with ECONNRESET before the request reached it: retried once on a
   * fresh connection, as Node's docs advise for `request.reusedSocket`.
   */
  #send<T>(base: string, path: string, json: string, retried = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let url: URL
      try {
        url = new URL(`${AGENT_PROTOCOL_PREFIX}/${path}`, base)
      } catch {
        reject(new AgentCallError(`invalid agent URL '${base}'`, 'unreachable'))
        return
      }
      const payload = Buffer.from(json)
      const req = http.request(
        url,
        {
          method: 'POST',
          agent: this.#pool,
          headers: {...this.#headers, 'Content-Type': 'application/json', 'Content-Length': payload.length},
        },
        (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (c: Buffer) => {
            size += c.length
            if (size > MAX_RESPONSE_BYTES) req.destroy(new AgentCallError('agent answer too large', 'rejected'))
            else chunks.push(c)
          })
          res.on('error', (e) => reject(new AgentCallError(e.message, 'timeout')))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8')
            const status = res.statusCode ?? 0
            if (status < 200 || status >= 300) {
              reject(new AgentCallError(text.trim() || `HTTP ${status}`, 'rejected', status))
              return
            }
            try {
              resolve((text.trim() ? JSON.parse(text) : undefined) as T)
            } catch {
              reject(new AgentCallError(`agent answered ${status} with malformed JSON`, 'rejected', status))
            }
          })
        },
      )
      req.setTimeout(this.#timeoutMs, () => req.destroy(new AgentCallError(`no answer within ${this.#timeoutMs} ms`, 'timeout')))
      req.on('error', (e) => {
        if (e instanceof AgentCallError) reject(e)
        else if (!retried && req.reusedSocket && (e as NodeJS.ErrnoException).code === 'ECONNRESET')
          resolve(this.#send<T>(base, path, json, true))
        else {
          const code = (e as NodeJS.ErrnoException).code
          const refused = code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL'
          reject(new AgentCallError(e.message, refused ? 'unreachable' : 'timeout'))
        }
      })
      req.end(payload)
    })
  }

  #enqueue<T>(base: string, path: string, body: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let outbox = this.#outboxes.get(base)
      if (!outbox) {
        this.#outboxes.set(base, (outbox = []))
        setImmediate(() => this.#flush(base))
      }
      outbox.push({path, json: JSON.stringify({path, body}), resolve: resolve as (v: unknown) => void, reject})
    })
  }

  /** Sends an agent's queued calls: in batches of at most MAX_BATCH calls and MAX_BATCH_BYTES, a call alone as itself. */
  #flush(base: string): void {
    const all = this.#outboxes.get(base) ?? []
    this.#outboxes.delete(base)
    let batch: Queued[] = []
    let bytes = 0
    for (const call of all) {
      if (batch.length > 0 && (batch.length >= MAX_BATCH || bytes + call.json.length > MAX_BATCH_BYTES)) {
        this.#sendBatch(base, batch)
        batch = []
        bytes = 0
      }
      batch.push(call)
      bytes += call.json.length + 1
    }
    if (batch.length > 0) this.#sendBatch(base, batch)
  }

  #sendBatch(base: string, batch: Queued[]): void {
    if (batch.length === 1) {
      const [c] = batch
      // Its own request, as without batches: {path, body} holds the body's JSON after the path's.
      this.#send(base, c.path, c.json.slice(`{"path":${JSON.stringify(c.path)},"body":`.length, -1)).then(c.resolve, c.reject)
      return
    }
    this.#send<BatchResponse>(base, 'batch', `{"calls":[${batch.map((c) => c.json).join(',')}]}`).then(
      (answer) => {
        const results = answer?.results
        if (!Array.isArray(results) || results.length !== batch.length) {
          const error = new AgentCallError('the agent answered a batch without one result per call', 'rejected')
          for (const c of batch) c.reject(error)
          return
        }
        batch.forEach((c, k) => {
          const r = results[k]
          if (r?.status >= 200 && r.status < 300) c.resolve(r.body)
          else c.reject(new AgentCallError(r?.message || `HTTP ${r?.status}`, 'rejected', r?.status))
        })
      },
      (error: unknown) => {
        for (const c of batch) c.reject(error)
      },
    )
  }

  close(): void {
    this.#pool.destroy()
  }
}
