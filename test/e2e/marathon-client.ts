/**
 * For Marathon's end-to-end tests: plain HTTP to a local cluster's Marathon through the gateway
 * (`<dcos_url>/service/marathon/...`) with the token the CLI stored, and an SSE reader of
 * `/v2/events`. Nothing here knows Marathon's internals: only its public API.
 */
import http from 'node:http'
import type {Sandbox} from './harness'
import {waitFor} from './harness'

export interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  text: string
  json: () => any
}

export interface MarathonEvent {
  type: string
  data: any
}

export class MarathonClient {
  constructor(
    readonly base: string,
    readonly headers: Record<string, string>,
  ) {}

  static async of(sb: Sandbox, dcosUrl: string): Promise<MarathonClient> {
    return new MarathonClient(`${dcosUrl}/service/marathon`, await sb.authHeaders())
  }

  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    return new Promise((resolve, reject) => {
      const req = http.request(
        this.base + path,
        {
          method,
          agent: false,
          headers: {...this.headers, ...(text !== undefined && {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text)}), ...headers},
        },
        (res) => {
          let data = ''
          res.setEncoding('utf8')
          res.on('data', (d) => (data += d))
          res.on('end', () => resolve({status: res.statusCode ?? 0, headers: res.headers, text: data, json: () => JSON.parse(data)}))
        },
      )
      req.on('error', reject)
      req.setTimeout(15_000, () => req.destroy(new Error(`timeout: ${method} ${path}`)))
      req.end(text)
    })
  }

  async json(method: string, path: string, body?: unknown): Promise<any> {
    const r = await this.call(method, path, body)
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`)
    return r.json()
  }

  /** The app's tasks (from the app itself), optionally only those in `state`. */
  async tasks(appId: string, state?: string): Promise<any[]> {
    const r = await this.call('GET', `/v2/apps${appId}`)
    if (r.status !== 200) return []
    const tasks = r.json().app.tasks as any[]
    return state ? tasks.filter((t) => t.state === state) : tasks
  }

  running(appId: string, n: number, timeoutMs = 20_000): Promise<any[]> {
    return waitFor(`${n} running tasks of ${appId}`, async () => {
      const tasks = await this.tasks(appId, 'TASK_RUNNING')
      return tasks.length === n && tasks
    }, timeoutMs)
  }

  deploymentsDone(timeoutMs = 30_000): Promise<true> {
    return waitFor('deployments to finish', async () => (await this.json('GET', '/v2/deployments')).length === 0, timeoutMs)
  }

  /** Attaches to `/v2/events` (filtered by `types`); events collect in `events` until `close()`. */
  async events(types: string[] = []): Promise<{events: MarathonEvent[]; close: () => void}> {
    const events: MarathonEvent[] = []
    const query = types.map((t) => `event_type=${encodeURIComponent(t)}`).join('&')
    const req = http.get(`${this.base}/v2/events${query ? `?${query}` : ''}`, {agent: false, headers: {...this.headers, Accept: 'text/event-stream'}})
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
        const type = /^event: (.*)$/m.exec(frame)?.[1]
        const data = /^data: (.*)$/m.exec(frame)?.[1]
        if (type && data) events.push({type, data: JSON.parse(data)})
      }
    })
    res.on('error', () => {})
    return {events, close: () => req.destroy()}
  }
}
