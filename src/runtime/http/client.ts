/**
 * The runtime's own HTTP calls between components (gateway → master and Marathon, supervisor →
 * master, `dcos cluster up` → gateway), on node:http. Not `fetch`: undici's first request costs
 * a process ~6 MB of heap and ~5 MB of resident code (its HTTP parser is WebAssembly, compiled
 * at run time) and tens of milliseconds, which the gateway would pay for good at idle and
 * `cluster up` on every start. The agent's master link and the scheduler driver avoid it for the
 * same reason.
 */
import http from 'node:http'
import https from 'node:https'

/** Largest answer read by default: Marathon's /v2/apps with thousands of apps fits. */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024

export interface CallOptions {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** The whole exchange, connect to last byte. */
  timeoutMs: number
  maxBytes?: number
}

export interface CallAnswer {
  status: number
  text: string
}

/**
 * The call failed before an answer was read whole. `code` is the socket error's (ECONNREFUSED,
 * ECONNRESET, ...), `TimeoutError` (as fetch's AbortSignal.timeout names it) or `TooLarge`.
 */
export class CallError extends Error {
  override name = 'CallError'
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** One request; resolves with any status (a 4xx or 5xx is an answer), rejects with a CallError. */
export function call(url: string, opts: CallOptions): Promise<CallAnswer> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest
    const fail = (code: string, message: string) => {
      clearTimeout(timer)
      req?.destroy()
      reject(new CallError(code, message))
    }
    const timer = setTimeout(() => fail('TimeoutError', `no answer from ${url} within ${opts.timeoutMs} ms`), opts.timeoutMs)
    const headers: Record<string, string | number> = {...opts.headers}
    if (opts.body !== undefined) headers['Content-Length'] = Buffer.byteLength(opts.body)
    try {
      // A connection per call: these calls are few, and a kept-alive socket can meet the server's
      // idle close (ECONNRESET) just as a request goes out, which would fail a call for nothing.
      req = (url.startsWith('https:') ? https : http).request(url, {method: opts.method ?? 'GET', headers, agent: false})
    } catch (error) {
      fail('ERR_INVALID_URL', (error as Error).message)
      return
    }
    req.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ECONNRESET', error.message))
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > maxBytes) fail('TooLarge', `the answer from ${url} is over ${maxBytes} bytes`)
        else chunks.push(chunk)
      })
      res.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ECONNRESET', error.message))
      res.on('end', () => {
        clearTimeout(timer)
        resolve({status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8')})
      })
    })
    req.end(opts.body)
  })
}
