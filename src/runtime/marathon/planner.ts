/**
 * Pure decisions over snapshots: what to kill and how many to launch for one app, and the steps
 * of a deployment. No I/O, no clock of its own.
 *
 * `planApp` is Marathon's scaling and rolling-restart logic (`TaskReplaceActor`,
 * `ScalingProposition`) made stateless: it is asked again after every change (a task's state,
 * its health, a new definition) and answers from what it sees, so a restarted Marathon carries
 * on a deployment where it was. For an upgrade:
 *
 *   minHealthy  = ceil(instances * minimumHealthCapacity)
 *   maxCapacity = floor(instances * (1 + maximumOverCapacity))
 *   healthy     = old and new tasks that run and pass their health checks (new ones also ready)
 *   kill          every old task that failed its checks or never ran (no capacity), and
 *                 max(0, healthy - minHealthy) healthy old ones, and at least enough that no
 *                 more old tasks than `instances` remain
 *   launch        min(instances - new, maxCapacity - old - new) new tasks
 *   if minHealthy == maxCapacity <= healthy: one extra task is allowed (non-resident), or one
 *                 more old task may be killed (resident), so the upgrade can make progress
 *
 * so healthy capacity never drops below `minHealthy` and the total never exceeds `maxCapacity`
 * (+1). Scaling (no old tasks) launches up to `instances` and kills the surplus in the app's
 * `killSelection` order, tasks that are not running first.
 */
import {configKey, type App} from './app-definition'
import {ancestors, isDescendant, parentOf, ROOT} from './path-id'
import type {KillReason} from './tasks'

export interface PlanTask {
  id: string
  /** Launched with the app's current configuration. */
  current: boolean
  phase: 'staging' | 'running' | 'terminal'
  /** A kill was already requested. */
  killing: boolean
  /** Runs and passes every health check (true for running tasks of apps without checks). */
  healthy: boolean
  /** Failed its health checks (as opposed to not yet known). */
  unhealthy: boolean
  /** Passed the readiness check (true when the app has none). */
  ready: boolean
  /** Epoch ms; orders kills by `killSelection`. */
  stagedAt: number
  /** A resident instance (it holds a reservation on its agent). */
  resident: boolean
}

export type PlanMode = 'run' | 'frozen' | 'delete'

export interface PlanInput {
  instances: number
  minimumHealthCapacity: number
  maximumOverCapacity: number
  killSelection: 'YOUNGEST_FIRST' | 'OLDEST_FIRST'
  resident: boolean
  tasks: PlanTask[]
  /** `frozen`: a deployment step not yet reached holds the app; `delete`: the app is gone. */
  mode: PlanMode
}

export interface AppPlan {
  kill: {id: string; reason: KillReason}[]
  /** Resident instances given up: their reservations are released once their task ended. */
  release: string[]
  /** New instances to launch. */
  launch: number
  /** Resident instances (their last task ids) to launch again on their reservation. */
  relaunch: string[]
  /** The app is exactly as wanted: `instances` current tasks, all healthy and ready, nothing else. */
  satisfied: boolean
}

const EMPTY: AppPlan = {kill: [], release: [], launch: 0, relaunch: [], satisfied: false}

export function planApp(input: PlanInput): AppPlan {
  if (input.mode === 'delete') return planDelete(input)
  if (input.mode === 'frozen') return {...EMPTY}
  return input.resident ? planResident(input) : planStateless(input)
}

function planDelete(input: PlanInput): AppPlan {
  const kill = input.tasks.filter((t) => t.phase !== 'terminal' && !t.killing).map((t) => ({id: t.id, reason: 'delete' as const}))
  const release = input.tasks.filter((t) => t.resident).map((t) => t.id)
  return {kill, release, launch: 0, relaunch: [], satisfied: input.tasks.every((t) => t.phase === 'terminal')}
}

/** Not running first (they give nothing yet), then unhealthy, then by kill selection. */
function killOrder(selection: PlanInput['killSelection']): (a: PlanTask, b: PlanTask) => number {
  return (a, b) =>
    rank(a) - rank(b) || (selection === 'YOUNGEST_FIRST' ? b.stagedAt - a.stagedAt : a.stagedAt - b.stagedAt) || (a.id < b.id ? -1 : 1)
}

function rank(t: PlanTask): number {
  if (t.phase !== 'running') return 0
  if (t.unhealthy) return 1
  if (!t.healthy) return 2
  return 3
}

function capacity(input: PlanInput, healthyNow: number): {minHealthy: number; maxCapacity: number; extraKill: number} {
  const n = input.instances
  const minHealthy = Math.ceil(n * input.minimumHealthCapacity - 1e-9)
  let maxCapacity = Math.floor(n * (1 + input.maximumOverCapacity) + 1e-9)
  let extraKill = 0
  if (minHealthy === maxCapacity && maxCapacity <= healthyNow) {
    if (input.resident) extraKill = 1
    else maxCapacity += 1
  }
  return {minHealthy, maxCapacity, extraKill}
}

function planStateless(input: PlanInput): AppPlan {
  const n = input.instances
  const active = input.tasks.filter((t) => t.phase !== 'terminal')
  const old = active.filter((t) => !t.current)
  const fresh = active.filter((t) => t.current)
  const freshLive = fresh.filter((t) => !t.killing)
  const kill: AppPlan['kill'] = []

  if (old.length === 0) {
    if (freshLive.length > n) {
      for (const t of [...freshLive].sort(killOrder(input.killSelection)).slice(0, freshLive.length - n)) kill.push({id: t.id, reason: 'scale'})
    }
    const launch = Math.max(0, n - freshLive.length)
    const satisfied = launch === 0 && kill.length === 0 && fresh.length === n && fresh.every((t) => t.healthy && t.ready)
    return {kill, release: [], launch, relaunch: [], satisfied}
  }

  const oldLive = old.filter((t) => !t.killing)
  const healthyNow = oldLive.filter((t) => t.healthy).length + freshLive.filter((t) => t.healthy && t.ready).length
  const {minHealthy, maxCapacity} = capacity(input, healthyNow)
  // Old tasks that failed their checks or never ran give no capacity: they go at once (a task
  // whose health is not known yet, say after a failover, is not one of them). Healthy ones go as
  // far as the health capacity allows, and at least as far as leaves no more old tasks than
  // instances.
  const sorted = [...oldLive].sort(killOrder(input.killSelection))
  const notHealthy = sorted.filter((t) => !t.healthy && (t.unhealthy || t.phase !== 'running'))
  const healthy = sorted.filter((t) => t.healthy)
  const healthyKills = Math.min(healthy.length, Math.max(healthyNow - minHealthy, oldLive.length - n - notHealthy.length, 0))
  for (const t of [...notHealthy, ...healthy.slice(0, healthyKills)]) kill.push({id: t.id, reason: 'upgrade'})
  const launch = Math.max(0, Math.min(n - freshLive.length, maxCapacity - old.length - fresh.length))
  return {kill, release: [], launch, relaunch: [], satisfied: false}
}

/**
 * Resident instances keep their reservation across tasks: one that ended is launched again on
 * it (with the current configuration), an upgrade kills old tasks within the health capacity so
 * they come back current, and only scaling down gives reservations up.
 */
function planResident(input: PlanInput): AppPlan {
  const n = input.instances
  const instances = input.tasks.filter((t) => t.resident)
  const kill: AppPlan['kill'] = []
  const release: string[] = []
  let kept = instances
  if (instances.length > n) {
    const order = (a: PlanTask, b: PlanTask) => (a.phase === 'terminal' ? 0 : 1) - (b.phase === 'terminal' ? 0 : 1) || killOrder(input.killSelection)(a, b)
    const surplus = [...instances].sort(order).slice(0, instances.length - n)
    for (const t of surplus) {
      release.push(t.id)
      if (t.phase !== 'terminal' && !t.killing) kill.push({id: t.id, reason: 'scale'})
    }
    kept = instances.filter((t) => !surplus.includes(t))
  }
  const relaunch = kept.filter((t) => t.phase === 'terminal').map((t) => t.id)
  const live = kept.filter((t) => t.phase !== 'terminal' && !t.killing)
  const oldLive = live.filter((t) => !t.current)
  if (oldLive.length > 0) {
    const healthyNow = live.filter((t) => t.healthy && (t.ready || !t.current)).length
    const {minHealthy, extraKill} = capacity(input, healthyNow)
    const toKill = Math.min(oldLive.length, Math.max(0, healthyNow - minHealthy + extraKill))
    for (const t of [...oldLive].sort(killOrder(input.killSelection)).slice(0, toKill)) kill.push({id: t.id, reason: 'upgrade'})
  }
  const launch = Math.max(0, n - instances.length)
  const satisfied =
    launch === 0 &&
    release.length === 0 &&
    relaunch.length === 0 &&
    kill.length === 0 &&
    kept.length === n &&
    kept.every((t) => t.phase === 'running' && t.current && !t.killing && t.healthy && t.ready)
  return {kill, release, launch, relaunch, satisfied}
}

export type ActionName = 'StartApplication' | 'StopApplication' | 'ScaleApplication' | 'RestartApplication'

export interface DeploymentAction {
  action: ActionName
  app: string
}

export interface DeploymentStep {
  actions: DeploymentAction[]
}

/** The dependencies that order an app: its own and those of the groups above it. */
export type DependenciesOf = (appId: string) => readonly string[]

/**
 * The steps that take the apps in `changed` from `before` to `after` (`DeploymentPlan.scala`):
 * removed apps stop first, new apps start (with no instances) next, then new, scaled and changed
 * apps in dependency order, each dependency level a step of its own. `restart` forces a restart
 * of apps whose definition is unchanged (`POST /restart`). Apps whose definition is the same
 * yield no action. Dependencies name apps or groups (all apps below them).
 */
export function planSteps(
  before: ReadonlyMap<string, App>,
  after: ReadonlyMap<string, App>,
  changed: Iterable<string>,
  depsOf: DependenciesOf,
  restart: ReadonlySet<string> = new Set(),
): DeploymentStep[] {
  const stops: DeploymentAction[] = []
  const starts: DeploymentAction[] = []
  const changes = new Map<string, DeploymentAction>()
  for (const id of changed) {
    const prev = before.get(id)
    const app = after.get(id)
    if (prev && !app) stops.push({action: 'StopApplication', app: id})
    else if (app && !prev) {
      starts.push({action: 'StartApplication', app: id})
      changes.set(id, {action: 'ScaleApplication', app: id})
    } else if (app && prev) {
      if (restart.has(id) || configKey(prev) !== configKey(app)) changes.set(id, {action: 'RestartApplication', app: id})
      else if (prev.instances !== app.instances) changes.set(id, {action: 'ScaleApplication', app: id})
    }
  }
  const steps: DeploymentStep[] = []
  if (stops.length) steps.push({actions: sortActions(stops)})
  if (starts.length) steps.push({actions: sortActions(starts)})
  const levels = dependencyLevels(after, [...changes.keys()], depsOf)
  const byLevel = new Map<number, DeploymentAction[]>()
  for (const [id, action] of changes) {
    const level = levels.get(id) ?? 0
    byLevel.set(level, [...(byLevel.get(level) ?? []), action])
  }
  for (const level of [...byLevel.keys()].sort((a, b) => a - b)) steps.push({actions: sortActions(byLevel.get(level)!)})
  return steps
}

function sortActions(actions: DeploymentAction[]): DeploymentAction[] {
  return actions.sort((a, b) => (a.app < b.app ? -1 : a.app > b.app ? 1 : 0))
}

/** The apps a dependency names: the app itself, or every app below a group. */
export function dependencyTargets(apps: ReadonlyMap<string, App>, dependency: string): string[] {
  if (apps.has(dependency)) return [dependency]
  const out: string[] = []
  for (const id of apps.keys()) if (isDescendant(id, dependency)) out.push(id)
  return out
}

/**
 * For each of `ids`: 0 when it depends on none of `ids`, else 1 + the highest level of the ones
 * it depends on (transitively through apps not in `ids` too). Cycles are cut (validated elsewhere).
 */
export function dependencyLevels(apps: ReadonlyMap<string, App>, ids: string[], depsOf: DependenciesOf): Map<string, number> {
  const wanted = new Set(ids)
  const memo = new Map<string, number>()
  const visiting = new Set<string>()
  const level = (id: string): number => {
    const known = memo.get(id)
    if (known !== undefined) return known
    if (visiting.has(id)) return -1
    visiting.add(id)
    let best = -1
    for (const dep of depsOf(id)) {
      for (const target of dependencyTargets(apps, dep)) {
        if (target === id) continue
        const l = level(target)
        best = Math.max(best, wanted.has(target) ? l : l - 1)
      }
    }
    visiting.delete(id)
    const result = best + 1
    memo.set(id, result)
    return result
  }
  const out = new Map<string, number>()
  for (const id of ids) out.set(id, Math.max(0, level(id)))
  return out
}

/**
 * An app id on a dependency cycle, if there is one, on Marathon's graph (`RootGroup.applicationDependencies`,
 * `hasNonCyclicDependencies`): an app's dependency on an app is an edge to it, on a group an edge to
 * every app below it; a group's dependency on a group is an edge from every app below the one to every
 * app below the other (on an app, none). Self-loops count: an app below what it depends on is a cycle.
 * Linear in apps + groups + dependencies: instead of the product of edges, each group has an "out"
 * node (its apps' inherited dependencies, then its parent's) and an "in" node (its apps and subgroups),
 * so every app-to-app path runs app → out* → in* → app, exactly Marathon's edges.
 */
export function dependencyCycle(apps: ReadonlyMap<string, App>, groups: ReadonlyMap<string, {dependencies: readonly string[]}>): string | undefined {
  const groupIds = new Set(groups.keys())
  for (const id of apps.keys()) for (const g of ancestors(id)) groupIds.add(g)
  // Node keys: 'a' + app id, 'o' + group id, 'i' + group id.
  const next = new Map<string, string[]>()
  const edge = (from: string, to: string) => {
    const list = next.get(from)
    if (list) list.push(to)
    else next.set(from, [to])
  }
  for (const id of groupIds) {
    if (id !== ROOT) {
      edge('o' + id, 'o' + parentOf(id))
      edge('i' + parentOf(id), 'i' + id)
    }
    for (const dep of groups.get(id)?.dependencies ?? []) if (groupIds.has(dep)) edge('o' + id, 'i' + dep)
  }
  for (const [id, app] of apps) {
    edge('a' + id, 'o' + parentOf(id))
    edge('i' + parentOf(id), 'a' + id)
    for (const dep of app.dependencies ?? []) {
      if (apps.has(dep)) edge('a' + id, 'a' + dep)
      else if (groupIds.has(dep)) edge('a' + id, 'i' + dep)
    }
  }
  // Iterative depth-first search (a long chain must not overflow the stack): grey on the stack, black done.
  const colour = new Map<string, 1 | 2>()
  for (const id of apps.keys()) {
    const root = 'a' + id
    if (colour.has(root)) continue
    const stack: [string, number][] = [[root, 0]]
    colour.set(root, 1)
    while (stack.length > 0) {
      const top = stack[stack.length - 1]
      const out = next.get(top[0]) ?? []
      if (top[1] >= out.length) {
        colour.set(top[0], 2)
        stack.pop()
        continue
      }
      const to = out[top[1]++]
      const c = colour.get(to)
      if (c === 1) return onCycle(stack, to)
      if (c === undefined) {
        colour.set(to, 1)
        stack.push([to, 0])
      }
    }
  }
  return undefined
}

/** The first app on the stack from `to` up: every cycle passes through an app. */
function onCycle(stack: [string, number][], to: string): string {
  const from = stack.findIndex(([n]) => n === to)
  const app = stack.slice(from).find(([n]) => n.startsWith('a'))
  return (app ?? stack[from])[0].slice(1)
}
