/**
 * Task status bookkeeping with Mesos semantics (`Master::updateTask`,
 * `protobuf::createStatusUpdate`): how a status changes a task, and the statuses the master
 * itself creates (invalid launches, lost agents, reconciliation).
 */
import type {TaskState, TaskStatus} from '../../mesos/types'
import {isTerminal} from '../../mesos/types'
import type {TaskEntry} from './model'

/** How many applied update uuids a task remembers for de-duplication. */
const REMEMBERED_UUIDS = 32

export interface MasterStatusFields {
  taskId: string
  agentId?: string
  executorId?: string
  state: TaskState
  reason: string
  message: string
  /** Epoch ms. */
  now: number
  unreachableSince?: number
}

/** A status the master creates (no uuid: nothing for the framework to acknowledge). */
export function masterStatus(f: MasterStatusFields): TaskStatus {
  const status: TaskStatus = {
    task_id: {value: f.taskId},
    state: f.state,
    source: 'SOURCE_MASTER',
    reason: f.reason,
    message: f.message,
    timestamp: f.now / 1000,
  }
  if (f.agentId) status.agent_id = {value: f.agentId}
  if (f.executorId) status.executor_id = {value: f.executorId}
  if (f.unreachableSince !== undefined) status.unreachable_time = {nanoseconds: f.unreachableSince * 1e6}
  return status
}

/**
 * Applies a status to a task: the state follows unless the task is already terminal; a status
 * of the same state as the last one replaces it, otherwise it is appended; `data` is not kept.
 * Returns whether this made the task terminal.
 */
export function applyStatus(task: TaskEntry, status: TaskStatus): boolean {
  const wasTerminal = isTerminal(task.state)
  if (!wasTerminal) task.state = status.state
  const kept = {...status}
  delete kept.data
  const last = task.statuses[task.statuses.length - 1]
  if (last && last.state === status.state) task.statuses[task.statuses.length - 1] = kept
  else task.statuses.push(kept)
  if (status.uuid) {
    task.appliedUuids.push(status.uuid)
    if (task.appliedUuids.length > REMEMBERED_UUIDS) task.appliedUuids.shift()
  }
  return !wasTerminal && isTerminal(task.state)
}

/** The answer to reconciling a known task: its latest state, tagged REASON_RECONCILIATION. */
export function reconciliationStatus(task: TaskEntry, now: number): TaskStatus {
  const status = masterStatus({
    taskId: task.info.task_id.value,
    agentId: task.agentId,
    executorId: executorId(task),
    state: task.state,
    reason: 'REASON_RECONCILIATION',
    message: 'Reconciliation: Latest task state',
    now,
  })
  const last = task.statuses[task.statuses.length - 1]
  if (last?.healthy !== undefined) status.healthy = last.healthy
  if (last?.container_status !== undefined) status.container_status = last.container_status
  if (last?.unreachable_time !== undefined && task.state === 'TASK_UNREACHABLE') status.unreachable_time = last.unreachable_time
  return status
}

/** The executor id of a task: only tasks with their own executor have one (command tasks: none). */
export function executorId(task: TaskEntry): string | undefined {
  return (task.info.executor as {executor_id?: {value?: string}} | undefined)?.executor_id?.value
}
