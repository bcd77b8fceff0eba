/**
 * What every handler of the v2 API shares: the context it works on, request parsing with
 * Marathon's error bodies, the `force` and `embed` parameters, and the deployment result.
 */
import {HttpError, reply, type ReplyValue, type Request} from '../../http'
import type {EventBus} from '../events'
import {message} from '../errors'
import type {MarathonScheduler} from '../scheduler'
import type {MarathonState} from '../state'
import type {AppViews} from './views'

export interface ApiConfig {
  /** The role apps get. */
  role: string
  maxInstances: number
  frameworkName: string
  /** `host:port` this Marathon answers on (`/v2/leader`). */
  leader: string
  /** Our own URL (`webui_url`). */
  url: string
  masterUrl: string
  failoverTimeoutSeconds: number
  declineOfferSeconds: number
  servicePorts: {min: number; max: number}
  maxInstancesPerOffer: number
  startedAt: number
}

export interface ApiContext {
  state: MarathonState
  scheduler: MarathonScheduler
  events: EventBus
  views: AppViews
  config: ApiConfig
  now: () => number
}

/**
 * The request body as JSON. Marathon answers a syntax error with 400 `{"message":"Invalid
 * JSON","details":"..."}`; an empty body (which real Marathon answers with a 500) is a 400 too.
 */
export async function body(req: Request): Promise<unknown> {
  try {
    return await req.json()
  } catch (error) {
    if (error instanceof HttpError && error.status === 400) {
      const empty = error.message.startsWith('Request body is empty')
      const text = empty ? 'Please specify data in JSON format' : 'Invalid JSON'
      const details = empty ? 'The request body is empty: send a JSON document (Content-Type: application/json)' : error.message
      throw new HttpError(400, text, {message: text, details})
    }
    throw error
  }
}

/** A JSON object body, or 422 naming what it is instead. */
export function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(422, 'Invalid JSON', {message: 'Invalid JSON', details: [{path: '/', errors: ['error.expected.jsobject']}]})
  }
  return value as Record<string, unknown>
}

export function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new HttpError(422, 'Invalid JSON', {message: 'Invalid JSON', details: [{path: '/', errors: ['error.expected.jsarray']}]})
  return value
}

/** A boolean query parameter (`true`/`false`, any case); absent → `fallback`. */
export function flag(req: Request, name: string, fallback: boolean): boolean {
  const v = req.query.get(name)
  if (v === null || v === '') return fallback
  const lower = v.toLowerCase()
  if (lower === 'true' || lower === '1') return true
  if (lower === 'false' || lower === '0') return false
  throw message(400, `Query parameter '${name}' must be true or false, not '${v}'`)
}

export interface Embed {
  tasks: boolean
  counts: boolean
  deployments: boolean
  readiness: boolean
  lastTaskFailure: boolean
  taskStats: boolean
}

/** The `embed` values for apps (`InfoEmbedResolver`): prefixes `apps.`, `app.`, `group.apps.` or none. */
export function appEmbed(req: Request, always: Partial<Embed> = {}): Embed {
  const e: Embed = {tasks: false, counts: false, deployments: false, readiness: false, lastTaskFailure: false, taskStats: false, ...always}
  for (const raw of req.query.getAll('embed').flatMap((x) => x.split(','))) {
    const v = raw.trim().replace(/^(group\.apps|apps|app)\./, '')
    switch (v) {
      case 'tasks':
        e.tasks = e.deployments = true
        break
      case 'counts':
      case 'count':
        e.counts = true
        break
      case 'deployments':
        e.deployments = true
        break
      case 'readiness':
        e.readiness = true
        break
      case 'lastTaskFailure':
        e.lastTaskFailure = true
        break
      case 'taskStats':
        e.taskStats = true
        break
      case 'failures':
        e.tasks = e.lastTaskFailure = e.deployments = true
        break
    }
  }
  return e
}

/** `{"deploymentId","version"}` with the `Marathon-Deployment-Id` header. */
export function deploymentResult(status: number, deploymentId: string, version: string, headers: Record<string, string> = {}): ReplyValue {
  return reply(status, {deploymentId, version}, {'Marathon-Deployment-Id': deploymentId, ...headers})
}

/** An absolute URL on this server for `path`, as the client addressed it (the gateway rewrites it). */
export function location(req: Request, path: string): string {
  const host = req.header('host')
  return host ? `http://${host}${path}` : path
}

export function clientIp(req: Request): string {
  return req.header('x-real-ip') ?? req.raw.socket.remoteAddress ?? ''
}
