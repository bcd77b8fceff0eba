/**
 * The v0 JSON shapes of the Mesos master and agent HTTP endpoints the CLI reads
 * (/master/state, /master/slaves, /master/state-summary, /master/frameworks, agent /state,
 * /files/*), as apache/mesos src/common/http.cpp writes them. Fields a cluster may omit are
 * optional: the CLI must read a real Mesos 1.x cluster as well as ours.
 */

/** json(Resources): scalars by name, ranges and sets as strings ("[31000-31999]"). */
export interface ResourcesSummary {
  cpus?: number
  mem?: number
  disk?: number
  gpus?: number
  ports?: string
  [name: string]: number | string | undefined
}

export interface DomainInfo {
  fault_domain?: {region?: {name?: string}; zone?: {name?: string}}
}

export interface MasterTaskStatus {
  state: string
  timestamp?: number
  healthy?: boolean
  labels?: {key: string; value?: string}[]
  container_status?: {
    container_id?: {value: string; parent?: {value: string}}
    network_infos?: {ip_addresses?: {ip_address?: string}[]}[]
  }
}

export interface MesosTask {
  id: string
  name: string
  framework_id: string
  /** "" for command-executor tasks: the sandbox's executor id is then the task id. */
  executor_id?: string
  slave_id: string
  state: string
  resources?: ResourcesSummary
  role?: string
  statuses?: MasterTaskStatus[]
  user?: string
  labels?: {key: string; value?: string}[]
  [field: string]: unknown
}

export interface MesosFramework {
  id: string
  name: string
  pid?: string
  hostname?: string
  webui_url?: string
  active?: boolean
  connected?: boolean
  user?: string
  role?: string
  roles?: string[]
  resources?: ResourcesSummary
  used_resources?: ResourcesSummary
  offered_resources?: ResourcesSummary
  registered_time?: number
  unregistered_time?: number
  tasks?: MesosTask[]
  unreachable_tasks?: MesosTask[]
  completed_tasks?: MesosTask[]
  executors?: unknown[]
  [field: string]: unknown
}

export interface MesosSlave {
  id: string
  hostname: string
  /** `slave(1)@127.0.0.1:5051` */
  pid: string
  port?: number
  attributes?: Record<string, string | number>
  domain?: DomainInfo
  registered_time?: number
  resources?: ResourcesSummary
  used_resources?: ResourcesSummary
  offered_resources?: ResourcesSummary
  unreserved_resources?: ResourcesSummary
  reserved_resources?: Record<string, ResourcesSummary>
  active?: boolean
  deactivated?: boolean
  version?: string
  capabilities?: string[]
  drain_info?: {state?: string}
  [field: string]: unknown
}

export interface MasterState {
  version?: string
  id: string
  /** `master@127.0.0.1:5050` */
  pid: string
  hostname: string
  cluster?: string
  domain?: DomainInfo
  leader?: string
  leader_info?: {id?: string; pid?: string; port?: number; hostname?: string; domain?: DomainInfo}
  start_time?: number
  elected_time?: number
  activated_slaves?: number
  deactivated_slaves?: number
  slaves?: MesosSlave[]
  frameworks?: MesosFramework[]
  completed_frameworks?: MesosFramework[]
  [field: string]: unknown
}

/** TASK_* counts per agent and framework, as /master/state-summary writes them. */
export type TaskStateCounts = Partial<Record<`TASK_${string}`, number>>

export interface StateSummary {
  hostname?: string
  cluster?: string
  slaves?: (MesosSlave & TaskStateCounts & {framework_ids?: string[]})[]
  frameworks?: (MesosFramework & TaskStateCounts & {slave_ids?: string[]})[]
}

export interface SlavesResponse {
  slaves: MesosSlave[]
  recovered_slaves?: unknown[]
}

export interface FrameworksResponse {
  frameworks: MesosFramework[]
  completed_frameworks?: MesosFramework[]
  unregistered_frameworks?: unknown[]
}

export interface AgentExecutor {
  id: string
  name?: string
  source?: string
  container?: string
  /** The sandbox: an absolute path on the agent. */
  directory: string
  type?: string
  tasks?: MesosTask[]
  queued_tasks?: MesosTask[]
  completed_tasks?: MesosTask[]
  [field: string]: unknown
}

export interface AgentFramework {
  id: string
  name?: string
  executors?: AgentExecutor[]
  completed_executors?: AgentExecutor[]
  [field: string]: unknown
}

export interface AgentState {
  id: string
  pid?: string
  hostname?: string
  frameworks?: AgentFramework[]
  completed_frameworks?: AgentFramework[]
  [field: string]: unknown
}

/** One /files/browse entry. */
export interface FileInfo {
  path: string
  nlink: number
  size: number
  /** Seconds since the epoch. */
  mtime: number
  mode: string
  uid: string
  gid: string
}

/** /files/read: `offset` is the file size when asked without an offset. */
export interface FileChunk {
  offset: number
  data: string
}
