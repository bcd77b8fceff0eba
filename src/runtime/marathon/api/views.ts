/**
 * Apps as the API shows them (`AppInfo`): the stored definition plus what is embedded (task
 * counts, deployments, tasks, last failure, readiness, task stats). Serialisation is cached: a
 * definition's JSON once per version (the App object is immutable), and whole list responses
 * per state revision and query, so `GET /v2/apps` with 1000 apps is a buffer copy until
 * something changes, and a concatenation of cached pieces after.
 */
import {RawJson} from '../../http'
import type {App} from '../app-definition'
import type {MarathonScheduler} from '../scheduler'
import type {MarathonState} from '../state'
import {countTasks, isActive, taskJson} from '../tasks'
import type {Embed} from './common'

const CACHED_RESPONSES = 32

export class AppViews {
  readonly #definitions = new WeakMap<App, string>()
  readonly #responses = new Map<string, {revision: number; body: RawJson}>()
  readonly #state: MarathonState
  readonly #scheduler: MarathonScheduler

  constructor(state: MarathonState, scheduler: MarathonScheduler) {
    this.#state = state
    this.#scheduler = scheduler
  }

  /** The definition's JSON without its closing brace. */
  #definition(app: App): string {
    let json = this.#definitions.get(app)
    if (json === undefined) {
      json = JSON.stringify(app).slice(0, -1)
      this.#definitions.set(app, json)
    }
    return json
  }

  #extras(app: App, embed: Embed): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    const tasks = embed.counts || embed.tasks || embed.taskStats ? this.#scheduler.tracker.ofApp(app.id).filter(isActive) : []
    if (embed.counts) Object.assign(out, countTasks(tasks, app.healthChecks?.length ?? 0))
    if (embed.deployments) out.deployments = this.#state.deploymentsOf(app.id).map((d) => ({id: d.id}))
    if (embed.readiness) out.readinessCheckResults = this.#scheduler.readiness(app.id)
    if (embed.tasks) out.tasks = tasks.map(taskJson)
    if (embed.lastTaskFailure) {
      const failure = this.#state.failures.get(app.id)
      if (failure) out.lastTaskFailure = failure
    }
    if (embed.taskStats) {
      const c = countTasks(tasks, app.healthChecks?.length ?? 0)
      out.tasksStats = {totalSummary: {stats: {counts: {staged: c.tasksStaged, running: c.tasksRunning, healthy: c.tasksHealthy, unhealthy: c.tasksUnhealthy}}}}
    }
    return out
  }

  /** One app's JSON text. */
  json(app: App, embed: Embed): string {
    const extras = JSON.stringify(this.#extras(app, embed))
    return extras === '{}' ? `${this.#definition(app)}}` : `${this.#definition(app)},${extras.slice(1)}`
  }

  /** One app as an object (for bodies that embed it in something larger). */
  object(app: App, embed: Embed): Record<string, unknown> {
    return {...app, ...this.#extras(app, embed)}
  }

  /** `{"<key>": [apps...]}`, cached per state revision under `cacheKey` (when given). */
  list(key: string, apps: App[], embed: Embed, cacheKey?: string): RawJson {
    const revision = this.#state.revision
    if (cacheKey !== undefined) {
      const hit = this.#responses.get(cacheKey)
      if (hit && hit.revision === revision) return hit.body
    }
    const body = new RawJson(`{${JSON.stringify(key)}:[${apps.map((a) => this.json(a, embed)).join(',')}]}`)
    if (cacheKey !== undefined) {
      if (this.#responses.size >= CACHED_RESPONSES) this.#responses.delete(this.#responses.keys().next().value!)
      this.#responses.set(cacheKey, {revision, body})
    }
    return body
  }
}
