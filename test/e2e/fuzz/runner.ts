/**
 * Runs a fuzz campaign: `count` requests spread over the targets by weight (plus a share of raw
 * socket requests), `concurrency` at a time, each drawn from its own random stream so a seed
 * replays the run. Every answer is judged:
 *
 * - a status >= 500 the target does not document, or no answer at all, is a finding;
 * - a 2xx the target does not accept (an invalid request taken, or a forged token let through);
 * - any body holding one of the canaries (a file outside the sandboxes, a password, a key).
 *
 * The cluster-wide checks (no crash, no state change) are the test's: this only reports.
 */
import http from 'node:http'
import {generate} from './generate'
import {Random} from './random'
import {rawCase, sendRaw, type RawCase} from './raw'
import type {FuzzContext, FuzzRequest, FuzzTarget} from './target'

export interface FuzzOptions {
  seed: number
  count: number
  concurrency: number
  /** A request unanswered after this is a finding (a hang). */
  timeoutMs: number
  /** Share of raw socket requests, 0..1. */
  rawShare: number
  /** Strings no response may contain, by name (the name is what a report shows). */
  canaries: Record<string, string>
  /** Only these request indexes (replaying findings); all when absent. */
  only?: Set<number>
  /** Stop sending after this many findings (a hung server would make every later request one). */
  maxFindings: number
}

export interface Outcome {
  req: FuzzRequest
  status: number
  /** Why there was no answer. */
  error?: string
  ms: number
  excerpt: string
  /** The name of a canary found in the body. */
  leaked?: string
}

export type FindingKind = 'server error' | 'no answer' | 'accepted' | 'leak' | 'raw server error' | 'raw hang'

export interface Finding {
  kind: FindingKind
  outcome: Outcome
}

export interface FuzzReport {
  seed: number
  sent: number
  /** Requests that would have changed the cluster for real and were regenerated. */
  regenerated: number
  /** target → status (or 'error') → count. */
  byTarget: Map<string, Map<string, number>>
  /** Every 2xx, with its request. */
  accepted: Outcome[]
  findings: Finding[]
  ms: number
}

const MAX_SCAN_BYTES = 4 * 1024 * 1024
const RAW_TARGET = 'raw socket requests'

/** `http://host:port` and the request target exactly as written. */
export function splitUrl(url: string): {origin: string; path: string} {
  const match = /^(https?:\/\/[^/?#]+)(.*)$/.exec(url)
  if (!match) throw new Error(`not an http URL: ${url}`)
  return {origin: match[1], path: match[2] || '/'}
}

/** Sends one request; never rejects. */
function send(req: FuzzRequest, agent: http.Agent | false, timeoutMs: number, canaries: [string, string][], retried = false): Promise<Outcome> {
  const started = Date.now()
  return new Promise((resolve) => {
    let settled = false
    let deadline: NodeJS.Timeout | undefined
    const done = (o: Omit<Outcome, 'req' | 'ms'>) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      resolve({req, ms: Date.now() - started, ...o})
    }
    let status = 0
    let excerpt = ''
    let scanned = ''
    let leaked: string | undefined
    let outgoing: http.ClientRequest
    try {
      // Never http.request(url): it would parse the URL and resolve `..` and `%2e%2e` before sending.
      const {origin, path} = splitUrl(req.url)
      const {hostname, port} = new URL(origin)
      outgoing = http.request({hostname, port, path, method: req.method, headers: req.headers, agent})
    } catch (error) {
      // The client library refused to build it (e.g. a header it will not send): not the server's doing.
      done({status: -1, error: `not sent: ${(error as Error).message}`, excerpt: ''})
      return
    }
    deadline = setTimeout(() => {
      outgoing.destroy()
      done({status, error: status ? `body not finished after ${timeoutMs} ms` : `no answer after ${timeoutMs} ms`, excerpt, leaked})
    }, timeoutMs)
    outgoing.on('response', (res) => {
      status = res.statusCode ?? 0
      res.on('data', (chunk: Buffer) => {
        const text = chunk.toString('latin1')
        if (excerpt.length < 300) excerpt += text.slice(0, 300 - excerpt.length)
        if (scanned.length < MAX_SCAN_BYTES) {
          const window = scanned.slice(-200) + text
          leaked ??= canaries.find(([, text]) => window.includes(text))?.[0]
          scanned += text
        }
      })
      res.on('end', () => done({status, excerpt, leaked}))
      // A response cut short after its status (e.g. the server closed after a 413) is still an answer.
      res.on('error', () => done({status, excerpt, leaked}))
      res.on('aborted', () => done({status, excerpt, leaked}))
    })
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (status) return done({status, excerpt, leaked})
      // A kept-alive socket the server closed just as it was reused: Node's documented retry, on
      // a connection of its own (the pool may hold more sockets as stale as this one).
      if (!retried && outgoing.reusedSocket && error.code === 'ECONNRESET') {
        clearTimeout(deadline)
        settled = true
        void send(req, false, timeoutMs, canaries, true).then(resolve)
        return
      }
      const fresh = outgoing.reusedSocket ? 'on a reused connection' : 'on a new connection'
      done({status: 0, error: `${error.code ?? error.message} ${fresh}${retried ? ', after a reset of a reused one' : ''}`, excerpt: ''})
    })
    outgoing.end(req.body)
  })
}

function count(report: FuzzReport, target: string, key: string): void {
  let byStatus = report.byTarget.get(target)
  if (!byStatus) report.byTarget.set(target, (byStatus = new Map()))
  byStatus.set(key, (byStatus.get(key) ?? 0) + 1)
}

/**
 * A status >= 500 the target documents. An odd path may reach another endpoint than the
 * target's (servers resolve `..` in paths, so `/api/v1/scheduler/..` is the operator API): a 501
 * there is that endpoint's "not implemented", never a failure.
 */
function allowed(target: FuzzTarget, o: Outcome): boolean {
  if ((target.allowedStatuses?.(o.req) ?? []).includes(o.status)) return true
  return o.status === 501 && o.req.strategy === 'path'
}

function judge(target: FuzzTarget, ctx: FuzzContext, o: Outcome): Finding['kind'] | undefined {
  if (o.leaked) return 'leak'
  if (o.status === -1) return undefined
  if (o.status === 0 || o.error) return 'no answer'
  if (o.status >= 500 && !allowed(target, o)) return 'server error'
  if (o.status >= 200 && o.status < 300) {
    if (!o.req.authenticated && !target.public) return 'accepted'
    const ok = target.accepts ? target.accepts(o.req, ctx) : o.req.method === 'GET' || o.req.method === 'HEAD'
    if (!ok) return 'accepted'
  }
  return undefined
}

/** Picks a target by weight. */
function pickTarget(rng: Random, targets: FuzzTarget[]): FuzzTarget {
  return rng.weighted(targets.map((t) => [t.weight ?? 1, t] as const))
}

/** The raw requests go straight to each component's own port (the first base of each). */
function rawBases(ctx: FuzzContext): string[] {
  return Object.values(ctx.bases).map((bases) => bases[0])
}

export async function runFuzz(targets: FuzzTarget[], ctx: FuzzContext, opts: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now()
  const report: FuzzReport = {seed: opts.seed, sent: 0, regenerated: 0, byTarget: new Map(), accepted: [], findings: [], ms: 0}
  const agent = new http.Agent({keepAlive: true, maxSockets: opts.concurrency, maxFreeSockets: opts.concurrency})
  const rawTargets = rawBases(ctx)
  let next = 0

  const one = async (index: number) => {
    const rng = Random.forRequest(opts.seed, index)
    if (rng.chance(opts.rawShare)) {
      const c: RawCase = rawCase(rng, ctx.authorization)
      const url = rng.pick(rawTargets)
      const started = Date.now()
      const answer = await sendRaw(url, c, opts.timeoutMs)
      report.sent++
      count(report, RAW_TARGET, answer.status ? String(answer.status) : 'closed')
      const req: FuzzRequest = {index, target: RAW_TARGET, strategy: c.label, steps: [], method: 'RAW', url, headers: {}, body: Buffer.concat(c.chunks), authenticated: false}
      const outcome: Outcome = {req, status: answer.status, ms: Date.now() - started, excerpt: answer.excerpt, error: answer.hung ? 'no answer and not closed' : undefined}
      if (answer.status >= 500) report.findings.push({kind: 'raw server error', outcome})
      else if (answer.hung) report.findings.push({kind: 'raw hang', outcome})
      return
    }
    const target = pickTarget(rng, targets)
    let req = generate(target, ctx, rng, index)
    for (let attempt = 0; target.harmful?.(req, ctx) && attempt < 50; attempt++) {
      report.regenerated++
      req = generate(target, ctx, rng, index)
    }
    if (target.harmful?.(req, ctx)) return
    const outcome = await send(req, agent, opts.timeoutMs, Object.entries(opts.canaries))
    report.sent++
    count(report, target.name, outcome.status > 0 ? String(outcome.status) : outcome.status === -1 ? 'not sent' : 'error')
    if (outcome.status >= 200 && outcome.status < 300) report.accepted.push(outcome)
    const kind = judge(target, ctx, outcome)
    if (kind) report.findings.push({kind, outcome})
  }

  const worker = async () => {
    for (;;) {
      const index = next++
      if (index >= opts.count || report.findings.length >= opts.maxFindings) return
      if (opts.only && !opts.only.has(index)) continue
      await one(index)
    }
  }
  try {
    await Promise.all(Array.from({length: opts.concurrency}, worker))
  } finally {
    agent.destroy()
  }
  report.ms = Date.now() - started
  return report
}

/** Headers for printing: tokens redacted, long values cut. */
function redact(headers: Record<string, string>): Record<string, string> {
  const shown = (name: string, value: string) => {
    if (name.toLowerCase() === 'authorization') return value.replace(/(token=|Bearer )\S{12,}/, '$1<redacted>')
    return value.length > 200 ? `${value.slice(0, 200)}… (${value.length} chars)` : value
  }
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, shown(name, value)]))
}

function excerptOf(body: string | Buffer | undefined, max = 400): string {
  if (body === undefined) return '(none)'
  const text = Buffer.isBuffer(body) ? body.toString('latin1') : body
  const shown = JSON.stringify(text.slice(0, max))
  return text.length > max ? `${shown}… (${text.length} chars)` : shown
}

/** A finding as a human needs it to reproduce: seed, index, request, answer. */
export function describeFinding(f: Finding, seed: number): string {
  const {req, status, error, leaked, excerpt} = f.outcome
  const url = req.url.length > 300 ? `${req.url.slice(0, 300)}…` : req.url
  const why = `${error ? ` (${error})` : ''}${leaked ? ` leaked ${leaked}` : ''}`
  return [
    `${f.kind.toUpperCase()}: ${req.method} ${url} → ${status || 'no status'}${why}`,
    `  target: ${req.target}; strategy: ${req.strategy}${req.steps.length ? `; ${req.steps.join('; ')}` : ''}`,
    `  headers: ${JSON.stringify(redact(req.headers))}`,
    `  body: ${excerptOf(req.body)}`,
    `  answer: ${leaked ? '(not shown: it holds what leaked)' : JSON.stringify(excerpt.slice(0, 300))}`,
    `  replay: FUZZ_SEED=${seed} FUZZ_ONLY=${req.index}`,
  ].join('\n')
}

/** Per-target counts by status, one line each. */
export function summarize(report: FuzzReport): string {
  const lines = [...report.byTarget].map(([target, byStatus]) => {
    const total = [...byStatus.values()].reduce((a, b) => a + b, 0)
    const statuses = [...byStatus].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}×${n}`).join(' ')
    return `  ${String(total).padStart(5)}  ${target}: ${statuses}`
  })
  return [`fuzz: ${report.sent} requests in ${report.ms} ms (seed ${report.seed}, ${report.regenerated} regenerated as harmful)`, ...lines].join('\n')
}
