/**
 * ACCEPT as a pure plan (Mesos `Master::_accept`): the operations are applied in order to the
 * pool of offered resources. RESERVE, UNRESERVE, CREATE and DESTROY convert resources in the
 * pool (and, once applied, on the agent); LAUNCH consumes them. An invalid LAUNCH turns into a
 * TASK_ERROR with the Mesos message; an invalid conversion is dropped. What is left over goes
 * back to the allocator.
 */
import type {Operation, Resource, TaskInfo} from '../../mesos/types'
import {add, allocate, contains, isPersistentVolume, reservationRole, subtract, unallocate} from '../../mesos/resources'
import {formatResources, normalize, popReservation, withoutVolume} from './resource-format'

export interface AcceptInput {
  agentId: string
  /** The role the offers were allocated to. */
  role: string
  /** The offered resources, without allocation_info, in post-refinement form. */
  pool: Resource[]
  /** Persistent volume ids already on the agent. */
  volumeIds: ReadonlySet<string>
  /** Why a task id cannot be used by this framework (active or unreachable duplicate), if so. */
  taskIdConflict: (taskId: string) => string | undefined
  /** Mesos-style id validation; returns the problem, if any. */
  idProblem: (taskId: string) => string | undefined
}

/** A reservation or volume change: `consumed` becomes `converted` on the agent. */
export interface Conversion {
  operation: Operation
  consumed: Resource[]
  converted: Resource[]
}

export type InvalidReason = 'REASON_TASK_INVALID' | 'REASON_TASK_GROUP_INVALID'

export interface AcceptPlan {
  conversions: Conversion[]
  /** Valid tasks; resources normalized and tagged with the allocation role. */
  launches: TaskInfo[]
  invalid: {task: TaskInfo; reason: InvalidReason; message: string}[]
  dropped: {operation: Operation; message: string}[]
  remaining: Resource[]
}

export function planAccept(input: AcceptInput, operations: Operation[]): AcceptPlan {
  const plan: AcceptPlan = {conversions: [], launches: [], invalid: [], dropped: [], remaining: input.pool}
  const launched = new Set<string>()
  const created = new Set<string>()
  for (const operation of operations) {
    switch (operation.type) {
      case 'LAUNCH':
        for (const task of operation.launch?.task_infos ?? []) {
          const problem = taskProblem(input, plan.remaining, task, launched)
          if (problem) {
            plan.invalid.push({task, reason: 'REASON_TASK_INVALID', message: problem})
            continue
          }
          const resources = task.resources.map((r) => normalize(unallocate([r])[0]))
          plan.remaining = subtract(plan.remaining, resources)
          launched.add(task.task_id.value)
          plan.launches.push({...task, resources: allocate(resources, input.role)})
        }
        break
      case 'LAUNCH_GROUP': {
        for (const task of groupTasks(operation))
          plan.invalid.push({task, reason: 'REASON_TASK_GROUP_INVALID', message: 'Task groups (LAUNCH_GROUP) are not supported by this master'})
        break
      }
      case 'RESERVE':
      case 'UNRESERVE':
      case 'CREATE':
      case 'DESTROY': {
        const result = conversion(input, plan.remaining, operation, created)
        if (typeof result === 'string') {
          plan.dropped.push({operation, message: `Operation attempted with invalid resources: ${result}`})
          continue
        }
        plan.remaining = add(subtract(plan.remaining, result.consumed), result.converted)
        plan.conversions.push(result)
        break
      }
      default:
        plan.dropped.push({operation, message: `Operation ${operation.type} is not supported by this master`})
    }
  }
  return plan
}

/** The tasks of a LAUNCH_GROUP operation (not modelled in the shared types: we only refuse them). */
export function groupTasks(operation: Operation): TaskInfo[] {
  return (operation as {launch_group?: {task_group?: {tasks?: TaskInfo[]}}}).launch_group?.task_group?.tasks ?? []
}

function conversion(input: AcceptInput, pool: Resource[], operation: Operation, created: Set<string>): Conversion | string {
  const items = (
    operation.reserve?.resources ??
    operation.unreserve?.resources ??
    operation.create?.volumes ??
    operation.destroy?.volumes ??
    []
  ).map((r) => normalize(unallocate([r])[0]))
  if (items.length === 0) return `${operation.type} names no resources`
  for (const r of items) {
    const role = reservationRole(r)
    if (operation.type !== 'CREATE' && operation.type !== 'DESTROY') {
      if (role === '*') return `${formatResources([r])} is not reserved`
      if (r.reservations?.[r.reservations.length - 1]?.type === 'STATIC') return `${formatResources([r])} is a static reservation`
    }
    if (role !== '*' && role !== input.role)
      return `${formatResources([r])} is reserved for role '${role}' but the offers are allocated to role '${input.role}'`
  }
  let consumed: Resource[]
  let converted: Resource[]
  switch (operation.type) {
    case 'RESERVE':
      consumed = items.map(popReservation)
      converted = items
      break
    case 'UNRESERVE': {
      const volume = items.find(isPersistentVolume)
      if (volume) return `persistent volume ${formatResources([volume])} must be destroyed before it is unreserved`
      consumed = items
      converted = items.map(popReservation)
      break
    }
    case 'CREATE':
      for (const r of items) {
        const id = r.disk?.persistence?.id
        if (r.name !== 'disk' || !id || !r.disk?.volume) return `${formatResources([r])} is not a persistent volume (needs 'disk.persistence.id' and 'disk.volume')`
        if (reservationRole(r) === '*') return `persistent volume '${id}' cannot be created from unreserved resources`
        if (input.volumeIds.has(id) || created.has(id)) return `persistent volume id '${id}' is already in use on agent ${input.agentId}`
      }
      for (const r of items) created.add(r.disk!.persistence!.id)
      consumed = items.map(withoutVolume)
      converted = items
      break
    default:
      if (!items.every(isPersistentVolume)) return 'DESTROY takes persistent volumes only'
      consumed = items
      converted = items.map(withoutVolume)
  }
  if (!contains(pool, consumed)) return `${formatResources(consumed)} not in the offered resources ${formatResources(pool)}`
  return {operation, consumed, converted}
}

function taskProblem(input: AcceptInput, pool: Resource[], task: TaskInfo, launched: Set<string>): string | undefined {
  const id = task.task_id.value
  const idProblem = input.idProblem(id)
  if (idProblem) return idProblem
  if (launched.has(id)) return `Task has duplicate ID: ${id}`
  const conflict = input.taskIdConflict(id)
  if (conflict) return conflict
  if (task.agent_id.value !== input.agentId) return `Task uses invalid agent ${task.agent_id.value} while agent ${input.agentId} is expected`
  if ((task.kill_policy?.grace_period?.nanoseconds ?? 0) < 0) return "Task's 'kill_policy.grace_period' must be non-negative"
  if ((task.max_completion_time?.nanoseconds ?? 0) < 0) return "Task's `max_completion_time` must be non-negative"
  if (task.resources.length === 0) return 'Task uses no resources'
  for (const r of task.resources) {
    const problem = resourceProblem(r)
    if (problem) return `Task uses invalid resources: ${problem}`
    const allocated = r.allocation_info?.role
    if (allocated !== undefined && allocated !== input.role)
      return `Invalid task resources: ${formatResources([r])} is allocated to role '${allocated}' but the offers are allocated to role '${input.role}'`
  }
  if (!!task.command === !!task.executor) return 'Task should have at least one (but not both) of CommandInfo or ExecutorInfo present'
  if (task.executor) return "Custom executors ('TaskInfo.executor') are not supported by this master; use 'TaskInfo.command'"
  if (!task.command?.value) return task.command?.shell === false ? 'Executable of the command is not specified' : 'Shell command is not specified'
  if (task.container?.type === 'DOCKER' || (task.container?.mesos as {image?: unknown} | undefined)?.image)
    return 'Container images are not supported by this cluster (no container engine); run the task as a command'
  const resources = task.resources.map((r) => normalize(unallocate([r])[0]))
  if (!contains(pool, resources))
    return `Total resources ${formatResources(allocate(resources, input.role))} required by task and its executor is more than available ${formatResources(allocate(pool, input.role))}`
  return undefined
}

/** Mesos `resource::validate`: values a resource can carry but must not. */
function resourceProblem(r: Resource): string | undefined {
  if (r.type === 'SCALAR' && (r.scalar?.value ?? 0) < 0) return `negative scalar for '${r.name}'`
  if (r.type === 'RANGES' && (r.ranges?.range ?? []).some((x) => x.begin > x.end || x.begin < 0))
    return `invalid range for '${r.name}'`
  return undefined
}
