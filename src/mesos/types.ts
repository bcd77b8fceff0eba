/**
 * Mesos v1 JSON shapes (proto field names in snake_case, ids wrapped as {value}), as the v1
 * scheduler API and the agent protocol carry them. Only the fields we read or write are typed;
 * unknown fields pass through untouched.
 */
export interface Value {
  value: string
}

export type ResourceType = 'SCALAR' | 'RANGES' | 'SET' | 'TEXT'

export interface Range {
  begin: number
  end: number
}

export interface Reservation {
  type?: 'STATIC' | 'DYNAMIC'
  role?: string
  principal?: string
  labels?: Labels
}

export interface DiskInfo {
  persistence?: {id: string; principal?: string}
  volume?: {container_path: string; mode: 'RW' | 'RO'}
  source?: unknown
}

export interface Resource {
  name: string
  type: ResourceType
  scalar?: {value: number}
  ranges?: {range: Range[]}
  set?: {item: string[]}
  /** Deprecated pre-refinement role; `*` is unreserved. */
  role?: string
  allocation_info?: {role: string}
  reservation?: Reservation
  reservations?: Reservation[]
  disk?: DiskInfo
  revocable?: object
  shared?: object
}

export interface Attribute {
  name: string
  type: ResourceType
  scalar?: {value: number}
  ranges?: {range: Range[]}
  set?: {item: string[]}
  text?: {value: string}
}

export interface Label {
  key: string
  value?: string
}

export interface Labels {
  labels: Label[]
}

/**
 * Mesos' Secret: the value itself (`data`, base64 bytes in JSON) or a reference to a secret
 * store. Ours carry values; masters and agents never echo them (../mesos/secrets `redactSecrets`).
 */
export interface Secret {
  type: 'VALUE' | 'REFERENCE'
  value?: {data: string}
  reference?: {name: string; key?: string}
}

export interface EnvironmentVariable {
  name: string
  type?: 'VALUE' | 'SECRET'
  value?: string
  secret?: Secret
}

export interface Environment {
  variables: EnvironmentVariable[]
}

export interface CommandURI {
  value: string
  executable?: boolean
  extract?: boolean
  cache?: boolean
  output_file?: string
}

export interface CommandInfo {
  uris?: CommandURI[]
  environment?: Environment
  shell?: boolean
  value?: string
  arguments?: string[]
  user?: string
}

export interface DurationInfo {
  nanoseconds: number
}

export interface KillPolicy {
  grace_period?: DurationInfo
}

export interface TaskInfo {
  name: string
  task_id: Value
  agent_id: Value
  resources: Resource[]
  command?: CommandInfo
  executor?: unknown
  container?: {type?: 'MESOS' | 'DOCKER'; mesos?: unknown; docker?: unknown; volumes?: unknown[]}
  health_check?: unknown
  check?: unknown
  kill_policy?: KillPolicy
  data?: string
  labels?: Labels
  discovery?: unknown
  max_completion_time?: DurationInfo
  limits?: Record<string, {value: number} | string>
}

export const TASK_STATES = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
] as const

export type TaskState = (typeof TASK_STATES)[number]

const TERMINAL = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_LOST',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
])

export function isTerminal(state: TaskState): boolean {
  return TERMINAL.has(state)
}

export type StatusSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR'

export interface TaskStatus {
  task_id: Value
  state: TaskState
  message?: string
  source?: StatusSource
  reason?: string
  data?: string
  agent_id?: Value
  executor_id?: Value
  /** Seconds since the epoch, fractional. */
  timestamp?: number
  /** base64; present means the framework must ACKNOWLEDGE it. */
  uuid?: string
  healthy?: boolean
  labels?: Labels
  container_status?: unknown
  unreachable_time?: {nanoseconds: number}
  limitation?: {resources?: Resource[]}
}

export type FrameworkCapability =
  | 'REVOCABLE_RESOURCES'
  | 'TASK_KILLING_STATE'
  | 'GPU_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'PARTITION_AWARE'
  | 'MULTI_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'REGION_AWARE'

export interface FrameworkInfo {
  user: string
  name: string
  id?: Value
  failover_timeout?: number
  checkpoint?: boolean
  role?: string
  roles?: string[]
  hostname?: string
  principal?: string
  webui_url?: string
  capabilities?: {type: FrameworkCapability}[]
  labels?: Labels
}

export interface Offer {
  id: Value
  framework_id: Value
  agent_id: Value
  hostname: string
  url?: {scheme: string; address: {hostname?: string; ip?: string; port: number}; path?: string}
  resources: Resource[]
  attributes: Attribute[]
  executor_ids: Value[]
  allocation_info?: {role: string}
}

export interface Filters {
  refuse_seconds?: number
}

export type OperationType = 'LAUNCH' | 'RESERVE' | 'UNRESERVE' | 'CREATE' | 'DESTROY' | 'LAUNCH_GROUP'

export interface Operation {
  type: OperationType
  id?: Value
  launch?: {task_infos: TaskInfo[]}
  reserve?: {resources: Resource[]; source?: Resource[]}
  unreserve?: {resources: Resource[]}
  create?: {volumes: Resource[]}
  destroy?: {volumes: Resource[]}
}

export interface AgentInfo {
  hostname: string
  port: number
  id?: Value
  resources: Resource[]
  attributes: Attribute[]
  domain?: unknown
}

export interface MasterInfo {
  id: string
  ip: number
  port: number
  pid: string
  hostname: string
  version: string
  address: {hostname: string; ip: string; port: number}
}

export type CallType =
  | 'SUBSCRIBE'
  | 'TEARDOWN'
  | 'ACCEPT'
  | 'DECLINE'
  | 'REVIVE'
  | 'KILL'
  | 'SHUTDOWN'
  | 'ACKNOWLEDGE'
  | 'RECONCILE'
  | 'MESSAGE'
  | 'REQUEST'
  | 'SUPPRESS'
  | 'ACCEPT_INVERSE_OFFERS'
  | 'DECLINE_INVERSE_OFFERS'
  | 'ACKNOWLEDGE_OPERATION_STATUS'
  | 'RECONCILE_OPERATIONS'
  | 'UPDATE_FRAMEWORK'

export interface Call {
  framework_id?: Value
  type: CallType
  subscribe?: {framework_info: FrameworkInfo; suppressed_roles?: string[]}
  accept?: {offer_ids: Value[]; operations: Operation[]; filters?: Filters}
  decline?: {offer_ids: Value[]; filters?: Filters}
  revive?: {roles?: string[]; role?: string}
  suppress?: {roles?: string[]; role?: string}
  kill?: {task_id: Value; agent_id?: Value; kill_policy?: KillPolicy}
  shutdown?: {executor_id: Value; agent_id: Value}
  acknowledge?: {agent_id: Value; task_id: Value; uuid: string}
  reconcile?: {tasks?: {task_id: Value; agent_id?: Value}[]}
  message?: {agent_id: Value; executor_id: Value; data: string}
  request?: unknown
}

export type EventType =
  | 'SUBSCRIBED'
  | 'OFFERS'
  | 'INVERSE_OFFERS'
  | 'RESCIND'
  | 'RESCIND_INVERSE_OFFER'
  | 'UPDATE'
  | 'UPDATE_OPERATION_STATUS'
  | 'MESSAGE'
  | 'FAILURE'
  | 'ERROR'
  | 'HEARTBEAT'

export interface Event {
  type: EventType
  subscribed?: {framework_id: Value; heartbeat_interval_seconds?: number; master_info?: MasterInfo}
  offers?: {offers: Offer[]}
  rescind?: {offer_id: Value}
  update?: {status: TaskStatus}
  message?: {agent_id: Value; executor_id: Value; data: string}
  failure?: {agent_id?: Value; executor_id?: Value; status?: number}
  error?: {message: string}
}
