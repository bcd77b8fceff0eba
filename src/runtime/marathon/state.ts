/**
 * Marathon's root state and its one writer (Marathon's `GroupManager`): apps, groups, app
 * versions, deployments and last task failures, in memory, with every change made by `change()`
 * one at a time in order of arrival, so concurrent writers never lose an update:
 *
 *   mutate a draft → validate it (paths, dependency cycles) → version what changed, assign
 *   service ports → check deployment locks (409, or cancel them with force) → plan the
 *   deployment → write everything to disk → commit in memory → publish events → wake the
 *   scheduler.
 *
 * Nothing is visible, and nothing answered, before it is on disk; a change that fails anywhere
 * before the commit leaves no trace.
 */
import {randomUUID} from 'node:crypto'
import {configKey, type App} from './app-definition'
import {currentActions, planJson, type Deployment} from './deployments'
import {CYCLIC, invalidAt, locked} from './errors'
import type {EventBus} from './events'
import {ensureGroup, makeRoomForApp, MAX_VERSIONS, type Draft, type GroupRecord} from './groups'
import {ancestors, isDescendant, parentOf, ROOT} from './path-id'
import {dependencyCycle, planSteps} from './planner'
import {assignServicePorts, SERVICE_PORT_RANGE, type PortRange} from './ports'
import type {LoadedState, MarathonStorage, TaskFailure} from './storage'

export interface StateDeps {
  storage: MarathonStorage
  events: EventBus
  now: () => number
  servicePorts?: PortRange
  /** Called after every commit with the apps whose tasks may need attention. */
  onChange: (appIds: string[]) => void
}

export interface ChangeOptions {
  force: boolean
  /** Plan only: nothing is written, committed or locked (`PUT /v2/groups?dryRun=true`). */
  dryRun?: boolean
}

export interface ChangeResult {
  deployment: Deployment
  version: string
  /** Apps after the change, by id (the changed ones and the rest). */
  apps: ReadonlyMap<string, App>
  changed: string[]
}

export class MarathonState {
  apps = new Map<string, App>()
  groups = new Map<string, GroupRecord>()
  readonly deployments = new Map<string, Deployment>()
  readonly failures = new Map<string, TaskFailure>()
  /** appId → its versions, oldest first. */
  readonly #versions = new Map<string, App[]>()
  readonly #deps: StateDeps
  #chain: Promise<unknown> = Promise.resolve()
  #lastVersion = 0
  /** Each app's group (parentOf its id), per app object (a change makes a new one): every change looks at every app. */
  #parents = new WeakMap<App, string>()
  /** Bumped on every change anything serialised from the state depends on. */
  revision = 0

  constructor(deps: StateDeps, loaded?: LoadedState) {
    this.#deps = deps
    if (loaded) {
      for (const app of loaded.apps) this.apps.set(app.id, app)
      for (const g of loaded.groups) this.groups.set(g.id, g)
      for (const v of loaded.versions) {
        const list = this.#versions.get(v.id) ?? []
        list.push(v)
        this.#versions.set(v.id, list)
      }
      for (const list of this.#versions.values()) list.sort((a, b) => (a.version < b.version ? -1 : 1))
      for (const d of [...loaded.deployments].sort((a, b) => (a.version < b.version ? -1 : 1))) this.deployments.set(d.id, d)
      for (const f of loaded.failures) this.failures.set(f.appId, f)
      const latest = [...this.apps.values(), ...this.groups.values()].reduce((m, x) => Math.max(m, Date.parse(x.version) || 0), 0)
      this.#lastVersion = latest
    }
    if (!this.groups.has(ROOT)) this.groups.set(ROOT, {id: ROOT, dependencies: [], version: this.#nextVersion(), versions: []})
  }

  #parentOf(app: App): string {
    let parent = this.#parents.get(app)
    if (parent === undefined) this.#parents.set(app, (parent = parentOf(app.id)))
    return parent
  }

  /** A version timestamp, strictly after every earlier one (two changes in a ms get distinct ones). */
  #nextVersion(): string {
    this.#lastVersion = Math.max(this.#deps.now(), this.#lastVersion + 1)
    return new Date(this.#lastVersion).toISOString()
  }

  versionsOf(appId: string): App[] {
    return this.#versions.get(appId) ?? []
  }

  appVersion(appId: string, version: string): App | undefined {
    return this.versionsOf(appId).find((a) => a.version === version)
  }

  /** Running deployments that hold any of `appIds`. */
  deploymentsOf(appId: string): Deployment[] {
    return [...this.deployments.values()].filter((d) => d.affectedApps.includes(appId))
  }

  /**
   * The dependencies that order an app, on the graph validation checks (planner.dependencyCycle,
   * Marathon's RootGroup): its own, and those of the groups above it that name groups (a group's
   * dependency on an app draws no edge in Marathon).
   */
  dependenciesOf = (appId: string, apps: ReadonlyMap<string, App> = this.apps, groups: ReadonlyMap<string, GroupRecord> = this.groups): string[] => {
    const own = apps.get(appId)?.dependencies ?? []
    const inherited = ancestors(appId).flatMap((g) => (groups.get(g)?.dependencies ?? []).filter((d) => !apps.has(d)))
    return [...own, ...inherited]
  }

  /** Runs `fn` after every change queued before it: the single writer. */
  serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.#chain.then(fn)
    this.#chain = run.catch(() => undefined)
    return run
  }

  change(mutate: (draft: Draft) => void, opts: ChangeOptions): Promise<ChangeResult> {
    return this.serial(() => this.#change(mutate, opts))
  }

  async #change(mutate: (draft: Draft) => void, opts: ChangeOptions): Promise<ChangeResult> {
    const version = this.#nextVersion()
    const draft: Draft = {apps: new Map(this.apps), groups: new Map(this.groups), keepConfigVersion: new Set(), restart: new Set(), version}
    mutate(draft)
    const ensured = new Set<string>()
    for (const app of draft.apps.values()) {
      const parent = this.#parentOf(app)
      if (!ensured.has(parent)) ensureGroup(draft, parent)
      ensured.add(parent)
    }
    ensureGroup(draft, ROOT)
    for (const id of draft.apps.keys()) makeRoomForApp(draft, id)
    // Without any dependency there is no cycle: skips building the graph per change.
    if (hasDependencies(draft) && dependencyCycle(draft.apps, draft.groups) !== undefined) throw invalidAt('/', CYCLIC)

    const before = this.apps
    const changed: string[] = []
    const used = new Set<number>()
    for (const [id, app] of draft.apps) {
      if (before.get(id) === app && !draft.restart.has(id)) for (const d of app.portDefinitions) if (d.port) used.add(d.port)
    }
    for (const [id, app] of [...draft.apps]) {
      const prev = before.get(id)
      if (prev === app && !draft.restart.has(id)) continue
      const ports = assignServicePorts(keepServicePorts(app, prev, used), used, this.#deps.servicePorts ?? SERVICE_PORT_RANGE)
      if (!ports) throw invalidAt('/portDefinitions', 'No free service ports left in the service port range')
      const next = {...app, portDefinitions: ports}
      const keep = draft.keepConfigVersion.has(id) ? app.versionInfo?.lastConfigChangeAt : undefined
      const configChanged =
        !prev || draft.restart.has(id) || configKey(prev) !== configKey(next) || (keep !== undefined && keep !== prev.versionInfo?.lastConfigChangeAt)
      const scaled = !prev || prev.instances !== next.instances
      if (!configChanged && !scaled) {
        draft.apps.set(id, prev)
        continue
      }
      draft.apps.set(id, {
        ...next,
        version,
        versionInfo: {
          lastScalingAt: scaled || !prev?.versionInfo ? version : prev.versionInfo.lastScalingAt,
          lastConfigChangeAt: keep ?? (configChanged || !prev?.versionInfo ? version : prev.versionInfo.lastConfigChangeAt),
        },
      })
      changed.push(id)
    }
    for (const id of before.keys()) if (!draft.apps.has(id)) changed.push(id)
    const changedSet = new Set(changed)

    if (opts.dryRun) {
      const steps = planSteps(before, draft.apps, changed, (id) => this.dependenciesOf(id, draft.apps, draft.groups), draft.restart)
      return {deployment: {id: '', version, affectedApps: changed, steps, done: 0, original: {}}, version, apps: draft.apps, changed}
    }
    const conflicts = [...this.deployments.values()].filter((d) => d.affectedApps.some((a) => changedSet.has(a)))
    if (conflicts.length > 0 && !opts.force) throw locked(conflicts.map((d) => d.id))

    // Groups: a new version for every group something changed below, and for changed groups.
    const touched = new Set<string>()
    for (const id of changed) for (const g of ancestors(id)) touched.add(g)
    for (const [id, g] of draft.groups) if (this.groups.get(id) !== g) for (const a of [...ancestors(id), id]) touched.add(a)
    for (const id of this.groups.keys()) if (!draft.groups.has(id)) for (const a of ancestors(id)) touched.add(a)
    for (const id of touched) {
      const g = draft.groups.get(id)
      if (g) draft.groups.set(id, {...g, version, versions: [...g.versions, version].slice(-MAX_VERSIONS)})
    }

    const steps = planSteps(before, draft.apps, changed, (id) => this.dependenciesOf(id, draft.apps, draft.groups), draft.restart)
    const original: Record<string, App | null> = {}
    for (const id of changed) original[id] = before.get(id) ?? null
    const deployment: Deployment = {id: randomUUID(), version, affectedApps: [...changed].sort(), steps, done: 0, original}

    // Durable first: versions, apps, groups, then the deployment.
    const {storage} = this.#deps
    const writes: Promise<void>[] = []
    const pruned: [string, string][] = []
    for (const id of changed) {
      const app = draft.apps.get(id)
      if (app) {
        writes.push(storage.putVersion(app))
        const history = this.versionsOf(id)
        for (const old of history.slice(0, Math.max(0, history.length + 1 - MAX_VERSIONS))) pruned.push([id, old.version])
      } else for (const old of this.versionsOf(id)) pruned.push([id, old.version])
    }
    for (const [id, v] of pruned) writes.push(storage.deleteVersion(id, v))
    for (const id of changed) {
      const app = draft.apps.get(id)
      writes.push(app ? storage.putApp(app) : storage.deleteApp(id))
      if (!app && this.failures.has(id)) writes.push(storage.deleteFailure(id))
    }
    for (const [id, g] of draft.groups) if (this.groups.get(id) !== g) writes.push(storage.putGroup(g))
    for (const id of this.groups.keys()) if (!draft.groups.has(id)) writes.push(storage.deleteGroup(id))
    for (const d of conflicts) writes.push(storage.deleteDeployment(d.id))
    writes.push(storage.putDeployment(deployment))
    await Promise.all(writes)

    // Commit.
    this.apps = draft.apps
    this.groups = draft.groups
    for (const id of changed) {
      const app = draft.apps.get(id)
      if (!app) {
        this.#versions.delete(id)
        this.failures.delete(id)
        continue
      }
      const history = (this.#versions.get(id) ?? []).filter((a) => !pruned.some(([pid, v]) => pid === id && v === a.version))
      history.push(app)
      this.#versions.set(id, history)
    }
    for (const d of conflicts) this.deployments.delete(d.id)
    this.deployments.set(deployment.id, deployment)
    this.revision++

    const {events} = this.#deps
    for (const d of conflicts) events.publish('deployment_failed', {id: d.id, plan: planJson(d), reason: `canceled by deployment ${deployment.id} (force)`})
    events.publish('group_change_success', {groupId: ROOT, version})
    events.publish('deployment_info', {plan: planJson(deployment), currentStep: {actions: currentActions(deployment)}})
    this.#deps.onChange([...new Set([...changed, ...conflicts.flatMap((d) => d.affectedApps)])])
    return {deployment, version, apps: draft.apps, changed}
  }

  /** The deployment's current step is done: move on (or finish it). Not part of the writer queue: it only touches the deployment. */
  async stepDone(d: Deployment): Promise<void> {
    if (this.deployments.get(d.id) !== d) return
    const {events, storage} = this.#deps
    events.publish('deployment_step_success', {plan: planJson(d), currentStep: {actions: currentActions(d)}})
    d.done++
    this.revision++
    if (d.done >= d.steps.length) {
      this.deployments.delete(d.id)
      events.publish('deployment_success', {id: d.id, plan: planJson(d)})
      await storage.deleteDeployment(d.id)
    } else {
      events.publish('deployment_info', {plan: planJson(d), currentStep: {actions: currentActions(d)}})
      await storage.putDeployment(d)
    }
  }

  /** `DELETE /v2/deployments/{id}?force=true`: the deployment stops where it is; its apps stay as they are now. */
  async cancel(d: Deployment): Promise<void> {
    await this.serial(async () => {
      if (this.deployments.get(d.id) !== d) return
      await this.#deps.storage.deleteDeployment(d.id)
      this.deployments.delete(d.id)
      this.revision++
      this.#deps.events.publish('deployment_failed', {id: d.id, plan: planJson(d), reason: 'canceled'})
      this.#deps.onChange(d.affectedApps)
    })
  }

  async setFailure(f: TaskFailure): Promise<void> {
    if (!this.apps.has(f.appId)) return
    this.failures.set(f.appId, f)
    this.revision++
    await this.#deps.storage.putFailure(f)
  }

  /** Apps below (or at) `id`, for `/v2/apps/{group}/*`. */
  appsUnder(id: string): App[] {
    return [...this.apps.values()].filter((a) => isDescendant(a.id, id))
  }
}

function hasDependencies(draft: Draft): boolean {
  for (const a of draft.apps.values()) if (a.dependencies?.length) return true
  for (const g of draft.groups.values()) if (g.dependencies?.length) return true
  return false
}

/** A port 0 takes the service port the app had at the same position, if no one else took it. */
function keepServicePorts(app: App, prev: App | undefined, used: Set<number>): App['portDefinitions'] {
  return app.portDefinitions.map((d, i) => {
    const had = prev?.portDefinitions[i]?.port
    if (d.port === 0 && had && !used.has(had)) {
      used.add(had)
      return {...d, port: had}
    }
    if (d.port !== 0) used.add(d.port)
    return d
  })
}
