/**
 * Master -> agent calls of the agent protocol: JSON POSTs with a timeout, delivered in order per
 * agent (a kill never overtakes the launch it kills), over kept-alive connections.
 */
import http from 'node:http'
import {AGENT_PROTOCOL_PREFIX} from '../../mesos/agent-protocol'

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

export class AgentClient {
  #pool = new http.Agent({keepAlive: true, maxSockets: 4})
  #queues = new Map<string, Promise<unknown>>()
  #timeoutMs: number
  #headers: Record<string, string>

  /** `headers` go with every call: the master's service token, when auth is on. */
  constructor(timeoutMs: number, headers: Record<string, string> = {}) {
    this.#timeoutMs = timeoutMs
    this.#headers = headers
  }

  /** POSTs `body` to `<agent url>/internal/v1/<path>` after the agent's earlier calls settle. */
  post<T = unknown>(agent: {id: string; url: string}, path: string, body: unknown): Promise<T> {
    const previous = this.#queues.get(agent.id) ?? Promise.resolve()
    const call = previous.then(
      () => this.#send<T>(agent.url, path, body),
      () => this.#send<T>(agent.url, path, body),
    )
    const settled = call.catch(() => undefined)
    this.#queues.set(agent.id, settled)
    void settled.then(() => {
      if (this.#queues.get(agent.id) === settled) this.#queues.delete(agent.id)
    })
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
