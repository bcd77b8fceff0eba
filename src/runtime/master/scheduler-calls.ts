/**
 * The scheduler calls other than SUBSCRIBE and TEARDOWN (Mesos `Master::accept`, `decline`,
 * `revive`, `suppress`, `kill`, `acknowledge`, `reconcile`). Each runs after the framework and
 * its stream id were checked, and answers 202 whatever it finds: problems reach the framework as
 * status updates, as with Mesos.
 */
import type {Call, Filters, KillPolicy, Resource, TaskState, TaskStatus} from '../../mesos/types'
import {add, subtract, unallocate} from '../../mesos/resources'
import {redactSecrets} from '../../mesos/secrets'
import {checkId} from '../http'
import {groupTasks, planAccept, type Conversion} from './accept'
import {AgentCallError} from './agent-client'
import type {Master} from './master'
import {frameworkRoles, isPartitionAware, type AgentEntry, type FrameworkEntry, type OfferEntry, type TaskEntry} from './model'
import {normalize} from './resource-format'
import {masterStatus, reconciliationStatus} from './statuses'

/** Mesos `Filters.refuse_seconds`: default 5 s, negative means the default, at most 365 days. */
export function refuseMs(filters: Filters | undefined): number {
  const seconds = filters?.refuse_seconds
  if (seconds === undefined || seconds < 0) return 5000
  return Math.min(seconds, 365 * 24 * 3600) * 1000
}

function addFilter(master: Master, framework: FrameworkEntry, offer: {agentId: string; role: string}, resources: Resource[], filters?: Filters): void {
  const ms = refuseMs(filters)
  if (ms <= 0 || resources.length === 0) return
  framework.filters.push({agentId: offer.agentId, role: offer.role, resources, expiresAt: master.now() + ms})
}

/** The state a failed launch is reported in: TASK_DROPPED for partition-aware frameworks. */
const lostOrDropped = (framework: FrameworkEntry): TaskState => (isPartitionAware(framework) ? 'TASK_DROPPED' : 'TASK_LOST')

function offersError(master: Master, framework: FrameworkEntry, ids: string[]): string | OfferEntry[] {
  if (ids.length === 0) return 'No offers specified'
  const offers: OfferEntry[] = []
  for (const id of ids) {
    if (offers.some((o) => o.id === id)) return `Duplicate offer ${id} in offer list`
    const offer = master.state.offers.get(id)
    if (!offer) return `Offer ${id} is no longer valid`
    if (offer.frameworkId !== framework.id)
      return `Offer ${id} has invalid framework ${offer.frameworkId} while framework ${framework.id} is expected`
    const first = offers[0]
    if (first && first.role !== offer.role)
      return `Aggregated offers must be allocated to the same role. Offer ${id} uses role '${offer.role}' but another is using role '${first.role}'`
    if (first && first.agentId !== offer.agentId)
      return `Aggregated offers must belong to one single agent. Offer ${id} uses agent ${offer.agentId} and agent ${first.agentId}`
    offers.push(offer)
  }
  return offers
}

export function accept(master: Master, framework: FrameworkEntry, call: NonNullable<Call['accept']>): void {
  const {state} = master
  const now = master.now()
  const ids = call.offer_ids.map((o) => o.value)
  const launches = call.operations.flatMap((op) =>
    op.type === 'LAUNCH' ? (op.launch?.task_infos ?? []) : op.type === 'LAUNCH_GROUP' ? groupTasks(op) : [],
  )
  const offers = offersError(master, framework, ids)
  const agent = typeof offers === 'string' ? undefined : state.agents.get(offers[0].agentId)
  if (typeof offers === 'string' || agent?.status !== 'registered') {
    const message = typeof offers === 'string' ? `Task launched with invalid offers: ${offers}` : 'Agent disconnected'
    const reason = typeof offers === 'string' ? 'REASON_INVALID_OFFERS' : 'REASON_AGENT_DISCONNECTED'
    for (const id of ids) {
      const offer = state.offers.get(id)
      if (offer?.frameworkId === framework.id) master.removeOffer(offer, false)
    }
    master.log.warn(`ACCEPT of framework ${framework.id} used invalid offers: ${message}`)
    for (const task of launches) {
      const state = lostOrDropped(framework)
      master.countTransition(state)
      master.forward(framework, masterStatus({taskId: task.task_id.value, agentId: task.agent_id.value, state, reason, message, now}))
    }
    return
  }
  const {agentId, role} = offers[0]
  const pool = offers.flatMap((o) => unallocate(o.resources).map(normalize))
  for (const offer of offers) master.removeOffer(offer, false)
  const plan = planAccept(
    {
      agentId,
      role,
      pool,
      volumeIds: new Set(agent.total.flatMap((r) => (r.disk?.persistence?.id ? [r.disk.persistence.id] : []))),
      taskIdConflict: (id) =>
        framework.tasks.has(id)
          ? `Task has duplicate ID: ${id}`
          : framework.unreachableTasks.has(id)
            ? `Task reuses the ID of an unreachable task: ${id}`
            : undefined,
      idProblem: (id) => {
        try {
          checkId('TaskID', id)
          return undefined
        } catch (e) {
          return (e as Error).message
        }
      },
    },
    call.operations,
  )
  for (const {task, reason, message} of plan.invalid) {
    master.countTransition('TASK_ERROR')
    master.forward(framework, masterStatus({taskId: task.task_id.value, agentId: task.agent_id.value, state: 'TASK_ERROR', reason, message, now}))
  }
  for (const {operation, message} of plan.dropped) master.log.warn(`framework ${framework.id}: dropped ${operation.type}: ${message}`)
  if (plan.conversions.length) applyConversions(master, agent, plan.conversions)
  for (const info of plan.launches) launch(master, framework, agent, info, role)
  addFilter(master, framework, {agentId, role}, plan.remaining, call.filters)
  state.touch()
  master.requestAllocation()
}

/** RESERVE/UNRESERVE/CREATE/DESTROY: applied to the master's view now, checkpointed by the agent. */
function applyConversions(master: Master, agent: AgentEntry, conversions: Conversion[]): void {
  const operations = conversions.map(({operation, consumed, converted}) => {
    agent.total = add(subtract(agent.total, consumed), converted)
    switch (operation.type) {
      case 'RESERVE':
        return {type: 'RESERVE' as const, reserve: {resources: converted}}
      case 'UNRESERVE':
        return {type: 'UNRESERVE' as const, unreserve: {resources: consumed}}
      case 'CREATE':
        return {type: 'CREATE' as const, create: {volumes: converted}}
      default:
        return {type: 'DESTROY' as const, destroy: {volumes: consumed}}
    }
  })
  master.state.touch()
  master.saveAgent(agent).catch((e) => master.log.error(`registry: ${(e as Error).message}`))
  // The master's view is already updated; an agent that fails to apply reports its real
  // resources when it re-registers.
  void master.tellAgent(agent, 'apply_operations', {operations})
}

function launch(master: Master, framework: FrameworkEntry, agent: AgentEntry, info: TaskEntry['info'], role: string): void {
  // The master keeps (and serves) the task without its secrets; only the agent gets them.
  const task: TaskEntry = {
    info: redactSecrets(info),
    frameworkId: framework.id,
    agentId: agent.id,
    role,
    state: 'TASK_STAGING',
    statuses: [],
    appliedUuids: [],
    delivered: false,
  }
  master.state.addTask(framework, agent, task)
  master.agentClient.post(agent, 'run_task', {framework_info: framework.info, task: info}).then(
    () => {
      task.delivered = true
    },
    (error: unknown) => {
      const failure = error instanceof AgentCallError ? error : new AgentCallError(String(error), 'timeout')
      master.log.warn(`agent ${agent.id}: run_task ${info.task_id.value} failed: ${failure.message}`)
      // A timed-out launch may still have started: the agent reports it, or reconciliation finds out.
      if (failure.failure === 'timeout' || task.state !== 'TASK_STAGING' || framework.tasks.get(info.task_id.value) !== task) return
      const status = masterStatus({
        taskId: info.task_id.value,
        agentId: agent.id,
        ...launchFailure(framework, failure),
        message: `Agent ${agent.id} did not take the task: ${failure.message}`,
        now: master.now(),
      })
      master.updateTask(framework, task, status)
      master.forward(framework, status)
    },
  )
}

/** How a launch the agent did not take is reported: refused as invalid, failed, or never delivered. */
function launchFailure(framework: FrameworkEntry, failure: AgentCallError): {state: TaskState; reason: string} {
  const status = failure.status ?? 0
  if (failure.failure === 'rejected' && status >= 400 && status < 500) return {state: 'TASK_ERROR', reason: 'REASON_TASK_INVALID'}
  if (failure.failure === 'rejected' && status !== 503) return {state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED'}
  return {state: lostOrDropped(framework), reason: 'REASON_AGENT_DISCONNECTED'}
}

export function decline(master: Master, framework: FrameworkEntry, call: NonNullable<Call['decline']>): void {
  for (const {value} of call.offer_ids) {
    const offer = master.state.offers.get(value)
    if (!offer || offer.frameworkId !== framework.id) {
      master.log.warn(`framework ${framework.id} declined unknown offer ${value}`)
      continue
    }
    addFilter(master, framework, offer, unallocate(offer.resources), call.filters)
    master.removeOffer(offer, false)
  }
}

function callRoles(framework: FrameworkEntry, body: {roles?: string[]; role?: string} | undefined): string[] {
  if (body?.roles?.length) return body.roles
  if (body?.role) return [body.role]
  return frameworkRoles(framework.info)
}

/** REVIVE: drops the filters of the roles and unsuppresses them; offers follow right away. */
export function revive(master: Master, framework: FrameworkEntry, body: Call['revive']): void {
  const roles = new Set(callRoles(framework, body))
  framework.filters = framework.filters.filter((f) => !roles.has(f.role))
  for (const role of roles) framework.suppressedRoles.delete(role)
  master.state.touch()
  master.requestAllocation()
}

/** SUPPRESS: no more offers for the roles until REVIVE (outstanding offers stay). */
export function suppress(master: Master, framework: FrameworkEntry, body: Call['suppress']): void {
  for (const role of callRoles(framework, body)) framework.suppressedRoles.add(role)
  master.state.touch()
}

/** KILL: forwarded to the task's agent; an unknown task is reconciled instead (TASK_LOST et al.). */
export function kill(master: Master, framework: FrameworkEntry, call: NonNullable<Call['kill']>): void {
  const taskId = call.task_id.value
  const task = framework.tasks.get(taskId)
  if (!task) {
    reconcile(master, framework, [{task_id: call.task_id, agent_id: call.agent_id}])
    return
  }
  if (call.agent_id && call.agent_id.value !== task.agentId) {
    master.log.warn(`cannot kill task ${taskId} of agent ${call.agent_id.value}: it runs on agent ${task.agentId}`)
    return
  }
  const agent = master.state.agents.get(task.agentId)
  if (agent?.status !== 'registered') {
    master.log.warn(`cannot kill task ${taskId} now: agent ${task.agentId} is not connected`)
    return
  }
  const body: {framework_id: string; task_id: string; kill_policy?: KillPolicy} = {framework_id: framework.id, task_id: taskId}
  if (call.kill_policy) body.kill_policy = call.kill_policy
  void master.tellAgent(agent, 'kill_task', body)
}

/** ACKNOWLEDGE: relayed to the agent, whose status update manager waits for it. */
export function acknowledge(master: Master, framework: FrameworkEntry, call: NonNullable<Call['acknowledge']>): void {
  const agent = master.state.agents.get(call.agent_id.value)
  if (agent?.status !== 'registered') {
    master.log.warn(`cannot relay acknowledgement of task ${call.task_id.value}: agent ${call.agent_id.value} is not connected`)
    return
  }
  master.counters.validAcknowledgements++
  void master.tellAgent(agent, 'ack', {framework_id: framework.id, task_id: call.task_id.value, uuid: call.uuid})
}

/**
 * RECONCILE. Implicit (no tasks): the latest state of every known task. Explicit: a known task's
 * latest state; otherwise, by what is known of its agent, TASK_GONE / TASK_UNREACHABLE /
 * TASK_UNKNOWN for partition-aware frameworks and TASK_LOST for the others; nothing while the
 * agent may still re-register after a master restart.
 */
export function reconcile(master: Master, framework: FrameworkEntry, tasks: {task_id: {value: string}; agent_id?: {value: string}}[]): void {
  const now = master.now()
  if (tasks.length === 0) {
    for (const task of framework.tasks.values()) master.forward(framework, reconciliationStatus(task, now))
    return
  }
  const aware = isPartitionAware(framework)
  const recovering = [...master.state.agents.values()].some((a) => a.status === 'recovered')
  for (const t of tasks) {
    const taskId = t.task_id.value
    const known = framework.tasks.get(taskId) ?? findCompleted(framework, taskId)
    if (known) {
      master.forward(framework, reconciliationStatus(known, now))
      continue
    }
    const unreachable = framework.unreachableTasks.get(taskId)
    const agentId = t.agent_id?.value ?? unreachable?.agentId
    const agent = agentId ? master.state.agents.get(agentId) : undefined
    if (agent?.status === 'recovered' || (!agentId && recovering)) continue
    let status: TaskStatus
    if (agent?.status === 'registered')
      status = masterStatus({taskId, agentId, state: aware ? 'TASK_GONE' : 'TASK_LOST', reason: 'REASON_RECONCILIATION', message: 'Reconciliation: Task is unknown to the agent', now})
    else if (agent?.status === 'unreachable')
      status = masterStatus({
        taskId,
        agentId,
        state: aware ? 'TASK_UNREACHABLE' : 'TASK_LOST',
        reason: 'REASON_RECONCILIATION',
        message: 'Reconciliation: Task is unreachable',
        now,
        unreachableSince: agent.unreachableSince,
      })
    else status = masterStatus({taskId, agentId, state: aware ? 'TASK_UNKNOWN' : 'TASK_LOST', reason: 'REASON_RECONCILIATION', message: 'Reconciliation: Task is unknown', now})
    master.forward(framework, status)
  }
}

function findCompleted(framework: FrameworkEntry, taskId: string): TaskEntry | undefined {
  for (let i = framework.completedTasks.length - 1; i >= 0; i--)
    if (framework.completedTasks[i].info.task_id.value === taskId) return framework.completedTasks[i]
  return undefined
}
