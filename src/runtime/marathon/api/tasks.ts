/**
 * `/v2/tasks` (`TasksResource`): every task (JSON, or the tab-separated text form with
 * `Accept: text/plain`), filtered by `status`; `POST /v2/tasks/delete` kills tasks by id (with
 * `scale`, the apps shrink by as many; with `wipe`, resident instances are given up).
 * `/v2/queue` (`QueueResource`): apps waiting for instances, with their backoff delay; `DELETE
 * /v2/queue/{id}/delay` ends a delay.
 */
import {reply, type Router} from '../../http'
import {message} from '../errors'
import {canonicalPath} from '../path-id'
import {instanceIdOf, isActive, taskJson, type Task} from '../tasks'
import {scaleDownKilling, tasksText} from './apps'
import {asObject, body, deploymentResult, flag, type ApiContext} from './common'

const STATUS: Record<string, (t: Task) => boolean> = {
  running: (t) => t.state === 'TASK_RUNNING',
  staging: (t) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING',
}

export function taskRoutes(router: Router, ctx: ApiContext): void {
  const {state, scheduler, views} = ctx

  router.get('/v2/tasks', (req) => {
    const wanted = [...req.query.getAll('status'), ...req.query.getAll('status[]')].map((s) => s.toLowerCase())
    for (const s of wanted) if (!STATUS[s]) throw message(400, `Invalid status '${s}': use running or staging`)
    const keep = (t: Task) => isActive(t) && (wanted.length === 0 || wanted.some((s) => STATUS[s](t)))
    const accept = req.header('accept') ?? ''
    if (accept.includes('text/plain') && !accept.includes('application/json')) {
      const apps = [...state.apps.values()]
      return reply(200, tasksText(apps, (id) => scheduler.tracker.ofApp(id).filter(keep)), {'Content-Type': 'text/plain; charset=utf-8'})
    }
    return {tasks: [...scheduler.tracker.all()].filter(keep).map(taskJson)}
  })

  router.post('/v2/tasks/delete', async (req) => {
    const scale = flag(req, 'scale', false)
    const wipe = flag(req, 'wipe', false)
    const force = flag(req, 'force', false)
    if (scale && wipe) throw message(400, 'You cannot use scale and wipe at the same time.')
    const raw = asObject(await body(req))
    if (!Array.isArray(raw.ids) || raw.ids.some((id) => typeof id !== 'string'))
      throw message(400, "The body must be {\"ids\": [\"<task id>\", ...]}")
    const tasks: Task[] = []
    for (const id of raw.ids as string[]) {
      if (!instanceIdOf(id)) throw message(400, `Invalid task id '${id}'. [A task id looks like '<app>.instance-<uuid>._app.<n>']`)
      const task = scheduler.tracker.get(id)
      if (task && isActive(task)) tasks.push(task)
    }
    if (scale) {
      const byApp = new Map<string, Task[]>()
      for (const t of tasks) byApp.set(t.appId, [...(byApp.get(t.appId) ?? []), t])
      const result = await scaleDownKilling(ctx, byApp, force)
      return deploymentResult(200, result.deploymentId, result.version)
    }
    scheduler.killTasks(tasks, {wipe})
    return {tasks: tasks.map(taskJson)}
  })

  router.get('/v2/queue', (req) => {
    const now = ctx.now()
    const embedUnused = req.query.getAll('embed').includes('lastUnusedOffers')
    const queue = []
    for (const [appId, w] of scheduler.waiting()) {
      const app = state.apps.get(appId)
      if (!app) continue
      const left = w.delay ? Math.max(0, Math.ceil((w.delay.until - now) / 1000)) : 0
      queue.push({
        app: views.object(app, {tasks: false, counts: false, deployments: false, readiness: false, lastTaskFailure: false, taskStats: false}),
        count: w.count,
        role: app.role,
        delay: {timeLeftSeconds: left, overdue: left === 0},
        since: new Date(scheduler.queue.since(appId) ?? now).toISOString(),
        processedOffersSummary: scheduler.queue.summary(appId),
        ...(embedUnused && {lastUnusedOffers: scheduler.queue.lastUnusedOffers(appId)}),
        ...(w.blocked && {lastLaunchProblem: w.blocked}),
      })
    }
    return {queue}
  })

  router.delete('/v2/queue/*', (req) => {
    const segs = req.params['*'].split('/').filter(Boolean)
    if (segs[segs.length - 1] !== 'delay') throw message(404, `No such endpoint: ${req.path}`)
    let appId: string
    try {
      appId = canonicalPath(segs.slice(0, -1).map(decodeURIComponent).join('/'))
    } catch {
      throw message(400, `'${req.path}' does not name an app`)
    }
    if (!scheduler.waiting().has(appId)) throw message(404, `Application ${appId} not found in tasks queue.`)
    scheduler.queue.resetDelay(appId)
    scheduler.markDirty([appId])
    return reply(204)
  })
}
