/**
 * The master <-> agent protocol: the one private protocol of the cluster. JSON over HTTP, POST
 * only, versioned by path (`/internal/v1/...`). Every body carries Mesos v1 shapes from ./types.
 *
 * Agent -> master (paths on the master):
 *   POST /internal/v1/agent/register    RegisterAgentRequest   -> RegisterAgentResponse
 *   POST /internal/v1/agent/heartbeat   HeartbeatRequest       -> HeartbeatResponse
 *   POST /internal/v1/agent/status      StatusUpdateRequest    -> 202 (master forwards UPDATE to the framework)
 *   POST /internal/v1/agent/statuses    StatusUpdateBatchRequest -> 200 BatchResponse (several updates;
 *                                       only to a master whose RegisterAgentResponse has STATUS_BATCH)
 *
 * Master -> agent (paths on the agent):
 *   POST /internal/v1/run_task          RunTaskRequest         -> 202 (TASK_STARTING/RUNNING etc. follow as status updates)
 *   POST /internal/v1/kill_task         KillTaskRequest        -> 202 (TASK_KILLED follows; unknown task -> TASK_LOST/TASK_GONE update)
 *   POST /internal/v1/ack               AckRequest             -> 202 (the framework acknowledged that status update)
 *   POST /internal/v1/shutdown_framework ShutdownFrameworkRequest -> 202 (kill all its tasks)
 *   POST /internal/v1/apply_operations  ApplyOperationsRequest -> 200 ApplyOperationsResponse
 *   POST /internal/v1/batch             CallBatchRequest       -> 200 BatchResponse (several of the calls
 *                                       above, run as if each came on its own connection at once; only
 *                                       to an agent whose RegisterAgentRequest has CALL_BATCH)
 *
 * Batches exist for speed: a scale-down of a thousand tasks is thousands of kills, updates and
 * acknowledgements, and one loopback HTTP exchange each was most of the cluster's CPU time. A
 * batch answers 200 with one result per call, in order; each call succeeded or failed on its own.
 *
 * Reliability: the agent keeps every status update that carries a `uuid` (checkpointed) and
 * re-sends it to the master until the master relays the framework's ACK: first after
 * `statusRetryMs`, then backing off (each wait twice the one before, up to 8 x `statusRetryMs`).
 * Updates of one task are delivered in order: a later update is sent only after the earlier
 * one is acknowledged (Mesos status update manager semantics).
 *
 * Liveness: the agent heartbeats every `heartbeat_interval_ms` (from the register response).
 * A master that has not heard from an agent for `agentUnreachableTimeoutMs` marks it
 * unreachable. A heartbeat answered with `{reregister: true}` (master restarted, or the agent
 * was marked unreachable) makes the agent register again with its id and its tasks.
 */
import type {AgentInfo, FrameworkInfo, KillPolicy, Operation, Resource, TaskInfo, TaskState, TaskStatus} from './types'

export const AGENT_PROTOCOL_PREFIX = '/internal/v1'

/** One task as the agent reports it when (re-)registering. */
export interface AgentTaskReport {
  framework_id: string
  task: TaskInfo
  state: TaskState
  /** All statuses seen so far (oldest first), as `/master/state` shows them. */
  statuses: TaskStatus[]
}

export interface RegisterAgentRequest {
  /** Present when the agent already has an id (restart, re-registration). */
  agent_id?: string
  agent_info: AgentInfo
  /** Base URL of the agent's HTTP API, e.g. http://127.0.0.2:5051 */
  url: string
  version: string
  /** Total resources including checkpointed reservations and persistent volumes. */
  resources: Resource[]
  tasks: AgentTaskReport[]
  /** Frameworks of the reported tasks. */
  frameworks: FrameworkInfo[]
  /** What the agent accepts beyond the calls every agent takes: `CALL_BATCH` (POST /batch). */
  capabilities?: string[]
}

export interface RegisterAgentResponse {
  agent_id: string
  master_id: string
  heartbeat_interval_ms: number
  /** What the master accepts beyond the basic protocol: `STATUS_BATCH` (POST /agent/statuses). */
  capabilities?: string[]
}

export const CALL_BATCH = 'CALL_BATCH'
export const STATUS_BATCH = 'STATUS_BATCH'

/** Several master -> agent calls: `path` is the call's path below /internal/v1 (e.g. `kill_task`). */
export interface CallBatchRequest {
  calls: {path: string; body: unknown}[]
}

/** Several status updates of one agent. */
export interface StatusUpdateBatchRequest {
  agent_id: string
  updates: {framework_id: string; status: TaskStatus}[]
}

/** One result per call or update of a batch, in order: the HTTP status it would have had alone, and its body or error message. */
export interface BatchResponse {
  results: {status: number; body?: unknown; message?: string}[]
}

export interface HeartbeatRequest {
  agent_id: string
}

export interface HeartbeatResponse {
  reregister: boolean
}

export interface StatusUpdateRequest {
  agent_id: string
  framework_id: string
  status: TaskStatus
}

export interface RunTaskRequest {
  framework_info: FrameworkInfo & {id: {value: string}}
  task: TaskInfo
}

export interface KillTaskRequest {
  framework_id: string
  task_id: string
  kill_policy?: KillPolicy
}

export interface AckRequest {
  framework_id: string
  task_id: string
  uuid: string
}

export interface ShutdownFrameworkRequest {
  framework_id: string
}

/** RESERVE, UNRESERVE, CREATE, DESTROY: the agent checkpoints its new total resources. */
export interface ApplyOperationsRequest {
  operations: Operation[]
}

export interface ApplyOperationsResponse {
  resources: Resource[]
}
