/**
 * Chronos as a Mesos framework: the shell around ./schedule and ./core. It owns the jobs, the
 * runs in flight and the dependency marks, keeps them in a Store (meant to live on a persistent
 * volume, so a relaunched Chronos finds them), and drives the shared v1 driver:
 *
 *   a schedule comes due (one timer, set to the earliest due time) → a run is queued (stored) →
 *   REVIVE → an offer that fits its cpus/mem/disk and constraints (./offers) → the run is stored
 *   as launched, then ACCEPTed as the task `ct:<due>:<attempt>:<job>:<args>` → TASK_FINISHED:
 *   success, counters, children; TASK_FAILED/LOST: a retry after `failureRetryMs`, or the failure
 *   recorded (children run anyway with softError); TASK_KILLED/ERROR: the run just ends.
 *
 * Status updates are acknowledged once what they changed is on disk. The framework id is stored
 * too, and the framework registers with a failover timeout, so a relaunched Chronos re-subscribes
 * as the same framework, keeps its running tasks and reconciles them.
 */
import {resubscribeOnError, SchedulerDriver, type SubscribedInfo} from '../../mesos/driver'
import {isTerminal, type CommandInfo, type Offer, type Resource, type TaskInfo, type TaskStatus} from '../../mesos/types'
import type {Store} from '../../runtime/store'
import {silentLogger, type Logger} from '../../runtime/log'
import {checkGraph, childrenOf, parentSucceeded, parseTaskId, recordFailure, recordSuccess, shellCommand, taskIdOf, terminalOutcome, type CurrentState, type ParentMarks, type Run} from './core'
import {JobError, epsilonMs, isDependent, type Job} from './job'
import {matchOffers} from './offers'
import {stepSchedule} from './schedule'

export interface ChronosOptions {
  masterUrl: string
  frameworkName: string
  hostname: string
  user: string
  role: string
  principal?: string
  failoverTimeoutSeconds: number
  /** Delay before a failed run is retried (`--failure_retry`). */
  failureRetryMs: number
  /** Failures in a row that disable a job; 0 never (`--disable_after_failures`). */
  disableAfterFailures: number
  /** How long unused offers are refused (`--decline_offer_duration`). */
  declineOfferMs: number
  /** Headers for every call to the master (Authorization), asked for anew each time. */
  headers?: () => Record<string, string>
  reconnect?: {minMs: number; maxMs: number}
}

export interface ChronosDeps {
  store: Store
  options: ChronosOptions
  log?: Logger
  now?: () => number
}

export type RunState = 'waiting' | 'queued' | 'launched' | 'running'

/** A run in flight, as stored: waiting (a retry's delay), queued for an offer, launched, running. */
export interface RunRecord extends Run {
  taskId: string
  state: RunState
  /** Waiting runs are queued at this time. */
  notBeforeMs?: number
  agentId?: string
}

const NS_JOBS = 'jobs'
const NS_RUNS = 'runs'
const NS_META = 'meta'
/** Longest a timer may be set for (setTimeout's limit); the schedule is looked at again then. */
const MAX_TIMER_MS = 2 ** 31 - 1
/** Stored runs of a job that the master never confirmed are reconciled again this often. */
const RECONCILE_MS = 60_000

export class ChronosScheduler {
  readonly #store: Store
  readonly #opts: ChronosOptions
  /** The API's URL: the framework's webui_url, where the gateway's /service/<name>/ points. */
  #webuiUrl = ''
  readonly #log: Logger
  readonly #now: () => number
  readonly #jobs = new Map<string, Job>()
  readonly #runs = new Map<string, RunRecord>()
  #marks: ParentMarks = {}
  #frameworkId?: string
  #driver?: SchedulerDriver
  #timer?: NodeJS.Timeout
  #reconcileTimer?: NodeJS.Timeout
  #suppressed = false
  #stopped = false

  constructor(deps: ChronosDeps) {
    this.#store = deps.store
    this.#opts = deps.options
    this.#log = deps.log ?? silentLogger
    this.#now = deps.now ?? Date.now
    for (const [name, job] of this.#store.list<Job>(NS_JOBS)) this.#jobs.set(name, job)
    for (const [id, run] of this.#store.list<RunRecord>(NS_RUNS)) this.#runs.set(id, run)
    this.#marks = this.#store.get<ParentMarks>(NS_META, 'marks') ?? {}
    this.#frameworkId = this.#store.get<string>(NS_META, 'frameworkId')
  }

  get frameworkId(): string | undefined {
    return this.#frameworkId
  }

  get connected(): boolean {
    return this.#driver?.subscribed ?? false
  }

  get jobs(): ReadonlyMap<string, Job> {
    return this.#jobs
  }

  get runs(): RunRecord[] {
    return [...this.#runs.values()]
  }

  /** Subscribes, with `webuiUrl` (the API's URL, known once it listens) as the framework's UI. */
  start(webuiUrl: string): void {
    this.#webuiUrl = webuiUrl
    this.#driver = this.#newDriver()
    this.#driver.start()
    this.#reconcileTimer = setInterval(() => this.#reconcile(), RECONCILE_MS)
    this.#reconcileTimer.unref()
    this.#wake()
  }

  /** Closes the subscription without tearing down: a relaunched Chronos fails over to it. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    clearInterval(this.#reconcileTimer)
    await this.#driver?.stop({failover: true})
  }

  // ---- what the API does ----

  /** Creates or replaces a job; a replaced job keeps its counters unless the body set them. */
  async putJob(job: Job, given: ReadonlySet<string>): Promise<void> {
    const old = this.#jobs.get(job.name)
    const merged: Job = {...job}
    if (old) {
      for (const key of ['successCount', 'errorCount', 'lastSuccess', 'lastError', 'errorsSinceLastSuccess'] as const) {
        if (!given.has(key)) (merged as unknown as Record<string, unknown>)[key] = old[key]
      }
    }
    checkGraph(this.#jobs, merged)
    this.#jobs.set(job.name, merged)
    if (this.#marks[job.name] && !isDependent(merged)) {
      delete this.#marks[job.name]
      await this.#store.put(NS_META, 'marks', this.#marks)
    }
    await this.#store.put(NS_JOBS, job.name, merged)
    this.#wake()
  }

  /**
   * Deletes a job and kills its tasks. A child left without parents becomes a scheduled job
   * that does not run again (R0) rather than one that suddenly runs on its own.
   */
  async deleteJob(name: string): Promise<void> {
    const job = this.#need(name)
    const writes: Promise<void>[] = []
    for (const child of childrenOf(this.#jobs, name)) {
      const parents = child.parents!.filter((p) => p !== name)
      const {parents: _gone, ...rest} = child
      const next: Job = parents.length > 0 ? {...child, parents} : {...rest, schedule: `R0/${new Date(this.#now()).toISOString()}/PT24H`, scheduleTimeZone: ''}
      this.#jobs.set(child.name, next)
      writes.push(this.#store.put(NS_JOBS, child.name, next))
    }
    this.#jobs.delete(job.name)
    delete this.#marks[name]
    for (const m of Object.values(this.#marks)) if (m.includes(name)) m.splice(m.indexOf(name), 1)
    writes.push(this.#store.delete(NS_JOBS, name), this.#store.put(NS_META, 'marks', this.#marks))
    await Promise.all(writes)
    await this.killTasks(name)
  }

  /** Runs a job now (attempt 0), with extra arguments. */
  async runNow(name: string, args: string[]): Promise<string> {
    this.#need(name)
    return this.#enqueue({job: name, dueMs: this.#now(), attempt: 0, args})
  }

  /** Kills a job's tasks and drops its queued and waiting runs. */
  async killTasks(name: string): Promise<void> {
    const writes: Promise<void>[] = []
    for (const run of [...this.#runs.values()].filter((r) => r.job === name)) {
      if (run.state === 'launched' || run.state === 'running') {
        if (this.#driver?.subscribed) this.#driver.kill(run.taskId, run.agentId).catch((e: Error) => this.#log.warn(`KILL ${run.taskId} failed: ${e.message}`))
      } else {
        this.#runs.delete(run.taskId)
        writes.push(this.#store.delete(NS_RUNS, run.taskId))
      }
    }
    await Promise.all(writes)
  }

  /** 3.x `PUT job/success/<name>`: counts a success as if a run had finished, triggering children. */
  async markSuccess(name: string): Promise<void> {
    this.#need(name)
    await this.#succeeded(name)
  }

  currentState(name: string): CurrentState {
    let state: CurrentState = 'idle'
    for (const r of this.#runs.values()) {
      if (r.job !== name) continue
      if (r.state === 'running' || r.state === 'launched') return 'running'
      state = 'queued'
    }
    return state
  }

  #need(name: string): Job {
    const job = this.#jobs.get(name)
    if (!job) throw new JobError(`Job '${name}' not found`)
    return job
  }

  // ---- schedules and runs ----

  /** Dispatches what is due, skips what was missed, and sets the one timer to the next due time. */
  #wake(): void {
    if (this.#stopped) return
    clearTimeout(this.#timer)
    const now = this.#now()
    let next = Infinity
    for (const job of [...this.#jobs.values()]) {
      if (isDependent(job) || job.disabled || job.schedule === undefined) continue
      let step
      try {
        step = stepSchedule(job.schedule, job.scheduleTimeZone ?? '', epsilonMs(job), now)
      } catch (error) {
        this.#log.warn(`job '${job.name}': ${(error as Error).message}`)
        continue
      }
      if (step.schedule !== job.schedule) {
        const updated = {...job, schedule: step.schedule}
        this.#jobs.set(job.name, updated)
        this.#persist(this.#store.put(NS_JOBS, job.name, updated), `store job '${job.name}'`)
      }
      if (step.kind === 'run') {
        void this.#enqueue({job: job.name, dueMs: step.dueMs, attempt: 0, args: []})
        if (step.nextAtMs !== undefined) next = Math.min(next, step.nextAtMs)
      } else if (step.kind === 'wait') next = Math.min(next, step.atMs)
    }
    for (const run of this.#runs.values()) {
      if (run.state !== 'waiting') continue
      if ((run.notBeforeMs ?? 0) <= now) this.#setRun({...run, state: 'queued'})
      else next = Math.min(next, run.notBeforeMs!)
    }
    this.#demandChanged()
    if (next !== Infinity) {
      this.#timer = setTimeout(() => this.#wake(), Math.min(MAX_TIMER_MS, Math.max(0, next - this.#now())))
      this.#timer.unref?.()
    }
  }

  async #enqueue(run: Run, notBeforeMs?: number): Promise<string> {
    const taskId = taskIdOf(run)
    if (this.#runs.has(taskId)) return taskId
    const waiting = notBeforeMs !== undefined && notBeforeMs > this.#now()
    const record: RunRecord = {...run, taskId, state: waiting ? 'waiting' : 'queued', ...(waiting && {notBeforeMs})}
    await this.#setRun(record)
    if (run.attempt === 0) await this.#clearMarks(run.job)
    if (waiting) this.#wake()
    else this.#demandChanged()
    return taskId
  }

  async #clearMarks(name: string): Promise<void> {
    if (!this.#marks[name]) return
    delete this.#marks[name]
    await this.#store.put(NS_META, 'marks', this.#marks)
  }

  #setRun(run: RunRecord): Promise<void> {
    this.#runs.set(run.taskId, run)
    const write = this.#store.put(NS_RUNS, run.taskId, run)
    this.#persist(write, `store run ${run.taskId}`)
    return write
  }

  #dropRun(taskId: string): Promise<void> {
    this.#runs.delete(taskId)
    return this.#store.delete(NS_RUNS, taskId)
  }

  #persist(write: Promise<void>, what: string): void {
    write.catch((e: Error) => this.#log.error(`could not ${what}: ${e.message}`))
  }

  /** REVIVE when runs wait for offers, SUPPRESS when none do. */
  #demandChanged(): void {
    const d = this.#driver
    if (!d?.subscribed) return
    const demand = [...this.#runs.values()].some((r) => r.state === 'queued')
    if (demand && this.#suppressed) {
      this.#suppressed = false
      d.revive().catch((e: Error) => this.#log.warn(`REVIVE failed: ${e.message}`))
    } else if (!demand && !this.#suppressed) {
      this.#suppressed = true
      d.suppress().catch((e: Error) => this.#log.warn(`SUPPRESS failed: ${e.message}`))
    }
  }

  // ---- the driver ----

  #newDriver(): SchedulerDriver {
    const o = this.#opts
    const driver = new SchedulerDriver({
      masterUrl: o.masterUrl,
      ...(o.headers && {headers: o.headers}),
      log: this.#log,
      ...(o.reconnect && {backoff: o.reconnect}),
      frameworkInfo: {
        user: o.user,
        name: o.frameworkName,
        ...(this.#frameworkId && {id: {value: this.#frameworkId}}),
        failover_timeout: o.failoverTimeoutSeconds,
        checkpoint: true,
        roles: [o.role],
        ...(o.principal && {principal: o.principal}),
        hostname: o.hostname,
        webui_url: this.#webuiUrl,
        capabilities: [{type: 'MULTI_ROLE'}, {type: 'TASK_KILLING_STATE'}],
      },
    })
    driver.on('subscribed', (info) => this.#guard('subscribed', () => this.#onSubscribed(info)))
    driver.on('offers', (offers) => this.#guard('offers', () => this.#onOffers(offers)))
    driver.on('update', (status) => this.#guard('update', () => this.#onUpdate(status)))
    resubscribeOnError(driver, {
      name: 'Chronos',
      log: this.#log,
      stopped: () => this.#stopped,
      removed: () => {
        this.#frameworkId = undefined
        this.#persist(this.#store.delete(NS_META, 'frameworkId'), 'forget the framework id')
      },
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

  #onSubscribed(info: SubscribedInfo): void {
    if (info.frameworkId !== this.#frameworkId) {
      this.#frameworkId = info.frameworkId
      this.#persist(this.#store.put(NS_META, 'frameworkId', info.frameworkId), 'store the framework id')
    }
    this.#log.info(`subscribed as ${info.frameworkId}${info.resubscribed ? ' (failover)' : ''}; ${this.#jobs.size} job(s), ${this.#runs.size} run(s) in flight`)
    this.#suppressed = false
    this.#reconcile()
    this.#demandChanged()
  }

  /** Asks the master about every run it was handed; launched runs it lost come back as TASK_LOST/UNKNOWN. */
  #reconcile(): void {
    const d = this.#driver
    if (!d?.subscribed) return
    const known = [...this.#runs.values()].filter((r) => r.state === 'launched' || r.state === 'running')
    if (known.length > 0)
      d.reconcile(known.map((r) => ({taskId: r.taskId, ...(r.agentId && {agentId: r.agentId})}))).catch((e: Error) => this.#log.warn(`RECONCILE failed: ${e.message}`))
  }

  #onOffers(offers: Offer[]): void {
    const d = this.#driver!
    const queued = [...this.#runs.values()].filter((r) => r.state === 'queued')
    const {placed, expired, unused} = matchOffers(offers, queued, this.#jobs, this.#opts.role)
    for (const run of expired) {
      this.#log.info(`${run.taskId} expired: its job was deleted or disabled`)
      this.#persist(this.#dropRun(run.taskId), `drop run ${run.taskId}`)
    }
    for (const offer of unused) d.decline([offer.id.value], {refuse_seconds: this.#opts.declineOfferMs / 1000}).catch(() => {})
    const byOffer = new Map<Offer, typeof placed>()
    for (const p of placed) byOffer.set(p.offer, [...(byOffer.get(p.offer) ?? []), p])
    for (const [offer, here] of byOffer) {
      const tasks: TaskInfo[] = here.map((p) => this.#taskInfo(p.job, p.run, offer, p.resources))
      const launched = here.map((p) => ({...p.run, state: 'launched' as const, agentId: offer.agent_id.value}))
      for (const r of launched) this.#runs.set(r.taskId, r)
      // Stored as launched before the ACCEPT goes out: a Chronos killed in between finds the
      // run, reconciles it, and retries it if the master never saw it.
      Promise.all(launched.map((r) => this.#setRun(r)))
        .then(() => d.accept([offer.id.value], [{type: 'LAUNCH', launch: {task_infos: tasks}}], {refuse_seconds: this.#opts.declineOfferMs / 1000}))
        .then(
          () => this.#log.info(`launched ${tasks.map((t) => t.task_id.value).join(', ')} on ${offer.agent_id.value}`),
          (e: Error) => {
            this.#log.warn(`ACCEPT of offer ${offer.id.value} failed: ${e.message}; the runs are queued again`)
            for (const r of launched) if (this.#runs.get(r.taskId)?.state === 'launched') void this.#setRun({...r, state: 'queued'})
            this.#demandChanged()
          },
        )
    }
    this.#demandChanged()
  }

  #taskInfo(job: Job, run: RunRecord, offer: Offer, resources: Resource[]): TaskInfo {
    const variables = [
      {name: 'mesos_task_id', value: run.taskId},
      {name: 'CHRONOS_JOB_OWNER', value: job.owner},
      {name: 'CHRONOS_JOB_NAME', value: job.name},
      {name: 'HOST', value: offer.hostname},
      {name: 'CHRONOS_RESOURCE_MEM', value: String(job.mem)},
      {name: 'CHRONOS_RESOURCE_CPU', value: String(job.cpus)},
      {name: 'CHRONOS_RESOURCE_DISK', value: String(job.disk)},
      ...job.environmentVariables,
    ].map((v) => ({name: v.name, type: 'VALUE' as const, value: v.value}))
    const command: CommandInfo = job.shell
      ? {shell: true, value: shellCommand(job, run.args)}
      : {shell: false, value: job.command, arguments: [job.command, ...job.arguments, ...run.args]}
    command.environment = {variables}
    if (job.uris.length > 0) command.uris = job.uris.map((value) => ({value}))
    if (job.runAsUser) command.user = job.runAsUser
    return {name: `ChronosTask:${job.name}`, task_id: {value: run.taskId}, agent_id: offer.agent_id, resources, command}
  }

  #onUpdate(status: TaskStatus): void {
    const taskId = status.task_id.value
    const run = this.#runs.get(taskId)
    const ack = () => {
      if (this.#driver?.subscribed) this.#driver.acknowledge(status).catch((e: Error) => this.#log.warn(`ACKNOWLEDGE failed: ${e.message}`))
    }
    if (!run) {
      // Not ours any more (a run already settled, or a deleted job's): nothing to record. A
      // live task of Chronos's we know nothing about is killed.
      if (!isTerminal(status.state) && parseTaskId(taskId) && this.#driver?.subscribed)
        this.#driver.kill(taskId, status.agent_id?.value).catch(() => {})
      ack()
      return
    }
    if (!isTerminal(status.state)) {
      const agentId = status.agent_id?.value ?? run.agentId
      const write = status.state === 'TASK_RUNNING' && run.state !== 'running' ? this.#setRun({...run, state: 'running', ...(agentId && {agentId})}) : Promise.resolve()
      write.then(ack, () => {})
      return
    }
    this.#settle(run, status).then(ack, (e: Error) => this.#log.error(`could not record the end of ${taskId}: ${e.message}`))
  }

  /** A run ended: counters, children, retries; everything stored before the update is acknowledged. */
  async #settle(run: RunRecord, status: TaskStatus): Promise<void> {
    const now = this.#now()
    await this.#dropRun(run.taskId)
    const job = this.#jobs.get(run.job)
    if (!job) return
    const outcome = terminalOutcome(status.state)
    if (outcome === 'success') {
      this.#log.info(`${run.taskId} finished`)
      await this.#succeeded(run.job)
      return
    }
    if (outcome === 'killed') {
      this.#log.info(`${run.taskId} was killed`)
      return
    }
    if (outcome === 'ignored') {
      this.#log.warn(`${run.taskId} ended ${status.state}${status.message ? `: ${status.message}` : ''}; not counted, not retried`)
      return
    }
    this.#log.info(`${run.taskId} ended ${status.state}${status.message ? `: ${status.message}` : ''}`)
    const failure = recordFailure(job, run.attempt, now, this.#opts.disableAfterFailures)
    if (failure.retry !== undefined) {
      await this.#enqueue({job: run.job, dueMs: run.dueMs, attempt: failure.retry, args: run.args}, now + this.#opts.failureRetryMs)
      return
    }
    await this.#saveJob(failure.job)
    if (failure.job.disabled && !job.disabled) this.#log.warn(`job '${job.name}' disabled after ${failure.job.errorsSinceLastSuccess} failures since its last success`)
    if (failure.runChildren) await this.#runChildren(run.job)
  }

  async #succeeded(name: string): Promise<void> {
    const job = this.#jobs.get(name)
    if (!job) return
    await this.#saveJob(recordSuccess(job, this.#now()))
    await this.#runChildren(name)
  }

  /** `parent` succeeded (or failed with softError): its children whose parents all did run. */
  async #runChildren(name: string): Promise<void> {
    const {marks, ready} = parentSucceeded(this.#jobs, this.#marks, name)
    this.#marks = marks
    await this.#store.put(NS_META, 'marks', marks)
    for (const child of ready) await this.#enqueue({job: child, dueMs: this.#now(), attempt: 0, args: []})
  }

  async #saveJob(job: Job): Promise<void> {
    this.#jobs.set(job.name, job)
    await this.#store.put(NS_JOBS, job.name, job)
  }
}
