/**
 * `/v2/apps` (`AppsResource`, `AppTasksResource`, `AppVersionsResource`): list, create, update
 * (PUT: partial by default, creating when missing; PATCH: partial, existing only), delete
 * (force defaults to true here), restart, an app's tasks and versions.
 *
 * Every change runs through the state's single writer: the app is read, validated and changed
 * inside the writer's turn, so two writers of one app never lose an update.
 */
import {HttpError, reply, type Request, type Router} from '../../http'
import {mergeUpdate, normalizeApp, type App} from '../app-definition'
import {appExists, appNotFound, invalidAt, message, Violations} from '../errors'
import {makeRoomForApp} from '../groups'
import {canonicalPath, pathProblems, PathError, ROOT} from '../path-id'
import {isActive, taskJson, type Task} from '../tasks'
import {appEmbed, asArray, asObject, body, clientIp, deploymentResult, flag, location, type ApiContext} from './common'
import {LabelSelectorError, parseLabelSelector} from './label-selector'

const SUFFIXES = new Set(['restart', 'tasks', 'versions'])

interface AppPath {
  id: string
  sub?: 'restart' | 'tasks' | 'versions' | 'group'
  arg?: string
}

/** `/v2/apps/<id>[/restart|/tasks[/<taskId>]|/versions[/<v>]|/*]`; an existing app's own id wins. */
export function parseAppPath(rest: string, exists: (id: string) => boolean): AppPath {
  let segs: string[]
  try {
    segs = rest.split('/').filter(Boolean).map((s) => decodeURIComponent(s))
  } catch {
    throw message(400, `Malformed percent-encoding in '${rest}'`)
  }
  // The server resolves `..` in URLs, but not behind an encoded slash: `/v2/apps/a%2f..%2f..%2fetc`
  // would be the app `/etc`. Ids in URLs are absolute, as written.
  if (segs.some((s) => s.split('/').some((part) => part === '.' || part === '..'))) throw message(400, `App path '/${segs.join('/')}' has a '.' or '..' segment: name the app by its absolute id`)
  const join = (parts: string[]) => '/' + parts.join('/')
  const full = join(segs)
  if (exists(full)) return {id: full}
  const last = segs[segs.length - 1]
  if (last === '*') return {id: join(segs.slice(0, -1)), sub: 'group'}
  if (SUFFIXES.has(last)) return {id: join(segs.slice(0, -1)), sub: last as AppPath['sub']}
  const before = segs[segs.length - 2]
  if (segs.length >= 2 && (before === 'tasks' || before === 'versions')) return {id: join(segs.slice(0, -2)), sub: before, arg: last}
  return {id: full}
}

function checkPathId(id: string): string {
  let canonical: string
  try {
    canonical = canonicalPath(id)
  } catch (error) {
    if (error instanceof PathError) throw invalidAt('/id', 'Path needs to be absolute')
    throw error
  }
  const problems = pathProblems(canonical)
  if (problems.length) throw new HttpError(422, 'Object is not valid', {message: 'Object is not valid', details: [{path: '/id', errors: problems}]})
  return canonical
}

export function appRoutes(router: Router, ctx: ApiContext): void {
  const {state, scheduler, views, config, events} = ctx
  const normalizeCtx = (at?: string) => ({base: ROOT, role: config.role, version: new Date(ctx.now()).toISOString(), maxInstances: config.maxInstances, ...(at && {at})})

  const normalize = (raw: unknown, at?: string): App => {
    const v = new Violations()
    const app = normalizeApp(raw, normalizeCtx(at), v)
    v.throwIfAny()
    return app
  }

  const postEvent = (req: Request, app: App) =>
    events.publish('api_post_event', {clientIp: clientIp(req), uri: `/v2/apps${app.id}`, appDefinition: app})

  router.get('/v2/apps', (req) => {
    const embed = appEmbed(req, {counts: true, deployments: true})
    const cmd = req.query.get('cmd')?.toLowerCase()
    const id = req.query.get('id')?.toLowerCase()
    const label = req.query.get('label')
    let selector: ((labels: Record<string, string>) => boolean) | undefined
    if (label) {
      try {
        selector = parseLabelSelector(label)
      } catch (error) {
        if (error instanceof LabelSelectorError) throw message(400, `Invalid label selector '${label}': ${error.message}`)
        throw error
      }
    }
    let apps = [...state.apps.values()]
    if (cmd) apps = apps.filter((a) => a.cmd?.toLowerCase().includes(cmd))
    if (id) apps = apps.filter((a) => a.id.toLowerCase().includes(id))
    if (selector) apps = apps.filter((a) => selector!(a.labels))
    const cacheKey = [...req.query.entries()].map(([k, v]) => `${k}=${v}`).sort().join('&')
    return views.list('apps', apps, embed, cacheKey)
  })

  router.post('/v2/apps', async (req) => {
    const raw = asObject(await body(req))
    const app = normalize(raw)
    const force = flag(req, 'force', false)
    const result = await state.change((draft) => {
      if (draft.apps.has(app.id)) throw appExists(app.id)
      makeRoomForApp(draft, app.id)
      draft.apps.set(app.id, app)
    }, {force})
    const created = {...app, version: result.version}
    postEvent(req, created)
    return reply(
      201,
      {...created, tasksStaged: 0, tasksRunning: 0, tasksHealthy: 0, tasksUnhealthy: 0, deployments: [{id: result.deployment.id}]},
      {Location: location(req, `/v2/apps${app.id}`), 'Marathon-Deployment-Id': result.deployment.id},
    )
  })

  /** PUT/PATCH of a list of apps: one deployment for all of them. */
  const updateMany = async (req: Request, patch: boolean) => {
    const list = asArray(await body(req))
    const partial = patch || flag(req, 'partialUpdate', true)
    const force = flag(req, 'force', false)
    const updates = list.map((raw, i) => {
      const o = asObject(raw)
      if (typeof o.id !== 'string') throw invalidAt(`(${i})/id`, 'error.path.missing')
      return {raw: o, id: checkPathId(o.id), at: `(${i})`}
    })
    const result = await state.change((draft) => {
      const v = new Violations()
      for (const u of updates) {
        const current = draft.apps.get(u.id)
        if (!current && patch) throw appNotFound(u.id)
        const merged = current && partial ? mergeUpdate(current, u.raw) : u.raw
        const app = normalizeApp({...merged, id: u.id}, normalizeCtx(u.at), v)
        draft.apps.set(u.id, app)
      }
      v.throwIfAny()
    }, {force})
    for (const id of result.changed) {
      const app = result.apps.get(id)
      if (app) postEvent(req, app)
    }
    return deploymentResult(200, result.deployment.id, result.version)
  }
  router.put('/v2/apps', (req) => updateMany(req, false))
  router.on('PATCH', '/v2/apps', (req) => updateMany(req, true))

  router.on(['GET', 'PUT', 'PATCH', 'DELETE', 'POST'], '/v2/apps/*', async (req) => {
    const path = parseAppPath(req.params['*'], (id) => state.apps.has(id))
    switch (path.sub) {
      case undefined:
        if (req.method === 'GET') return getApp(req, path.id)
        if (req.method === 'PUT' || req.method === 'PATCH') return putApp(req, path.id, req.method === 'PATCH')
        if (req.method === 'DELETE') return deleteApp(req, path.id)
        break
      case 'group':
        if (req.method === 'GET') {
          const apps = path.id === ROOT ? [...state.apps.values()] : state.appsUnder(path.id)
          return views.list('*', apps, appEmbed(req, {counts: true, deployments: true}))
        }
        break
      case 'restart':
        if (req.method === 'POST') return restart(req, path.id)
        break
      case 'tasks':
        if (req.method === 'GET' && path.arg === undefined) return appTasks(req, path.id)
        if (req.method === 'GET') return appTask(path.id, path.arg!)
        if (req.method === 'DELETE') return killAppTasks(req, path.id, path.arg)
        break
      case 'versions':
        if (req.method === 'GET' && path.arg === undefined) return versions(path.id)
        if (req.method === 'GET') return version(path.id, path.arg!)
        break
    }
    throw new HttpError(405, `Method ${req.method} is not allowed on ${req.path}`, {message: `Method ${req.method} is not allowed on ${req.path}`})
  })

  const existing = (id: string): App => {
    const app = state.apps.get(id)
    if (!app) throw appNotFound(id)
    return app
  }

  function getApp(req: Request, id: string) {
    const app = existing(id)
    const embed = appEmbed(req, {counts: true, deployments: true, tasks: true, lastTaskFailure: true})
    return reply(200, `{"app":${views.json(app, embed)}}`, {'Content-Type': 'application/json'})
  }

  async function putApp(req: Request, rawId: string, patch: boolean) {
    const id = checkPathId(rawId)
    const raw = asObject(await body(req))
    const partial = patch || flag(req, 'partialUpdate', true)
    const force = flag(req, 'force', false)
    const keys = Object.keys(raw).filter((k) => raw[k] !== undefined)
    // A body of only a version (and the id) is a rollback; next to other fields a version is ignored.
    const rollback = !patch && raw.version !== undefined && keys.every((k) => k === 'version' || k === 'id')
    let created = false
    const result = await state.change((draft) => {
      const current = draft.apps.get(id)
      if (rollback) {
        if (!current) throw appNotFound(id)
        const then = typeof raw.version === 'string' ? state.appVersion(id, raw.version) : undefined
        if (!then) throw appNotFound(id, String(raw.version))
        draft.apps.set(id, then)
        draft.keepConfigVersion.add(id)
        return
      }
      if (!current && patch) throw appNotFound(id)
      created = !current
      const merged = current && partial ? mergeUpdate(current, raw) : raw
      const v = new Violations()
      const app = normalizeApp({...merged, id}, normalizeCtx(), v)
      v.throwIfAny()
      draft.apps.set(id, app)
    }, {force})
    const app = result.apps.get(id)
    if (app && !rollback) postEvent(req, app)
    return created
      ? deploymentResult(201, result.deployment.id, result.version, {Location: location(req, `/v2/apps${id}`)})
      : deploymentResult(200, result.deployment.id, result.version)
  }

  async function deleteApp(req: Request, id: string) {
    const force = flag(req, 'force', true)
    const result = await state.change((draft) => {
      if (!draft.apps.has(id)) throw appNotFound(id)
      draft.apps.delete(id)
    }, {force})
    events.publish('app_terminated_event', {appId: id})
    return deploymentResult(200, result.deployment.id, result.version)
  }

  async function restart(req: Request, id: string) {
    const force = flag(req, 'force', false)
    const result = await state.change((draft) => {
      if (!draft.apps.has(id)) throw appNotFound(id)
      draft.restart.add(id)
    }, {force})
    return deploymentResult(200, result.deployment.id, result.version)
  }

  function appTasks(req: Request, id: string) {
    existing(id)
    const tasks = scheduler.tracker.ofApp(id).filter(isActive)
    if ((req.header('accept') ?? '').includes('text/plain')) {
      const app = existing(id)
      return reply(200, tasksText([app], () => tasks), {'Content-Type': 'text/plain; charset=utf-8'})
    }
    return {tasks: tasks.map(taskJson)}
  }

  function appTask(id: string, taskId: string) {
    existing(id)
    const task = scheduler.tracker.get(taskId)
    if (!task || task.appId !== id || !isActive(task)) throw message(404, `Task '${taskId}' does not exist`)
    return {task: taskJson(task)}
  }

  async function killAppTasks(req: Request, id: string, taskId?: string) {
    existing(id)
    const scale = flag(req, 'scale', false)
    const wipe = flag(req, 'wipe', false)
    const force = flag(req, 'force', false)
    if (scale && wipe) throw message(400, 'You cannot use scale and wipe at the same time.')
    let tasks = scheduler.tracker.ofApp(id).filter(isActive)
    if (taskId !== undefined) {
      tasks = tasks.filter((t) => t.id === taskId)
      if (tasks.length === 0) throw message(404, `Task '${taskId}' does not exist`)
    }
    const host = req.query.get('host')
    if (host) tasks = tasks.filter((t) => t.host === host)
    if (scale) {
      const result = await scaleDownKilling(ctx, new Map([[id, tasks]]), force)
      return deploymentResult(200, result.deploymentId, result.version)
    }
    scheduler.killTasks(tasks, {wipe})
    return taskId !== undefined ? {task: taskJson(tasks[0])} : {tasks: tasks.map(taskJson)}
  }

  function versions(id: string) {
    existing(id)
    return {versions: state.versionsOf(id).map((a) => a.version).reverse()}
  }

  function version(id: string, v: string) {
    existing(id)
    const app = state.appVersion(id, v)
    if (!app) throw appNotFound(id, v)
    return app
  }
}

/**
 * Kills `tasks` and lowers each app's `instances` by as many, in one deployment (`scale=true`).
 * The tasks are marked as being killed before the scheduler plans the new instance counts, so
 * it kills exactly these and no others.
 */
export async function scaleDownKilling(ctx: ApiContext, byApp: Map<string, Task[]>, force: boolean): Promise<{deploymentId: string; version: string}> {
  const result = await ctx.state.change((draft) => {
    for (const [appId, tasks] of byApp) {
      const app = draft.apps.get(appId)
      if (!app) throw appNotFound(appId)
      draft.apps.set(appId, {...app, instances: Math.max(0, app.instances - tasks.length)})
    }
  }, {force})
  ctx.scheduler.killTasks([...byApp.values()].flat())
  return {deploymentId: result.deployment.id, version: result.version}
}

/**
 * The text form of tasks (`EndpointsHelper`): per app and service port, a tab-separated line
 * `<app id as a_b>\t<service port>\t<host>:<port>\t...`.
 */
export function tasksText(apps: App[], tasksOf: (appId: string) => Task[]): string {
  let out = ''
  for (const app of apps) {
    const safe = app.id.split('/').filter(Boolean).join('_')
    const tasks = tasksOf(app.id).filter((t) => t.state === 'TASK_RUNNING')
    if (app.portDefinitions.length === 0) {
      out += `${safe}\t \t${tasks.map((t) => `${t.host} `).join('\t')}\n`
      continue
    }
    app.portDefinitions.forEach((d, i) => {
      out += `${safe}\t${d.port}\t${tasks.map((t) => `${t.host}:${t.ports[i]}\t`).join('')}\n`
    })
  }
  return out
}
