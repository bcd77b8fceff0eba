/**
 * The master core: the model, event delivery to schedulers, task transitions, offers and the
 * allocation loop, the registry, and the timer that expires filters, failovers and silent
 * agents. Framework and agent lifecycles (frameworks.ts, agents.ts) and the scheduler calls
 * (scheduler-calls.ts) are written against the primitives here; this class is the one writer.
 *
 * Offers go out when demand or supply changes (`requestAllocation`, coalesced over
 * `offerBatchMs`) and on the periodic tick, which also lets expired filters lapse.
 */
import type {MasterConfig} from '../config'
import {DCOS_VERSION, MESOS_VERSION} from '../config'
import type {Logger} from '../log'
import type {Event, MasterInfo, Offer, Resource, TaskState, TaskStatus} from '../../mesos/types'
import {add, allocate as tagAllocation} from '../../mesos/resources'
import {AgentCallError, type AgentClient} from './agent-client'
import {allocate, type AllocatorFramework} from './allocator'
import {
  frameworkRoles,
  hasCapability,
  isConnected,
  MasterState,
  newAgent,
  newFramework,
  type AgentEntry,
  type FrameworkEntry,
  type OfferEntry,
  type TaskEntry,
} from './model'
import type {Registry} from './registry'
import {toPreRefinement} from './resource-format'
import {applyStatus} from './statuses'

export interface MasterDeps {
  config: MasterConfig
  log: Logger
  /** Epoch ms. */
  now: () => number
  registry: Registry
  agentClient: AgentClient
}

/** Cumulative counters behind /metrics/snapshot. */
export interface MasterCounters {
  allocationRuns: number
  lastAllocationRunMs: number
  validStatusUpdates: number
  invalidStatusUpdates: number
  validAcknowledgements: number
  /** Transitions into each terminal (or unreachable) state. */
  transitions: Partial<Record<TaskState, number>>
}

/** A check the periodic tick runs (agent liveness, framework failovers), from the lifecycle modules. */
export type MasterTick = (master: Master, now: number) => void

export class Master {
  readonly config: MasterConfig
  readonly log: Logger
  readonly now: () => number
  readonly registry: Registry
  readonly agentClient: AgentClient
  readonly state = new MasterState()
  /** Epoch ms this master process started (and was elected: it is the only one). */
  readonly startTime: number
  readonly counters: MasterCounters = {
    allocationRuns: 0,
    lastAllocationRunMs: 0,
    validStatusUpdates: 0,
    invalidStatusUpdates: 0,
    validAcknowledgements: 0,
    transitions: {},
  }
  #host = ''
  #port = 0
  #batch?: NodeJS.Timeout
  #tick?: NodeJS.Timeout
  #closed = false

  constructor(deps: MasterDeps) {
    this.config = deps.config
    this.log = deps.log
    this.now = deps.now
    this.registry = deps.registry
    this.agentClient = deps.agentClient
    this.startTime = deps.now()
  }

  get id(): string {
    return this.registry.masterId
  }

  setAddress(host: string, port: number): void {
    this.#host = host
    this.#port = port
  }

  get host(): string {
    return this.#host
  }

  get port(): number {
    return this.#port
  }

  /** libprocess pid: `master@host:port`. */
  get pid(): string {
    return `master@${this.#host}:${this.#port}`
  }

  get info(): MasterInfo & {capabilities: {type: string}[]} {
    return {
      id: this.id,
      ip: ipAsNumber(this.#host),
      port: this.#port,
      pid: this.pid,
      hostname: this.#host,
      version: MESOS_VERSION,
      address: {hostname: this.#host, ip: this.#host, port: this.#port},
      capabilities: [{type: 'AGENT_UPDATE'}, {type: 'AGENT_DRAINING'}, {type: 'QUOTA_V2'}],
    }
  }

  /** The grace a framework or agent known from the registry gets to come back after a restart. */
  get recoveryGraceMs(): number {
    return this.config.agentUnreachableTimeoutMs
  }

  // ---- recovery and lifecycle ----

  /** Loads the registry: agents become `recovered` until they re-register; frameworks inactive. */
  recover(): void {
    const start = this.startTime
    for (const rec of this.registry.agents()) {
      this.state.agents.set(
        rec.id,
        newAgent({
          id: rec.id,
          info: rec.info,
          url: rec.url,
          version: rec.version,
          total: rec.resources,
          registeredTime: rec.registered_time,
          status: 'recovered',
          lastSeen: start,
        }),
      )
    }
    for (const rec of this.registry.frameworks()) {
      const framework = newFramework(rec.info, rec.registered_time, true)
      framework.failoverDeadline = start + Math.max((rec.info.failover_timeout ?? 0) * 1000, this.recoveryGraceMs)
      this.state.frameworks.set(framework.id, framework)
    }
    this.state.touch()
    this.log.info(
      `master ${this.id} recovered ${this.state.agents.size} agent(s) and ${this.state.frameworks.size} framework(s) from the registry`,
    )
  }

  /** Starts the periodic tick; `hooks` run on it (liveness, failovers) before the allocation. */
  start(hooks: MasterTick[]): void {
    const every = Math.max(5, this.config.allocationIntervalMs)
    this.#tick = setInterval(
      () =>
        this.#guard('tick', () => {
          const now = this.now()
          for (const hook of hooks) hook(this, now)
          this.#expireFilters(now)
          this.allocateNow()
        }),
      every,
    )
    this.#tick.unref()
  }

  /** Stopping: streams that end from now on are not framework disconnections. */
  get closing(): boolean {
    return this.#closed
  }

  /** Stops timers and subscription streams; the registry stays open for the caller to close last. */
  stop(): void {
    this.#closed = true
    clearInterval(this.#tick)
    clearTimeout(this.#batch)
    for (const framework of this.state.frameworks.values()) framework.stream?.close()
    this.agentClient.close()
  }

  // ---- events to schedulers ----

  send(framework: FrameworkEntry, event: Event): void {
    framework.stream?.send(event)
  }

  /** Sends a status update to the framework if it is connected (Mesos drops it otherwise). */
  forward(framework: FrameworkEntry, status: TaskStatus): void {
    this.send(framework, {type: 'UPDATE', update: {status}})
  }

  // ---- tasks ----

  /**
   * Applies a status to a known task; a task that became terminal is completed and its
   * resources go back to the allocator.
   */
  updateTask(framework: FrameworkEntry, task: TaskEntry, status: TaskStatus): void {
    const before = task.state
    const terminal = applyStatus(task, status)
    if (task.state !== before) this.countTransition(task.state)
    if (terminal) {
      this.state.completeTask(framework, task)
      this.requestAllocation()
    } else this.state.touch()
  }

  /** Counts a task reaching a state (tasks the master never tracked too, e.g. invalid launches). */
  countTransition(state: TaskState): void {
    this.counters.transitions[state] = (this.counters.transitions[state] ?? 0) + 1
  }

  // ---- offers and allocation ----

  /** Demand or supply changed: offers go out after the batching window. */
  requestAllocation(): void {
    if (this.#batch || this.#closed) return
    this.#batch = setTimeout(() => this.#guard('allocation', () => this.allocateNow()), Math.max(0, this.config.offerBatchMs))
  }

  /** Timer work must never take the process down: a bug there is logged, and the next run retries. */
  #guard(what: string, fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.log.error(`${what}: ${(error as Error)?.stack ?? error}`)
    }
  }

  allocateNow(): void {
    clearTimeout(this.#batch)
    this.#batch = undefined
    if (this.#closed) return
    const started = performance.now()
    const agents = shuffle([...this.state.agents.values()])
    let total: Resource[] = []
    for (const a of agents) if (a.status === 'registered') total = add(total, a.total)
    const frameworks: AllocatorFramework[] = [...this.state.frameworks.values()].map((f) => {
      const allocated: Record<string, Resource[]> = {}
      for (const role of new Set([...f.usedByRole.keys(), ...f.offeredByRole.keys()]))
        allocated[role] = add(f.usedByRole.get(role) ?? [], f.offeredByRole.get(role) ?? [])
      return {
        id: f.id,
        roles: frameworkRoles(f.info),
        active: isConnected(f),
        suppressedRoles: [...f.suppressedRoles],
        allocated,
        allocations: f.allocations,
        filters: f.filters,
      }
    })
    const planned = allocate({
      // Only registered agents are offered: what the others have is not worth working out.
      agents: agents.map((a) => ({id: a.id, available: a.status === 'registered' ? this.state.available(a) : [], reachable: a.status === 'registered'})),
      frameworks,
      weights: this.config.weights ?? {},
      total,
      now: this.now(),
    })
    const byFramework = new Map<FrameworkEntry, Offer[]>()
    for (const p of planned) {
      const framework = this.state.frameworks.get(p.frameworkId)!
      const agent = this.state.agents.get(p.agentId)!
      const offer: OfferEntry = {
        id: this.registry.nextOfferId(),
        frameworkId: p.frameworkId,
        agentId: p.agentId,
        role: p.role,
        resources: tagAllocation(p.resources, p.role),
      }
      this.state.addOffer(framework, agent, offer)
      const list = byFramework.get(framework) ?? []
      list.push(this.offerJson(framework, agent, offer))
      byFramework.set(framework, list)
    }
    for (const [framework, offers] of byFramework) this.send(framework, {type: 'OFFERS', offers: {offers}})
    this.counters.allocationRuns++
    this.counters.lastAllocationRunMs = performance.now() - started
  }

  /** The v1 `Offer` as this framework reads it (pre-refinement resources unless it opted in). */
  offerJson(framework: FrameworkEntry, agent: AgentEntry, offer: OfferEntry): Offer {
    const refinement = hasCapability(framework.info, 'RESERVATION_REFINEMENT')
    const url = agentAddress(agent)
    return {
      id: {value: offer.id},
      framework_id: {value: offer.frameworkId},
      agent_id: {value: offer.agentId},
      hostname: agent.info.hostname,
      url: {scheme: 'http', address: {hostname: agent.info.hostname, ip: url.ip, port: url.port}, path: '/slave(1)'},
      resources: refinement ? offer.resources : offer.resources.map(toPreRefinement),
      attributes: agent.info.attributes ?? [],
      executor_ids: [],
      allocation_info: {role: offer.role},
    }
  }

  /** Withdraws an offer; `rescind` tells the framework (RESCIND). Its resources are free again. */
  removeOffer(offer: OfferEntry, rescind: boolean): void {
    if (!this.state.offers.has(offer.id)) return
    this.state.removeOffer(offer)
    if (rescind) {
      const framework = this.state.frameworks.get(offer.frameworkId)
      if (framework) this.send(framework, {type: 'RESCIND', rescind: {offer_id: {value: offer.id}}})
    }
    this.requestAllocation()
  }

  #expireFilters(now: number): void {
    for (const f of this.state.frameworks.values()) {
      if (f.filters.some((x) => x.expiresAt <= now)) f.filters = f.filters.filter((x) => x.expiresAt > now)
    }
  }

  // ---- agents ----

  /** Calls an agent, logging (not throwing) failures; for calls whose loss the protocol tolerates. */
  async tellAgent(agent: AgentEntry, path: string, body: unknown): Promise<boolean> {
    try {
      await this.agentClient.post(agent, path, body)
      return true
    } catch (error) {
      const detail = error instanceof AgentCallError ? error.message : String(error)
      this.log.warn(`agent ${agent.id} (${agent.url}): ${path} failed: ${detail}`)
      return false
    }
  }

  saveAgent(agent: AgentEntry): Promise<void> {
    return this.registry.putAgent({
      id: agent.id,
      info: agent.info,
      url: agent.url,
      version: agent.version,
      resources: agent.total,
      registered_time: agent.registeredTime,
    })
  }

  saveFramework(framework: FrameworkEntry): Promise<void> {
    return this.registry.putFramework({info: framework.info, registered_time: framework.registeredTime})
  }

  /**
   * Build fields shared by /master/state and /version. Bundles carry no compile-time stamp, so
   * the process start stands in for the build date.
   */
  get build(): {build_date: string; build_time: number; build_user: string; git_tag: string} {
    const started = new Date(this.startTime)
    return {
      build_date: started.toISOString().replace('T', ' ').slice(0, 19),
      build_time: Math.floor(this.startTime / 1000),
      build_user: 'dcos',
      git_tag: `dcos-${DCOS_VERSION}`,
    }
  }
}

/** The IP and port an agent serves on, from its URL (the libprocess pid uses them). */
export function agentAddress(agent: AgentEntry): {ip: string; port: number} {
  try {
    const url = new URL(agent.url)
    return {ip: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || agent.info.port}
  } catch {
    return {ip: agent.info.hostname, port: agent.info.port}
  }
}

/** MasterInfo.ip: the IPv4 address as a 32-bit integer in network byte order, read little-endian. */
function ipAsNumber(host: string): number {
  const parts = host.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return 0
  return (parts[0] | (parts[1] << 8) | (parts[2] << 16) | (parts[3] << 24)) >>> 0
}

/** Mesos shuffles agents each allocation run so that no agent is always offered first. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}
