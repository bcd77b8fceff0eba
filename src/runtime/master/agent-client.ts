/**
 * Master -> agent calls of the agent protocol: JSON POSTs with a timeout over kept-alive
 * connections, several at once per agent. A call waits only for the earlier calls it could race
 * with (./call-order: a kill never overtakes the launch it kills), so a burst of launches and
 * acknowledgements for different tasks is not a queue of round trips, each behind the agent's
 * fsync for the one before.
 */
import http from 'node:http'
import {AGENT_PROTOCOL_PREFIX, type AckRequest, type KillTaskRequest, type RunTaskRequest, type ShutdownFrameworkRequest} from '../../mesos/agent-protocol'
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

export class AgentClient {
  #pool = new http.Agent({keepAlive: true, maxSockets: MAX_SOCKETS_PER_AGENT})
  #orders = new Map<string, CallOrder>()
  #timeoutMs: number
  #headers: Record<string, string>

  /** `headers` go with every call: the master's service token, when auth is on. */
  constructor(timeoutMs: number, headers: Record<string, string> = {}) {
    this.#timeoutMs = timeoutMs
    this.#headers = headers
  }

  /** POSTs `body` to `<agent url>/internal/v1/<path>` once the earlier calls it must follow are over. */
  post<T = unknown>(agent: {id: string; url: string}, path: string, body: unknown): Promise<T> {
    let order = this.#orders.get(agent.id)
    if (!order) this.#orders.set(agent.id, (order = new CallOrder()))
    const ticket = order.admit(callScope(path, body))
    const call = ticket.ready.then(() => this.#send<T>(agent.url, path, body))
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
  #send<T>(base: string, path: string, body: unknown, retried = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let url: URL
      try {
        url = new URL(`${AGENT_PROTOCOL_PREFIX}/${path}`, base)
      } catch {
        reject(new AgentCallError(`invalid agent URL '${base}'`, 'unreachable'))
        return
      }
      const payload = Buffer.from(JSON.stringify(body))
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
          resolve(this.#send<T>(base, path, body, true))
        else {
          const code = (e as NodeJS.ErrnoException).code
          const refused = code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL'
          reject(new AgentCallError(e.message, refused ? 'unreachable' : 'timeout'))
        }
      })
      req.end(payload)
    })
  }

  close(): void {
    this.#pool.destroy()
  }
}
