/**
 * Marathon as a Mesos framework: the shell around the pure cores. It subscribes through the
 * shared v1 driver (failover with its persisted framework id), reconciles its tasks with the
 * master after every subscription, and runs one control loop:
 *
 *   something changed (a definition, a task's state or health, a backoff that ran out)
 *     → the app is marked dirty → on the next turn of the event loop each dirty app is planned
 *       (./planner: kills, launches) → kills are sent, launch demand recorded (./launch-queue
 *       for backoff) → deployments whose current step is done move on → REVIVE when there is
 *       new demand, SUPPRESS when there is none.
 *
 * Offers are matched the moment they arrive (./matcher), many tasks per offer; each task is
 * stored (as staging) before its ACCEPT is sent, so a Marathon killed at any point relaunches
 * nothing twice: after a restart, the stored task counts until the master says it is gone.
 * Offers that fit nothing are declined at once. There is no periodic tick on this path; a slow
 * timer only retries kills, re-reconciles tasks stuck in staging and reconciles everything now
 * and then.
 */
import type {Logger} from '../log'
import {resubscribeOnError, SchedulerDriver, type SubscribedInfo} from '../../mesos/driver'
import {contains} from '../../mesos/resources'
import type {KillPolicy, Offer, Operation, Resource, TaskInfo, TaskState, TaskStatus} from '../../mesos/types'
import {isTerminal} from '../../mesos/types'
import {isResident} from './app-definition'
import {currentActions} from './deployments'
import type {EventBus} from './events'
import {HealthMonitor} from './health'
import {LaunchQueue, type Backoff} from './launch-queue'
import {matchOffers, type LaunchRequest, type OfferView, type PlannedLaunch} from './matcher'
import {planApp, type AppPlan, type PlanTask} from './planner'
import {taskEnvironment} from './ports'
import type {MarathonState} from './state'
import type {MarathonStorage} from './storage'
import {SecretResolver} from './secrets'
import {buildTaskInfo} from './task-builder'
import {
  isActive,
  isHealthy,
  isUnhealthy,
  newInstanceId,
  record,
  taskIdOf,
  type KillReason,
  type ReadinessResult,
  type Task,
  type TaskRecord,
  type TaskReservation,
  TaskTracker,
} from './tasks'

export interface SchedulerOptions {
  masterUrl: string
  frameworkName: string
  webuiUrl: string
  user: string
  hostname: string
  principal: string
  failoverTimeoutSeconds: number
  /** Roles the framework subscribes with: the apps' role, and one to reserve for. */
  roles: string[]
  /** Offers that fit nothing are refused for this long while nothing waits. */
  declineOfferSeconds: number
  /** ... and for this long while something waits that they did not fit. */
  declineWhileWaitingSeconds: number
  maxInstancesPerOffer: number
  headers: () => Record<string, string>
  /** The gateway, whose secrets API apps' secrets are read from (none: apps with secrets do not launch). */
  gatewayUrl?: string
  /** Driver reconnection backoff. */
  reconnect?: {minMs: number; maxMs: number}
}

export interface SchedulerDeps {
  options: SchedulerOptions
  state: MarathonState
  storage: MarathonStorage
  events: EventBus
  log: Logger
  now: () => number
  frameworkId?: string
  tasks: TaskRecord[]
}

/** A kill not confirmed within this long is sent again. */
const KILL_RETRY_MS = 10_000
/** A task still staging after this long is reconciled again; after ten times this, killed. */
const STAGING_RECONCILE_MS = 30_000
const RECONCILE_ALL_MS = 10 * 60_000
const MAINTENANCE_MS = 5_000
/** A tick that took longer than this paces the next one (markDirty)... */
const SLOW_TICK_MS = 1
/** ... to TICK_BUDGET times its cost after it: planning takes at most about 1/TICK_BUDGET of the time. */
const TICK_BUDGET = 4
/** Concurrent calls to the master for kills (a scale-down of 1000 tasks). */
const KILL_CONCURRENCY = 32

const CONDITIONS: Partial<Record<TaskState, string>> = {
  TASK_STAGING: 'Staging',
  TASK_STARTING: 'Starting',
  TASK_RUNNING: 'Running',
  TASK_KILLING: 'Killing',
  TASK_KILLED: 'Killed',
  TASK_FINISHED: 'Finished',
  TASK_FAILED: 'Failed',
  TASK_ERROR: 'Error',
  TASK_LOST: 'Unreachable',
  TASK_DROPPED: 'Dropped',
  TASK_UNREACHABLE: 'Unreachable',
  TASK_GONE: 'Gone',
  TASK_GONE_BY_OPERATOR: 'Gone',
  TASK_UNKNOWN: 'Unknown',
}

/** Terminal states that count as the task failing (not a kill we asked for). */
const FAILURES = new Set<TaskState>(['TASK_FAILED', 'TASK_FINISHED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED', 'TASK_GONE', 'TASK_UNKNOWN', 'TASK_GONE_BY_OPERATOR'])

interface Wanted {
  count: number
  relaunch: string[]
}

/** What `/v2/queue` shows of an app that waits. */
export interface Waiting {
  count: number
  delay?: Backoff
  /** Why nothing is launched although offers may fit (a secret that cannot be read). */
  blocked?: string
}

export class MarathonScheduler {
  readonly tracker = new TaskTracker()
  readonly queue = new LaunchQueue()
  readonly health: HealthMonitor
  readonly #deps: SchedulerDeps
  #opts: SchedulerOptions
  readonly #log: Logger
  /** Made by start(), once the API's URL (the framework's webui_url) is known. */
  #driver!: SchedulerDriver
  #frameworkId?: string
  #dirty = new Set<string>()
  #tickScheduled = false
  /** When the last tick ended and how long it took (performance.now() ms), for markDirty's pacing. */
  #lastTick = {end: 0, cost: 0}
  readonly #wanted = new Map<string, Wanted>()
  readonly #waiting = new Map<string, Waiting>()
  readonly #plans = new Map<string, AppPlan>()
  readonly #backoffTimers = new Map<string, NodeJS.Timeout>()
  readonly #advancing = new Set<string>()
  /** Resident instances being given up (their reservations are released once their task ended). */
  readonly #releasing = new Set<Task>()
  #suppressed = false
  #lastDemand = 0
  #maintenance?: NodeJS.Timeout
  #lastFullReconcile = 0
  #stopped = false
  #killsInFlight = 0
  readonly #killBacklog: (() => Promise<void>)[] = []
  readonly #secrets: SecretResolver

  constructor(deps: SchedulerDeps) {
    this.#deps = deps
    this.#opts = deps.options
    this.#log = deps.log
    this.#frameworkId = deps.frameworkId
    this.#secrets = new SecretResolver({
      gatewayUrl: deps.options.gatewayUrl,
      headers: deps.options.headers,
      log: deps.log,
      now: deps.now,
      onChange: () => this.markDirty(this.#appsWithSecrets()),
    })
    for (const rec of deps.tasks) {
      const task: Task = {...rec, ready: rec.ready ?? true, health: []}
      this.tracker.add(task)
      if (task.reservation?.releasing) this.#releasing.add(task)
    }
    this.health = new HealthMonitor({
      now: deps.now,
      log: deps.log,
      onHealth: (task, index, result, previous) => this.#onHealth(task, index, result.alive, previous?.alive),
      onUnhealthy: (task, _check, cause) => this.#onUnhealthy(task, cause),
      onReadiness: (task, result) => this.#onReadiness(task, result),
    })
  }

  get frameworkId(): string | undefined {
    return this.#frameworkId
  }

  get connected(): boolean {
    return this.#driver?.subscribed ?? false
  }

  /** Subscribes (with `webuiUrl` as the framework's UI, where the gateway sends /service/<name>/). */
  start(webuiUrl: string): void {
    this.#opts = {...this.#opts, webuiUrl}
    this.#driver = this.#newDriver()
    this.#driver.start()
    this.#maintenance = setInterval(() => this.#maintain(), MAINTENANCE_MS)
    this.#maintenance.unref()
    this.markDirty(this.#deps.state.apps.keys())
    this.markDirty(this.tracker.appIds())
  }

  /**
   * `DELETE /v2/leader`: gives up leadership. Its subscription ends as a failover (the master
   * keeps the framework and its tasks), and, as the only candidate, this Marathon is elected
   * again at once: it re-subscribes with its framework id and reconciles, as a new leader does.
   */
  async abdicate(): Promise<void> {
    if (this.#stopped || !this.#driver) return
    const old = this.#driver
    const next = (this.#driver = this.#newDriver())
    await old.stop({failover: true})
    // A later abdication (or the stop) took over meanwhile: it starts (or stops) its own driver.
    if (this.#stopped || this.#driver !== next) return
    this.#log.info('abdicated; elected again, re-subscribing')
    next.start()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#maintenance)
    for (const t of this.#backoffTimers.values()) clearTimeout(t)
    this.health.stopAll()
    this.#secrets.stop()
    await this.#driver?.stop({failover: true})
  }

  #newDriver(): SchedulerDriver {
    const o = this.#opts
    const driver = new SchedulerDriver({
      masterUrl: o.masterUrl,
      headers: o.headers,
      log: this.#log,
      ...(o.reconnect && {backoff: o.reconnect}),
      frameworkInfo: {
        user: o.user,
        name: o.frameworkName,
        ...(this.#frameworkId && {id: {value: this.#frameworkId}}),
        failover_timeout: o.failoverTimeoutSeconds,
        checkpoint: true,
        roles: o.roles,
        principal: o.principal,
        hostname: o.hostname,
        webui_url: o.webuiUrl,
        capabilities: [{type: 'MULTI_ROLE'}, {type: 'RESERVATION_REFINEMENT'}, {type: 'TASK_KILLING_STATE'}],
      },
    })
    driver.on('subscribed', (info) => this.#guard('subscribed', () => this.#onSubscribed(info)))
    driver.on('offers', (offers) => this.#guard('offers', () => this.#onOffers(offers)))
    driver.on('update', (status) => this.#guard('update', () => this.#onUpdate(status)))
    driver.on('disconnected', (reason) => this.#deps.events.publish('scheduler_disconnected_event', {message: reason.message}))
    resubscribeOnError(driver, {
      name: 'Marathon',
      log: this.#log,
      stopped: () => this.#stopped,
      // Subscribes as a new framework; the master killed our tasks.
      removed: () => (this.#frameworkId = undefined),
      resubscribe: () => {
        this.#driver = this.#newDriver()
        this.#driver.start()
      },
    })
    return driver
  }

  #guard(what: string, fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.#log.error(`${what}: ${(error as Error)?.stack ?? error}`)
    }
  }

  /**
   * The apps need planning again: on the next turn of the event loop, or, after a turn that took
   * long (planning an app looks at all its tasks: a thousand of them, each sending its own status
   * updates), once TICK_BUDGET times that long has passed since, so that planning takes a bounded
   * share of Marathon's time and more changes are planned at once.
   */
  markDirty(appIds: Iterable<string>): void {
    for (const id of appIds) this.#dirty.add(id)
    if (this.#tickScheduled || this.#stopped) return
    this.#tickScheduled = true
    const tick = () => this.#guard('tick', () => this.#tick())
    const wait = this.#lastTick.cost > SLOW_TICK_MS ? this.#lastTick.end + this.#lastTick.cost * TICK_BUDGET - performance.now() : 0
    if (wait > 0) setTimeout(tick, wait)
    else setImmediate(tick)
  }

  /** The apps whose env references secrets (planned again when a secret's value arrives). */
  #appsWithSecrets(): string[] {
    return [...this.#deps.state.apps.values()].filter((a) => a.secrets !== undefined).map((a) => a.id)
  }

  waiting(): ReadonlyMap<string, Waiting> {
    return this.#waiting
  }

  /** Readiness results of an app's tasks, for `/v2/deployments` and `embed=apps.readiness`. */
  readiness(appId: string): ReadinessResult[] {
    return this.tracker.ofApp(appId).flatMap((t) => (t.readiness ? [t.readiness] : []))
  }

  /** Kills tasks for the API (`/v2/tasks/delete`, `DELETE /v2/apps/{id}/tasks`); `wipe` gives up resident instances. */
  killTasks(tasks: Task[], opts: {wipe?: boolean} = {}): void {
    for (const t of tasks) {
      if (opts.wipe && t.reservation) this.#giveUp(t)
      this.#kill(t, 'user', true)
    }
    this.markDirty(new Set(tasks.map((t) => t.appId)))
  }

  // --- the control loop -------------------------------------------------------------------

  #tick(): void {
    this.#tickScheduled = false
    if (this.#stopped) return
    const started = performance.now()
    const now = this.#deps.now()
    const dirty = this.#dirty
    this.#dirty = new Set()
    for (const d of this.#deps.state.deployments.values()) for (const a of currentActions(d)) dirty.add(a.app)
    try {
      const frozen = this.#frozenApps()
      for (const appId of dirty) this.#plan(appId, now, frozen)
      this.#progressDeployments()
      this.#reviveOrSuppress()
    } finally {
      const end = performance.now()
      this.#lastTick = {end, cost: end - started}
    }
  }

  /**
   * Apps a deployment step not yet reached holds (for each deployment, the apps of its steps after
   * the current one). Made once per tick: asking each deployment about each planned app was
   * quadratic with a thousand apps deploying at once.
   */
  #frozenApps(): Set<string> {
    const frozen = new Set<string>()
    for (const d of this.#deps.state.deployments.values())
      for (let i = d.done + 1; i < d.steps.length; i++) for (const a of d.steps[i].actions) frozen.add(a.app)
    return frozen
  }

  #plan(appId: string, now: number, frozen: Set<string>): void {
    const {state} = this.#deps
    const app = state.apps.get(appId)
    const tasks = this.tracker.ofApp(appId)
    if (!app && tasks.length === 0) {
      this.#wanted.delete(appId)
      this.#waiting.delete(appId)
      this.#plans.delete(appId)
      this.queue.forget(appId)
      return
    }
    const checks = app?.healthChecks?.length ?? 0
    const configVersion = app?.versionInfo?.lastConfigChangeAt ?? app?.version
    const planTasks: PlanTask[] = tasks.map((t) => ({
      id: t.id,
      current: t.configVersion === configVersion,
      phase: isTerminal(t.state) ? 'terminal' : t.state === 'TASK_RUNNING' ? 'running' : 'staging',
      killing: t.killRequestedAt !== undefined,
      healthy: t.state === 'TASK_RUNNING' && (checks === 0 || isHealthy(t, checks)),
      unhealthy: isUnhealthy(t),
      ready: t.ready,
      stagedAt: Date.parse(t.stagedAt),
      resident: t.reservation !== undefined && !t.reservation.releasing,
    }))
    const plan = planApp({
      instances: app?.instances ?? 0,
      minimumHealthCapacity: app?.upgradeStrategy.minimumHealthCapacity ?? 1,
      maximumOverCapacity: app?.upgradeStrategy.maximumOverCapacity ?? 1,
      killSelection: app?.killSelection ?? 'YOUNGEST_FIRST',
      resident: app ? isResident(app) : false,
      tasks: planTasks,
      mode: !app ? 'delete' : frozen.has(appId) ? 'frozen' : 'run',
    })
    this.#plans.set(appId, plan)
    for (const id of plan.release) {
      const t = this.tracker.get(id)
      if (t?.reservation && !t.reservation.releasing) this.#giveUp(t)
    }
    for (const k of plan.kill) {
      const t = this.tracker.get(k.id)
      if (t) this.#kill(t, k.reason)
    }
    const total = plan.launch + plan.relaunch.length
    this.queue.waiting(appId, total, now)
    if (!app || total === 0) {
      this.#wanted.delete(appId)
      this.#waiting.delete(appId)
      return
    }
    const delay = this.queue.delay(appId, configVersion!, now)
    this.#waiting.set(appId, {count: total, ...(delay && {delay})})
    if (delay) {
      this.#wanted.delete(appId)
      if (!this.#backoffTimers.has(appId)) {
        const timer = setTimeout(() => {
          this.#backoffTimers.delete(appId)
          this.markDirty([appId])
        }, Math.max(1, delay.until - now))
        timer.unref()
        this.#backoffTimers.set(appId, timer)
      }
      return
    }
    const secrets = this.#secrets.readiness(app)
    if (!secrets.ready) {
      // Launches wait for the values (planned again when they arrive); a problem is shown in /v2/queue.
      this.#wanted.delete(appId)
      if (secrets.problem) this.#waiting.set(appId, {count: total, blocked: secrets.problem})
      return
    }
    this.#wanted.set(appId, {count: plan.launch, relaunch: plan.relaunch})
  }

  #actionDone(action: {action: string; app: string}): boolean {
    const {state} = this.#deps
    switch (action.action) {
      case 'StartApplication':
        return true
      case 'StopApplication':
        return state.apps.has(action.app) || this.tracker.ofApp(action.app).length === 0
      default:
        return !state.apps.has(action.app) || this.#plans.get(action.app)?.satisfied === true
    }
  }

  #progressDeployments(): void {
    const {state} = this.#deps
    for (const d of [...state.deployments.values()]) {
      if (this.#advancing.has(d.id)) continue
      if (!currentActions(d).every((a) => this.#actionDone(a))) continue
      this.#advancing.add(d.id)
      state.stepDone(d).then(
        () => {
          this.#advancing.delete(d.id)
          this.markDirty(d.affectedApps)
        },
        (error: unknown) => {
          this.#advancing.delete(d.id)
          this.#log.error(`deployment ${d.id}: ${(error as Error).message}`)
        },
      )
    }
  }

  #demand(): number {
    let demand = 0
    for (const w of this.#wanted.values()) demand += w.count + w.relaunch.length
    for (const t of this.#releasing) if (isTerminal(t.state)) demand++
    return demand
  }

  #reviveOrSuppress(): void {
    if (!this.#driver?.subscribed) return
    const demand = this.#demand()
    if (demand > 0 && (this.#suppressed || demand > this.#lastDemand)) {
      this.#suppressed = false
      this.#driver.revive().catch((e: unknown) => this.#log.warn(`REVIVE failed: ${(e as Error).message}`))
    } else if (demand === 0 && !this.#suppressed) {
      this.#suppressed = true
      this.#driver.suppress().catch((e: unknown) => this.#log.warn(`SUPPRESS failed: ${(e as Error).message}`))
    }
    this.#lastDemand = demand
  }

  // --- killing ------------------------------------------------------------------------------

  #kill(task: Task, reason: KillReason, force = false): void {
    const now = this.#deps.now()
    if (!isActive(task)) return
    if (!force && task.killRequestedAt !== undefined && now - task.killRequestedAt < KILL_RETRY_MS) return
    task.killRequestedAt = now
    task.killReason = reason
    this.#deps.state.revision++
    if (!this.#driver?.subscribed) return
    const app = this.#deps.state.appVersion(task.appId, task.version) ?? this.#deps.state.apps.get(task.appId)
    const policy: KillPolicy | undefined =
      app?.taskKillGracePeriodSeconds !== undefined ? {grace_period: {nanoseconds: app.taskKillGracePeriodSeconds * 1e9}} : undefined
    this.#call(() => this.#driver.kill(task.id, task.agentId, policy))
  }

  /** Kill calls, at most KILL_CONCURRENCY at a time. */
  #call(fn: () => Promise<void>): void {
    if (this.#killsInFlight >= KILL_CONCURRENCY) {
      this.#killBacklog.push(fn)
      return
    }
    this.#killsInFlight++
    fn()
      .catch((e: unknown) => this.#log.warn(`KILL failed: ${(e as Error).message}`))
      .finally(() => {
        this.#killsInFlight--
        const next = this.#killBacklog.shift()
        if (next) this.#call(next)
      })
  }

  // --- driver events ------------------------------------------------------------------------

  #onSubscribed(info: SubscribedInfo): void {
    if (info.frameworkId !== this.#frameworkId) {
      this.#frameworkId = info.frameworkId
      this.#deps.storage.setFrameworkId(info.frameworkId).catch((e: unknown) => this.#log.error(`storing the framework id: ${(e as Error).message}`))
    }
    this.#deps.events.publish(info.resubscribed ? 'scheduler_reregistered_event' : 'scheduler_registered_event', {
      frameworkId: info.frameworkId,
      master: this.#opts.masterUrl,
    })
    // The master forgets SUPPRESS across subscriptions.
    this.#suppressed = false
    this.#lastDemand = 0
    this.#reconcile(true)
    const now = this.#deps.now()
    for (const t of this.tracker.all()) {
      if (t.killRequestedAt !== undefined && isActive(t)) {
        t.killRequestedAt = undefined
        this.#kill(t, t.killReason ?? 'user')
      }
      if (t.state === 'TASK_RUNNING') this.#startChecks(t)
    }
    this.#lastFullReconcile = now
    this.markDirty([...this.#deps.state.apps.keys(), ...this.tracker.appIds()])
  }

  /** Explicit reconciliation of the active tasks we know, then (with `all`) implicit of everything. */
  #reconcile(all: boolean, only?: Task[]): void {
    const known = (only ?? [...this.tracker.all()]).filter(isActive)
    if (known.length > 0)
      this.#driver.reconcile(known.map((t) => ({taskId: t.id, agentId: t.agentId}))).catch((e: unknown) => this.#log.warn(`RECONCILE failed: ${(e as Error).message}`))
    if (all) this.#driver.reconcile([]).catch((e: unknown) => this.#log.warn(`RECONCILE failed: ${(e as Error).message}`))
  }

  #maintain(): void {
    if (!this.#driver?.subscribed) return
    const now = this.#deps.now()
    const stale: Task[] = []
    for (const t of this.tracker.all()) {
      if (!isActive(t)) continue
      if (t.killRequestedAt !== undefined && now - t.killRequestedAt >= KILL_RETRY_MS) this.#kill(t, t.killReason ?? 'user')
      else if ((t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING') && now - Date.parse(t.stagedAt) >= STAGING_RECONCILE_MS) {
        if (now - Date.parse(t.stagedAt) >= STAGING_RECONCILE_MS * 10) this.#kill(t, 'orphan')
        else stale.push(t)
      }
    }
    const all = now - this.#lastFullReconcile >= RECONCILE_ALL_MS
    if (all) this.#lastFullReconcile = now
    if (stale.length || all) this.#reconcile(all, stale)
    // Offers to release reservations come while there is demand for them.
    this.#reviveOrSuppress()
  }

  #onOffers(offers: Offer[]): void {
    const remaining: Offer[] = []
    for (const offer of offers) {
      if (!this.#release(offer)) remaining.push(offer)
    }
    if (remaining.length === 0) return
    if (this.#wanted.size === 0) {
      this.#decline(remaining, this.#opts.declineOfferSeconds)
      return
    }
    const {state} = this.#deps
    const requests: LaunchRequest[] = []
    for (const [appId, w] of this.#wanted) {
      const app = state.apps.get(appId)
      if (!app) continue
      const relaunch = w.relaunch.flatMap((id) => {
        const t = this.tracker.get(id)
        return t?.reservation ? [{taskId: t.id, reservation: t.reservation}] : []
      })
      const placed = this.tracker.ofApp(appId).filter(isActive).map((t) => ({hostname: t.host, attributes: t.attributes}))
      requests.push({app, count: w.count, relaunch, placed})
    }
    const views: OfferView[] = remaining.map((o) => ({
      id: o.id.value,
      agentId: o.agent_id.value,
      hostname: o.hostname,
      attributes: o.attributes ?? [],
      resources: o.resources,
      role: o.allocation_info?.role ?? o.resources.find((r) => r.allocation_info)?.allocation_info?.role ?? '*',
    }))
    const frameworkId = this.#frameworkId ?? ''
    const result = matchOffers(views, requests, {
      maxPerOffer: this.#opts.maxInstancesPerOffer,
      principal: this.#opts.principal,
      reservationLabels: (instanceId) => ({
        labels: [
          {key: 'marathon_framework_id', value: frameworkId},
          {key: 'marathon_task_id', value: instanceId},
        ],
      }),
      newInstanceId: (app) => newInstanceId(app.id),
    })
    const now = this.#deps.now()
    const viewOf = new Map(views.map((v) => [v.id, v]))
    for (const v of result.verdicts) this.queue.offerSeen(v.appId, v.used, v.reasons, now, viewOf.get(v.offerId))
    const byOffer = new Map<string, PlannedLaunch[]>()
    for (const l of result.launches) byOffer.set(l.offerId, [...(byOffer.get(l.offerId) ?? []), l])
    const launchedApps = new Set<string>()
    for (const l of result.launches) {
      launchedApps.add(l.app.id)
      const w = this.#wanted.get(l.app.id)
      if (!w) continue
      if (l.relaunchOf) w.relaunch = w.relaunch.filter((id) => id !== l.relaunchOf)
      else w.count--
      if (w.count <= 0 && w.relaunch.length === 0) this.#wanted.delete(l.app.id)
    }
    const unused: Offer[] = []
    for (const offer of remaining) {
      const launches = byOffer.get(offer.id.value)
      if (launches) void this.#launch(offer, launches)
      else unused.push(offer)
    }
    if (unused.length) this.#decline(unused, this.#wanted.size > 0 ? this.#opts.declineWhileWaitingSeconds : this.#opts.declineOfferSeconds)
    if (launchedApps.size) this.markDirty(launchedApps)
  }

  /** Marks a resident instance as given up: once its task ended, its reservation is released. */
  #giveUp(task: Task): void {
    task.reservation!.releasing = true
    this.#releasing.add(task)
    void this.#deps.storage.putTask(record(task))
  }

  #decline(offers: Offer[], seconds: number): void {
    this.#driver
      .decline(
        offers.map((o) => o.id.value),
        {refuse_seconds: seconds},
      )
      .catch((e: unknown) => this.#log.warn(`DECLINE failed: ${(e as Error).message}`))
  }

  /**
   * Gives up the reservations of resident instances that are being released (scaled down,
   * wiped, their app deleted) once their task ended: DESTROY the volumes, UNRESERVE the rest.
   * True when the offer was used for that.
   */
  #release(offer: Offer): boolean {
    const releasing = [...this.#releasing].filter((t) => t.reservation!.agentId === offer.agent_id.value && isTerminal(t.state))
    if (releasing.length === 0) return false
    const operations: Operation[] = []
    const done: Task[] = []
    const offered = offer.resources.map(stripAllocation)
    for (const t of releasing) {
      const reserved = t.reservation!.resources.map(stripAllocation)
      if (!contains(offered, reserved)) continue
      const volumes = reserved.filter((r) => r.disk?.persistence)
      const plain = reserved.filter((r) => !r.disk?.persistence)
      const fromVolumes = volumes.map((v) => {
        const {disk: _d, ...rest} = v
        return rest as Resource
      })
      if (volumes.length) operations.push({type: 'DESTROY', destroy: {volumes}})
      operations.push({type: 'UNRESERVE', unreserve: {resources: [...plain, ...fromVolumes]}})
      done.push(t)
    }
    if (done.length === 0) return false
    this.#driver.accept([offer.id.value], operations, {refuse_seconds: 0}).then(
      () => {
        for (const t of done) {
          this.#releasing.delete(t)
          this.tracker.remove(t.id)
          void this.#deps.storage.deleteTask(t.id)
        }
        this.#deps.state.revision++
        this.markDirty(done.map((t) => t.appId))
      },
      (e: unknown) => this.#log.warn(`releasing reservations failed: ${(e as Error).message}`),
    )
    return true
  }

  async #launch(offer: Offer, launches: PlannedLaunch[]): Promise<void> {
    const {storage, state} = this.#deps
    const now = this.#deps.now()
    const operations: Operation[] = []
    const infos: TaskInfo[] = []
    const tasks: Task[] = []
    const writes: Promise<void>[] = []
    for (const l of launches) {
      const secrets = this.#secrets.readiness(l.app)
      // A secret gone since the launch was planned: not launched, the app is planned again.
      if (!secrets.ready) continue
      let instanceId: string
      let incarnation = 1
      let reservation: TaskReservation | undefined
      if (l.relaunchOf) {
        const prev = this.tracker.get(l.relaunchOf)
        if (!prev?.reservation) continue
        instanceId = prev.instanceId
        incarnation = prev.incarnation + 1
        reservation = prev.reservation
        this.tracker.remove(prev.id)
        writes.push(storage.deleteTask(prev.id))
      } else if (l.reserve) {
        instanceId = l.reserve.instanceId
        reservation = {
          agentId: l.agentId,
          resources: l.resources.map(stripAllocation),
          volumeIds: l.reserve.volumes.flatMap((v) => (v.disk?.persistence?.id ? [v.disk.persistence.id] : [])),
        }
        operations.push({type: 'RESERVE', reserve: {resources: l.reserve.resources}}, {type: 'CREATE', create: {volumes: l.reserve.volumes}})
      } else instanceId = newInstanceId(l.app.id)
      const taskId = taskIdOf(instanceId, incarnation)
      const task: Task = {
        id: taskId,
        instanceId,
        appId: l.app.id,
        incarnation,
        agentId: l.agentId,
        host: l.placement.hostname,
        attributes: l.placement.attributes,
        ports: l.hostPorts,
        servicePorts: l.app.portDefinitions.map((d) => d.port),
        state: 'TASK_STAGING',
        stagedAt: new Date(now).toISOString(),
        version: l.app.version,
        configVersion: l.app.versionInfo?.lastConfigChangeAt ?? l.app.version,
        role: l.app.role,
        ...(reservation && {reservation}),
        health: [],
        ready: !l.app.readinessChecks?.length,
      }
      this.tracker.add(task)
      tasks.push(task)
      writes.push(storage.putTask(record(task)))
      infos.push(buildTaskInfo(l.app, l, taskId, secrets.values))
    }
    if (infos.length === 0) {
      // Nothing left to launch (a secret went away): the offer goes back at once.
      this.#decline([offer], 1)
      return
    }
    operations.push({type: 'LAUNCH', launch: {task_infos: infos}})
    state.revision++
    try {
      await Promise.all(writes)
      await this.#driver.accept([offer.id.value], operations, {refuse_seconds: 0})
    } catch (error) {
      this.#log.warn(`launching ${infos.length} task(s) on ${offer.hostname} failed: ${(error as Error).message}`)
      for (const t of tasks) {
        if (this.tracker.get(t.id) === t && t.state === 'TASK_STAGING')
          this.#applyStatus(t, {task_id: {value: t.id}, state: 'TASK_DROPPED', message: `the launch was not sent: ${(error as Error).message}`})
      }
    }
  }

  #onUpdate(status: TaskStatus): void {
    const taskId = status.task_id.value
    const task = this.tracker.get(taskId)
    if (!task) {
      if (!isTerminal(status.state) && this.#driver?.subscribed) {
        this.#log.info(`killing task ${taskId}: Marathon does not know it (its app is gone)`)
        this.#call(() => this.#driver.kill(taskId, status.agent_id?.value))
      }
      this.#ack(status, Promise.resolve())
      return
    }
    this.#ack(status, this.#applyStatus(task, status))
  }

  #ack(status: TaskStatus, persisted: Promise<void>): void {
    if (!status.uuid) return
    // Unstored, the update is not acknowledged: the agent sends it again.
    persisted.then(
      () => {
        if (this.#driver?.subscribed) this.#driver.acknowledge(status).catch((e: unknown) => this.#log.warn(`ACKNOWLEDGE failed: ${(e as Error).message}`))
      },
      (e: unknown) => this.#log.error(`storing task ${status.task_id.value}: ${(e as Error).message}`),
    )
  }

  /** Applies a status to a known task; resolves once what must be durable is. */
  #applyStatus(task: Task, status: TaskStatus): Promise<void> {
    const {state, storage, events} = this.#deps
    const now = this.#deps.now()
    const previous = task.state
    const next = status.state
    // A late update of a task already over (a duplicate, or reconciliation) changes nothing.
    if (isTerminal(previous) && task.reservation) return Promise.resolve()
    task.state = next
    if (status.message) task.message = status.message
    if (next === 'TASK_RUNNING' && !task.startedAt) task.startedAt = new Date(status.timestamp ? status.timestamp * 1000 : now).toISOString()
    state.revision++
    let persisted: Promise<void> = Promise.resolve()
    const app = state.apps.get(task.appId)
    if (isTerminal(next)) {
      this.health.stop(task.id)
      const killedByUs = task.killRequestedAt !== undefined && task.killReason !== 'unhealthy'
      // A launch the master never saw (Marathon stopped between storing and sending it) is no failure of the app.
      const neverLaunched = status.reason === 'REASON_RECONCILIATION' && previous === 'TASK_STAGING'
      if (app && !killedByUs && !neverLaunched && (FAILURES.has(next) || task.killReason === 'unhealthy')) {
        this.queue.failed(app, task.configVersion, now)
        if (next !== 'TASK_FINISHED')
          void state.setFailure({
            appId: task.appId,
            host: task.host,
            message: status.message ?? '',
            state: next,
            taskId: task.id,
            timestamp: new Date(now).toISOString(),
            version: task.version,
            slaveId: task.agentId,
          })
      }
      task.killRequestedAt = undefined
      if (task.reservation) {
        // A resident instance outlives its task: relaunched on its reservation, or released.
        if (!app && !task.reservation.releasing) this.#giveUp(task)
        persisted = storage.putTask(record(task))
      } else {
        this.tracker.remove(task.id)
        persisted = storage.deleteTask(task.id)
      }
    } else if (next !== previous && (next === 'TASK_RUNNING' || previous === 'TASK_STAGING')) {
      persisted = storage.putTask(record(task))
    }
    if (next !== previous || status.message) {
      events.publish('status_update_event', {
        slaveId: task.agentId,
        taskId: task.id,
        taskStatus: next,
        message: status.message ?? '',
        appId: task.appId,
        host: task.host,
        ipAddresses: [{ipAddress: task.host, protocol: 'IPv4'}],
        ports: task.ports,
        version: task.version,
      })
      events.publish('instance_changed_event', {
        instanceId: task.instanceId,
        condition: CONDITIONS[next] ?? 'Unknown',
        runSpecId: task.appId,
        agentId: task.agentId,
        host: task.host,
        runSpecVersion: task.version,
      })
    }
    if (next === 'TASK_RUNNING') this.#startChecks(task)
    this.markDirty([task.appId])
    return persisted
  }

  // --- health -------------------------------------------------------------------------------

  #startChecks(task: Task): void {
    const app = this.#deps.state.appVersion(task.appId, task.version) ?? this.#deps.state.apps.get(task.appId)
    if (!app) return
    const readiness = app.readinessChecks?.[0]
    if (!app.healthChecks?.length && (!readiness || task.ready)) return
    const env = taskEnvironment(app, {taskId: task.id, host: task.host, hostPorts: task.ports})
    this.health.start(task, app.healthChecks ?? [], readiness, app.portDefinitions.map((d) => d.name), env)
  }

  #onHealth(task: Task, index: number, alive: boolean, before: boolean | undefined): void {
    const {state, events} = this.#deps
    state.revision++
    if (alive === before) return
    const app = state.apps.get(task.appId)
    events.publish('health_status_changed_event', {appId: task.appId, instanceId: task.instanceId, version: task.version, alive})
    events.publish('instance_health_changed_event', {instanceId: task.instanceId, runSpecId: task.appId, healthy: alive, runSpecVersion: task.version})
    if (!alive && app?.healthChecks?.[index]) events.publish('failed_health_check_event', {appId: task.appId, taskId: task.instanceId, healthCheck: app.healthChecks[index]})
    this.markDirty([task.appId])
  }

  #onUnhealthy(task: Task, cause: string): void {
    if (!isActive(task) || task.killRequestedAt !== undefined) return
    this.#log.info(`killing unhealthy task ${task.id}: ${cause}`)
    this.#deps.events.publish('unhealthy_instance_kill_event', {
      appId: task.appId,
      taskId: task.id,
      instanceId: task.instanceId,
      version: task.version,
      reason: cause,
      host: task.host,
      slaveId: task.agentId,
    })
    this.#kill(task, 'unhealthy')
  }

  #onReadiness(task: Task, result: ReadinessResult): void {
    task.readiness = result
    this.#deps.state.revision++
    if (result.ready && !task.ready) {
      task.ready = true
      void this.#deps.storage.putTask(record(task))
      const app = this.#deps.state.apps.get(task.appId)
      if (!app?.healthChecks?.length) this.health.stop(task.id)
      this.markDirty([task.appId])
    }
  }
}

function stripAllocation(r: Resource): Resource {
  const {allocation_info: _a, ...rest} = r
  return rest
}
