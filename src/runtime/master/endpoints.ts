/**
 * The master's read-only HTTP endpoints and operator teardown, at their Mesos paths: under
 * `/master/...`, delegated (`/state` == `/master/state`) and with the pre-1.7 `.json` aliases.
 * Every JSON endpoint takes `?jsonp=`. The big documents are serialised once per state version
 * and served from that cache until something changes.
 */
import {MESOS_VERSION} from '../config'
import {badRequest, jsonp, RawJson, reply, type Handler, type Request, type Router} from '../http'
import {removeFramework} from './frameworks'
import type {Master} from './master'
import {metricsSnapshot} from './metrics'
import {flagsJson, frameworksJson, rolesJson, slavesJson, stateJson, stateSummaryJson, tasksJson} from './state-json'

/** Mesos `TASK_LIMIT`: /master/tasks answers this many tasks unless told otherwise. */
const DEFAULT_TASK_LIMIT = 100

/** Serialisations keyed by name, valid for one state version. */
class StateCache {
  #entries = new Map<string, {version: number; body: RawJson}>()
  constructor(readonly master: Master) {}

  get(key: string, render: () => unknown): RawJson {
    const version = this.master.state.version
    const hit = this.#entries.get(key)
    if (hit && hit.version === version) return hit.body
    const body = new RawJson(JSON.stringify(render()))
    this.#entries.set(key, {version, body})
    return body
  }
}

/** Registers `handler` at `/master/<name>`, `/<name>` and both with `.json`. */
function masterRoute(router: Router, method: string | string[], name: string, handler: Handler): void {
  for (const path of [`/master/${name}`, `/${name}`]) router.on(method, path, handler).on(method, `${path}.json`, handler)
}

function nonNegativeInteger(req: Request, name: string, fallback: number): number {
  const raw = req.query.get(name)
  if (raw === null) return fallback
  if (!/^\d+$/.test(raw.trim())) throw badRequest(`Failed to parse '${name}': '${raw}' is not a non-negative integer`)
  return Number(raw)
}

export function endpointRoutes(router: Router, master: Master): void {
  const cache = new StateCache(master)
  masterRoute(router, 'GET', 'state', (req) => jsonp(req, cache.get('state', () => stateJson(master))))
  masterRoute(router, 'GET', 'state-summary', (req) => jsonp(req, cache.get('state-summary', () => stateSummaryJson(master))))
  masterRoute(router, 'GET', 'slaves', (req) => {
    const id = req.query.get('slave_id') ?? undefined
    return jsonp(req, id === undefined ? cache.get('slaves', () => slavesJson(master)) : slavesJson(master, id))
  })
  masterRoute(router, 'GET', 'frameworks', (req) => {
    const id = req.query.get('framework_id') ?? undefined
    return jsonp(req, id === undefined ? cache.get('frameworks', () => frameworksJson(master)) : frameworksJson(master, id))
  })
  masterRoute(router, 'GET', 'tasks', (req) =>
    jsonp(
      req,
      tasksJson(master, {
        frameworkId: req.query.get('framework_id') ?? undefined,
        taskId: req.query.get('task_id') ?? undefined,
        limit: nonNegativeInteger(req, 'limit', DEFAULT_TASK_LIMIT),
        offset: nonNegativeInteger(req, 'offset', 0),
        order: req.query.get('order') === 'asc' ? 'asc' : 'desc',
      }),
    ),
  )
  masterRoute(router, 'GET', 'roles', (req) => jsonp(req, cache.get('roles', () => rolesJson(master))))
  masterRoute(router, 'GET', 'flags', (req) => jsonp(req, {flags: flagsJson(master)}))
  masterRoute(router, 'GET', 'health', () => reply(200))
  masterRoute(router, 'GET', 'redirect', () => reply(307, undefined, {Location: `//${master.host}:${master.port}`}))
  masterRoute(router, 'POST', 'teardown', async (req) => {
    const id = (await req.form()).get('frameworkId')
    if (!id) throw badRequest("Missing 'frameworkId' query parameter in the request body")
    const framework = master.state.frameworks.get(id)
    if (!framework) throw badRequest('No framework found with specified ID')
    removeFramework(master, framework)
    return reply(200)
  })
  const version = (req: Request) => jsonp(req, {...master.build, version: MESOS_VERSION})
  router.get('/version', version).get('/version.json', version)
  const metrics = (req: Request) => jsonp(req, metricsSnapshot(master))
  router.get('/metrics/snapshot', metrics).get('/metrics/snapshot.json', metrics)
}
