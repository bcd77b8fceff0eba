/**
 * Typed client of the Marathon v2 REST API, at `marathon.url` or else
 * `<core.dcos_url>/service/marathon` (PY dcos/marathon.py), with the cluster's token like every
 * client. Marathon's error bodies are turned into DcosErrors here, at the boundary, carrying
 * Marathon's own words: `{"message"}` as is (`App '/x' does not exist`), validation `details` as
 * `path: errors` lines, a deployment lock as the real CLI says it (`Changes blocked: ...`) with
 * the deployments that hold it. No response object ever leaves this module.
 *
 * `force` is sent only when asked for, as both real CLIs do: without it Marathon applies its own
 * default (false, except `DELETE /v2/apps/{id}` where it is true).
 */
import http from 'node:http'
import {DcosError, missingDcosUrlError} from '../cli/errors'
import type {ClusterEndpoints} from './endpoints'
import {decodeJson, displayUrl, HttpClient, type HttpResponse, type Query} from './http'
import type {
  Deployment,
  DeploymentResult,
  MarathonApp,
  MarathonGroup,
  MarathonInfo,
  MarathonTask,
  QueueItem,
} from './marathon-types'

export interface ForceOption {
  /** Override a deployment in progress (`?force=true`). */
  force?: boolean
}

/** What `DELETE /v2/apps/{id}/tasks` and `POST /v2/tasks/delete` answer: the killed tasks, or with scale a deployment. */
export type KillResult = {tasks: MarathonTask[]} | DeploymentResult

export class MarathonClient {
  readonly http: HttpClient

  constructor(endpoints: ClusterEndpoints) {
    this.http = HttpClient.forEndpoints(endpoints, marathonUrl(endpoints))
  }

  info(): Promise<MarathonInfo> {
    return this.#json('GET', '/v2/info')
  }

  /** GET /ping: Marathon answers `pong` (text) or `"pong"` (JSON); the text as sent, trimmed. */
  async ping(): Promise<string> {
    const res = await this.#send('GET', '/ping', {headers: {Accept: '*/*'}})
    return res.body.toString('utf8').trim()
  }

  /** `host:port` of the leading Marathon instance. */
  /** DELETE /v2/leader: the leading Marathon abdicates (another, or the same one, is elected). */
  async abdicate(): Promise<string> {
    const res = await this.#json<{message?: string}>('DELETE', '/v2/leader')
    return res?.message ?? 'Leadership abdicated'
  }

  async leader(): Promise<string | undefined> {
    const res = await this.#json<{leader?: string | null}>('GET', '/v2/leader')
    return res?.leader ?? undefined
  }

  async apps(): Promise<MarathonApp[]> {
    const res = await this.#json<{apps?: MarathonApp[] | null}>('GET', '/v2/apps')
    return res?.apps ?? []
  }

  /** GET /v2/apps/{id}: counts, tasks, deployments and lastTaskFailure are always embedded. */
  async app(id: string): Promise<MarathonApp> {
    const res = await this.#json<{app: MarathonApp}>('GET', `/v2/apps${idPath(id)}`)
    return res.app
  }

  /** The app's versions, newest first. */
  async appVersions(id: string): Promise<string[]> {
    const res = await this.#json<{versions?: string[] | null}>('GET', `/v2/apps${idPath(id)}/versions`)
    return res?.versions ?? []
  }

  /** One stored version of the app: the bare definition, no wrapper. */
  appVersion(id: string, version: string): Promise<MarathonApp> {
    return this.#json('GET', `/v2/apps${idPath(id)}/versions/${encodeURIComponent(version)}`)
  }

  /**
   * POST /v2/apps. The deployment is named by the Marathon-Deployment-Id header, else by the
   * app's first embedded deployment. An existing id is refused as the real CLI says it.
   */
  async addApp(definition: Record<string, unknown>): Promise<{app: MarathonApp; deploymentId: string}> {
    try {
      const res = await this.#send('POST', '/v2/apps', {json: definition})
      const app = decodeJson<MarathonApp>(res)
      return {app, deploymentId: deploymentHeader(res) ?? app?.deployments?.[0]?.id ?? missingDeploymentId(res)}
    } catch (e) {
      throw alreadyExists(e, `Application '${marathonId(String(definition.id ?? ''))}' already exists`)
    }
  }

  /** PUT /v2/apps/{id}: a partial update (Marathon's default), scaling included. */
  updateApp(id: string, body: unknown, options: ForceOption = {}): Promise<DeploymentResult> {
    return this.#deployment('PUT', `/v2/apps${idPath(id)}`, {json: body, query: forceQuery(options)})
  }

  removeApp(id: string, options: ForceOption = {}): Promise<DeploymentResult> {
    return this.#deployment('DELETE', `/v2/apps${idPath(id)}`, {query: forceQuery(options)})
  }

  restartApp(id: string, options: ForceOption = {}): Promise<DeploymentResult> {
    return this.#deployment('POST', `/v2/apps${idPath(id)}/restart`, {query: forceQuery(options)})
  }

  /** DELETE /v2/apps/{id}/tasks: all the app's tasks (or those on `host`); with scale, a deployment. */
  killAppTasks(id: string, options: {host?: string; scale?: boolean} = {}): Promise<KillResult> {
    return this.#json('DELETE', `/v2/apps${idPath(id)}/tasks`, {query: {host: options.host || undefined, scale: options.scale || undefined}})
  }

  /** The root group with its groups and apps. */
  groups(): Promise<MarathonGroup> {
    return this.#json('GET', '/v2/groups')
  }

  group(id: string, version?: string): Promise<MarathonGroup> {
    const path = `/v2/groups${idPath(id)}` + (version ? `/versions/${encodeURIComponent(version)}` : '')
    return this.#json('GET', path)
  }

  async addGroup(definition: Record<string, unknown>): Promise<DeploymentResult> {
    try {
      return await this.#deployment('POST', '/v2/groups', {json: definition})
    } catch (e) {
      throw alreadyExists(e, `Group '${marathonId(String(definition.id ?? ''))}' already exists`)
    }
  }

  /** PUT /v2/groups/{id}: a change, a `{"scaleBy": f}` or a `{"version": v}` rollback. */
  updateGroup(id: string, body: unknown, options: ForceOption = {}): Promise<DeploymentResult> {
    return this.#deployment('PUT', `/v2/groups${idPath(id)}`, {json: body, query: forceQuery(options)})
  }

  removeGroup(id: string, options: ForceOption = {}): Promise<DeploymentResult> {
    return this.#deployment('DELETE', `/v2/groups${idPath(id)}`, {query: forceQuery(options)})
  }

  async deployments(): Promise<Deployment[]> {
    return (await this.#json<Deployment[] | null>('GET', '/v2/deployments')) ?? []
  }

  /**
   * DELETE /v2/deployments/{id}: without force Marathon cancels it and starts a rollback
   * deployment (returned); with force it just stops it (202, nothing returned).
   */
  async cancelDeployment(id: string, options: ForceOption = {}): Promise<DeploymentResult | undefined> {
    const path = `/v2/deployments/${encodeURIComponent(id)}`
    if (!options.force) return this.#deployment('DELETE', path, {})
    await this.#send('DELETE', path, {query: forceQuery(options)})
    return undefined
  }

  async tasks(): Promise<MarathonTask[]> {
    const res = await this.#json<{tasks?: MarathonTask[] | null}>('GET', '/v2/tasks')
    return res?.tasks ?? []
  }

  /** POST /v2/tasks/delete: kills the tasks; with scale their apps shrink (a deployment). */
  deleteTasks(ids: string[], options: {scale?: boolean; wipe?: boolean} = {}): Promise<KillResult> {
    return this.#json('POST', '/v2/tasks/delete', {json: {ids}, query: {scale: options.scale || undefined, wipe: options.wipe || undefined}})
  }

  /** DELETE /v2/queue/{id}/delay: the app's launch delay after failures (backoff) is over now. */
  async resetDelay(id: string): Promise<void> {
    await this.#send('DELETE', `/v2/queue${idPath(id)}/delay`, {})
  }

  /** GET /v2/queue; `lastUnusedOffers` embeds each item's last declined offer per agent. */
  async queue(options: {lastUnusedOffers?: boolean} = {}): Promise<QueueItem[]> {
    const res = await this.#json<{queue?: QueueItem[] | null}>('GET', '/v2/queue', {query: {embed: options.lastUnusedOffers ? 'lastUnusedOffers' : undefined}})
    return res?.queue ?? []
  }

  async #json<T>(method: string, path: string, options: {query?: Query; json?: unknown} = {}): Promise<T> {
    return decodeJson<T>(await this.#send(method, path, options))
  }

  async #deployment(method: string, path: string, options: {query?: Query; json?: unknown}): Promise<DeploymentResult> {
    const res = await this.#send(method, path, options)
    const result = decodeJson<DeploymentResult | undefined>(res)
    const deploymentId = result?.deploymentId ?? deploymentHeader(res) ?? missingDeploymentId(res)
    return {...result, deploymentId}
  }

  /** One request; 401/403 keep the shared mapping (exit 4, not authorized), the rest Marathon's. */
  async #send(method: string, path: string, options: {query?: Query; json?: unknown; headers?: Record<string, string>}): Promise<HttpResponse> {
    const res = await this.http.request(method, path, {
      ...options,
      headers: {Accept: 'application/json', ...options.headers},
      acceptStatus: (status) => status >= 300 && status !== 401 && status !== 403,
    })
    if (res.status >= 300) throw marathonError(method, res.url, res.status, res.body)
    return res
  }
}

/** `marathon.url`, else `<core.dcos_url>/service/marathon`. */
export function marathonUrl(e: ClusterEndpoints): string {
  if (e.marathonUrl) return e.marathonUrl
  if (e.dcosUrl) return `${e.dcosUrl}/service/marathon`
  throw missingDcosUrlError()
}

/** A Marathon path id as the real CLI normalises it: one leading slash, none trailing. */
export function marathonId(id: string): string {
  return '/' + id.replace(/^\/+|\/+$/g, '')
}

/** The id as a URL path (`/group/app`), each segment escaped. */
export function idPath(id: string): string {
  return marathonId(id)
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/')
}

interface MarathonErrorBody {
  message?: unknown
  details?: unknown
  deployments?: unknown
  errors?: unknown
}

/**
 * Marathon's error body as a DcosError (MarathonExceptionMapper's shapes): 409 with
 * `deployments` is the deployment lock; 400/422 list their `details`; a bare `{"message"}` is said
 * as is. A body without Marathon's words (a proxy's page) names the request and what to check.
 */
export function marathonError(method: string, url: string, status: number, body: Buffer): DcosError {
  const json = parseBody(body)
  const message = typeof json?.message === 'string' && json.message ? json.message : undefined
  if (status === 409 && Array.isArray(json?.deployments)) {
    const ids = json.deployments.map((d) => (d && typeof d === 'object' ? (d as {id?: unknown}).id : d)).filter((id) => typeof id === 'string')
    return new DcosError('DEPLOYMENT_LOCKED', `Changes blocked: deployment already in progress for ${resourceName(url)}.`, {
      status,
      hint: `${ids.length ? `Deployment${ids.length > 1 ? 's' : ''} in progress: ${ids.join(', ')}. ` : ''}Wait for ${ids.length > 1 ? 'them' : 'it'} ('dcos marathon deployment watch'), or pass --force to override.`,
    })
  }
  const details = detailLines(json)
  if (message) {
    const text = [message, ...details].join('\n')
    return new DcosError(errorCode(status), text, {status})
  }
  if (Array.isArray(json?.errors)) {
    // The other shape the real CLI accepts (error.schema.json): {"errors": [{"error": "..."}]}.
    const lines = json.errors.map((e) => (e && typeof e === 'object' ? String((e as {error?: unknown}).error ?? '') : String(e))).filter(Boolean)
    if (lines.length) return new DcosError(errorCode(status), lines.join('\n'), {status})
  }
  const reason = http.STATUS_CODES[status] ?? ''
  return new DcosError(errorCode(status), `${method} ${displayUrl(url)} failed: HTTP ${status}${reason ? ' ' + reason : ''}`, {
    status,
    hint:
      status === 404 || status === 502 || status === 503
        ? `Is Marathon running on the cluster? It is expected at ${marathonBase(url)} (set marathon.url to change that).`
        : undefined,
  })
}

function parseBody(body: Buffer): MarathonErrorBody | undefined {
  const text = body.toString('utf8').trim()
  if (!text || text.startsWith('<')) return undefined
  try {
    const json = JSON.parse(text) as unknown
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as MarathonErrorBody) : undefined
  } catch {
    return undefined
  }
}

/** `details` as lines: `[{"path","errors"}]` -> `/path: e1, e2`; a string (JSON syntax errors) as is. */
function detailLines(json: MarathonErrorBody | undefined): string[] {
  const details = json?.details
  if (typeof details === 'string' && details) return [details]
  if (!Array.isArray(details)) return []
  return details.flatMap((d) => {
    if (!d || typeof d !== 'object') return typeof d === 'string' ? [d] : []
    const {path, errors} = d as {path?: unknown; errors?: unknown}
    const list = Array.isArray(errors) ? errors.map(String) : errors === undefined ? [] : [String(errors)]
    return [`${typeof path === 'string' ? path : '/'}: ${list.join(', ')}`]
  })
}

function errorCode(status: number): string {
  if (status === 404) return 'NOT_FOUND'
  if (status === 409) return 'CONFLICT'
  if (status === 400 || status === 422) return 'INVALID'
  return 'HTTP_ERROR'
}

/** What the lock holds, named from the URL as PY does: app, group, pod, else resource. */
function resourceName(url: string): string {
  const path = new URL(url).pathname
  return ['app', 'group', 'pod'].find((name) => path.includes(`/v2/${name}s`)) ?? 'resource'
}

/** The Marathon base of a request URL (everything before /v2/ or /ping). */
function marathonBase(url: string): string {
  const u = new URL(displayUrl(url))
  const path = u.pathname.replace(/\/(v2\/.*|ping)$/, '')
  return u.origin + path
}

function forceQuery(options: ForceOption): Query {
  return options.force ? {force: true} : {}
}

function deploymentHeader(res: HttpResponse): string | undefined {
  const h = res.headers['marathon-deployment-id']
  return (Array.isArray(h) ? h[0] : h) || undefined
}

function missingDeploymentId(res: HttpResponse): never {
  throw new DcosError('BAD_RESPONSE', `Marathon answered ${displayUrl(res.url)} without a deployment id.`, {status: res.status})
}

/** A 409 that is not a lock, on a create: the id is taken. */
function alreadyExists(e: unknown, message: string): unknown {
  return e instanceof DcosError && e.code === 'CONFLICT' ? new DcosError('ALREADY_EXISTS', message, {status: 409}) : e
}
