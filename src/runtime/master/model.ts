/**
 * The master's in-memory model: agents, frameworks, their tasks and outstanding offers, with
 * resource accounting kept in step by the only mutators below. Every mutation bumps `version`,
 * which keys the cached state serialisations.
 */
import type {AgentInfo, FrameworkInfo, Resource, TaskInfo, TaskState, TaskStatus} from '../../mesos/types'
import {add, subtract, unallocate} from '../../mesos/resources'
import type {OfferFilter} from './allocator'
import type {SchedulerStream} from './stream'

/** Mesos `--max_completed_tasks_per_framework`, `--max_completed_frameworks`, and the unreachable cache. */
export const MAX_COMPLETED_TASKS = 1000
export const MAX_COMPLETED_FRAMEWORKS = 50
export const MAX_UNREACHABLE_TASKS = 1000

export interface TaskEntry {
  /** As launched; resources carry `allocation_info`. */
  info: TaskInfo
  frameworkId: string
  agentId: string
  role: string
  /** The latest state the master knows (not necessarily acknowledged). */
  state: TaskState
  /** Mesos semantics: a status of the same state as the last one replaces it; `data` is dropped. */
  statuses: TaskStatus[]
  /** uuids of agent updates already applied (the agent re-sends each until it is acknowledged). */
  appliedUuids: string[]
  /** The agent has it: run_task was answered, or the agent reported it. */
  delivered: boolean
}

export type AgentStatus = 'registered' | 'recovered' | 'unreachable'

export interface AgentEntry {
  id: string
  info: AgentInfo
  /** Base URL of the agent's HTTP API. */
  url: string
  /** The agent takes several calls in one request (CALL_BATCH); unknown (false) for an agent recovered from the registry until it re-registers. */
  batchCalls?: boolean
  version: string
  /** Total resources including reservations and persistent volumes (no allocation_info). */
  total: Resource[]
  /** Seconds since the epoch. */
  registeredTime: number
  reregisteredTime?: number
  /** `recovered`: known from the registry, not yet re-registered with this master process. */
  status: AgentStatus
  /** Epoch ms of the last registration or heartbeat. */
  lastSeen: number
  /** Epoch ms when it was marked unreachable. */
  unreachableSince?: number
  tasks: Set<TaskEntry>
  offers: Set<OfferEntry>
  used: Resource[]
  offered: Resource[]
}

export interface FrameworkEntry {
  id: string
  info: FrameworkInfo & {id: {value: string}}
  /** Seconds since the epoch. */
  registeredTime: number
  reregisteredTime: number
  unregisteredTime: number
  /** The open subscription; absent means disconnected. */
  stream?: SchedulerStream
  /** Known from the registry or an agent's report, not yet re-subscribed. */
  recovered: boolean
  /** Epoch ms after which a disconnected framework is removed. */
  failoverDeadline?: number
  suppressedRoles: Set<string>
  filters: OfferFilter[]
  tasks: Map<string, TaskEntry>
  unreachableTasks: Map<string, TaskEntry>
  completedTasks: TaskEntry[]
  offers: Set<OfferEntry>
  usedByRole: Map<string, Resource[]>
  offeredByRole: Map<string, Resource[]>
  /** Offers made so far, by role: the DRF tie-breaker. */
  allocations: Record<string, number>
}

export interface OfferEntry {
  id: string
  frameworkId: string
  agentId: string
  role: string
  /** As offered: with `allocation_info`. */
  resources: Resource[]
}

/** The roles a framework is allocated for: `roles` (MULTI_ROLE) or the legacy `role`. */
export function frameworkRoles(info: FrameworkInfo): string[] {
  return info.roles && info.roles.length > 0 ? [...info.roles] : [info.role ?? '*']
}

export function isMultiRole(info: FrameworkInfo): boolean {
  return hasCapability(info, 'MULTI_ROLE') || (info.roles?.length ?? 0) > 0
}

export function hasCapability(info: FrameworkInfo, type: string): boolean {
  return info.capabilities?.some((c) => c.type === type) ?? false
}

export function isPartitionAware(f: FrameworkEntry): boolean {
  return hasCapability(f.info, 'PARTITION_AWARE')
}

export function isConnected(f: FrameworkEntry): boolean {
  return f.stream !== undefined
}

export function newFramework(info: FrameworkEntry['info'], registeredTime: number, recovered: boolean): FrameworkEntry {
  return {
    id: info.id.value,
    info,
    registeredTime,
    reregisteredTime: registeredTime,
    unregisteredTime: 0,
    recovered,
    suppressedRoles: new Set(),
    filters: [],
    tasks: new Map(),
    unreachableTasks: new Map(),
    completedTasks: [],
    offers: new Set(),
    usedByRole: new Map(),
    offeredByRole: new Map(),
    allocations: {},
  }
}

export function newAgent(fields: Omit<AgentEntry, 'tasks' | 'offers' | 'used' | 'offered'>): AgentEntry {
  return {...fields, tasks: new Set(), offers: new Set(), used: [], offered: []}
}

function sumByRole(map: Map<string, Resource[]>, role: string, delta: Resource[], sign: 1 | -1): void {
  const next = sign > 0 ? add(map.get(role) ?? [], delta) : subtract(map.get(role) ?? [], delta)
  if (next.length) map.set(role, next)
  else map.delete(role)
}

export class MasterState {
  readonly agents = new Map<string, AgentEntry>()
  readonly frameworks = new Map<string, FrameworkEntry>()
  /** Removed frameworks, oldest first, capped at MAX_COMPLETED_FRAMEWORKS. */
  readonly completedFrameworks: FrameworkEntry[] = []
  readonly offers = new Map<string, OfferEntry>()
  #version = 0

  get version(): number {
    return this.#version
  }

  /** Marks the state changed: cached serialisations are stale from now on. */
  touch(): void {
    this.#version++
  }

  completedFramework(id: string): FrameworkEntry | undefined {
    return this.completedFrameworks.find((f) => f.id === id)
  }

  /** Available for offers: total minus used minus offered. */
  available(agent: AgentEntry): Resource[] {
    return subtract(subtract(agent.total, agent.used), agent.offered)
  }

  /** Adds a non-terminal task: it uses its resources on the agent from now on. */
  addTask(framework: FrameworkEntry, agent: AgentEntry, task: TaskEntry): void {
    const resources = unallocate(task.info.resources)
    framework.tasks.set(task.info.task_id.value, task)
    agent.tasks.add(task)
    agent.used = add(agent.used, resources)
    sumByRole(framework.usedByRole, task.role, resources, 1)
    this.touch()
  }

  #detach(framework: FrameworkEntry, task: TaskEntry): void {
    if (framework.tasks.get(task.info.task_id.value) !== task) return
    const resources = unallocate(task.info.resources)
    framework.tasks.delete(task.info.task_id.value)
    sumByRole(framework.usedByRole, task.role, resources, -1)
    const agent = this.agents.get(task.agentId)
    if (agent?.tasks.delete(task)) agent.used = subtract(agent.used, resources)
  }

  /** A task reached a terminal state: its resources are free again. */
  completeTask(framework: FrameworkEntry, task: TaskEntry): void {
    this.#detach(framework, task)
    framework.unreachableTasks.delete(task.info.task_id.value)
    framework.completedTasks.push(task)
    if (framework.completedTasks.length > MAX_COMPLETED_TASKS) framework.completedTasks.shift()
    this.touch()
  }

  /** Its agent became unreachable: the task leaves the books until the agent comes back. */
  makeUnreachable(framework: FrameworkEntry, task: TaskEntry): void {
    this.#detach(framework, task)
    framework.unreachableTasks.set(task.info.task_id.value, task)
    if (framework.unreachableTasks.size > MAX_UNREACHABLE_TASKS) {
      const oldest = framework.unreachableTasks.keys().next().value as string
      framework.unreachableTasks.delete(oldest)
    }
    this.touch()
  }

  /** Forgets any unreachable or completed record of a task id (it is about to be re-added). */
  forgetTask(framework: FrameworkEntry, taskId: string): void {
    framework.unreachableTasks.delete(taskId)
    const i = framework.completedTasks.findIndex((t) => t.info.task_id.value === taskId)
    if (i >= 0) framework.completedTasks.splice(i, 1)
  }

  addOffer(framework: FrameworkEntry, agent: AgentEntry, offer: OfferEntry): void {
    const resources = unallocate(offer.resources)
    this.offers.set(offer.id, offer)
    framework.offers.add(offer)
    agent.offers.add(offer)
    agent.offered = add(agent.offered, resources)
    sumByRole(framework.offeredByRole, offer.role, resources, 1)
    framework.allocations[offer.role] = (framework.allocations[offer.role] ?? 0) + 1
    this.touch()
  }

  removeOffer(offer: OfferEntry): void {
    if (!this.offers.delete(offer.id)) return
    const resources = unallocate(offer.resources)
    const framework = this.frameworks.get(offer.frameworkId)
    if (framework?.offers.delete(offer)) sumByRole(framework.offeredByRole, offer.role, resources, -1)
    const agent = this.agents.get(offer.agentId)
    if (agent?.offers.delete(offer)) agent.offered = subtract(agent.offered, resources)
    this.touch()
  }

  /** Moves a framework (already without tasks and offers) to the completed list. */
  completeFramework(framework: FrameworkEntry): void {
    this.frameworks.delete(framework.id)
    this.completedFrameworks.push(framework)
    if (this.completedFrameworks.length > MAX_COMPLETED_FRAMEWORKS) this.completedFrameworks.shift()
    this.touch()
  }
}
