/**
 * What each runtime process is started with. The supervisor writes one JSON file per component
 * (in the cluster's directory, mode 0600) and starts `node dist/runtime.js <role> <file>`, so
 * nothing sensitive ever appears on a command line that `ps` shows.
 */

/** The Mesos version our master and agents speak and report. */
export const MESOS_VERSION = '1.11.0'
/** Our own version, reported as dcos.version and in build fields. */
export const DCOS_VERSION = '0.1.0'

/**
 * A component's side of the cluster's authentication (absent: auth is off, as in tests and
 * `--no-auth`). It checks every request's `Authorization: token=<jwt>` against `publicKey`
 * (PEM, SPKI, RS256) and sends `token`, its own long-lived service token, on its calls to other
 * components. Only ever in the 0600 config file, never on a command line or in a log.
 */
/** The uids of the components' own service tokens (signed by `cluster up`). */
export const SERVICE_UIDS = {master: 'dcos_master', agent: 'dcos_agent', gateway: 'dcos_gateway', marathon: 'dcos_marathon'} as const

export interface ComponentAuth {
  publicKey: string
  token: string
}

/** A user the gateway (re)creates at start: the admin whose credential `cluster up` wrote. */
export interface BootstrapUser {
  uid: string
  description: string
  /** `hashPassword()`'s encoding; the password itself is never in a config. */
  passwordHash: string
}

/** The gateway is the cluster's ACS: it also signs user tokens and keeps the users. */
export interface GatewayAuth extends ComponentAuth {
  /** PEM, PKCS#8: the key every token of the cluster is signed with. */
  privateKey: string
  /** The gateway's users store (users, service accounts, revoked tokens). */
  usersDir: string
  bootstrapUsers?: BootstrapUser[]
}

export interface MasterConfig {
  role: 'master'
  host: string
  port: number
  /** Registry (agents, frameworks) and other durable state. */
  workDir: string
  /** Served by the files API as the virtual path /master/log. */
  logFile?: string
  clusterName: string
  /** No heartbeat from an agent for this long: unreachable (Mesos: 15 s x 5 pings = 75 s). */
  agentUnreachableTimeoutMs: number
  /** What agents are told to heartbeat at. */
  agentHeartbeatIntervalMs: number
  /** The periodic allocation tick (filters expire, recovered resources are re-offered). */
  allocationIntervalMs: number
  /** The batching window after a demand or supply change before offers go out. */
  offerBatchMs: number
  /** HEARTBEAT events to schedulers (Mesos default 15). */
  schedulerHeartbeatSeconds: number
  /** Role weights for DRF, e.g. {"web": 2}. */
  weights?: Record<string, number>
  auth?: ComponentAuth
}

export interface AgentConfig {
  role: 'agent'
  /** 1-based position in the cluster; names the agent's log and default hostname. */
  index: number
  /** IP the agent binds and advertises (distinct loopback IPs on Linux: 127.0.0.2, ...). */
  host: string
  /** Advertised hostname; defaults to host. */
  hostname?: string
  port: number
  masterUrl: string
  /** Mesos work_dir: slaves/<id>/frameworks/.../runs/<container>, meta/, volumes/, fetch cache. */
  workDir: string
  /** Served by the files API as the virtual path /slave/log. */
  logFile?: string
  /** Mesos flag form, e.g. `cpus:2;mem:2048;disk:10240;ports:[31000-31999]`; missing ones are detected. */
  resources?: string
  /** Mesos flag form, e.g. `rack:r1;zone:a`. */
  attributes?: string
  /** Re-send unacknowledged status updates this often. */
  statusRetryMs: number
  /** `cgroups` where the host allows them, else a process-tree watchdog. */
  isolation: 'auto' | 'cgroups' | 'watchdog'
  /** Processes a task may have at once (fork-bomb guard). */
  maxTaskProcesses: number
  /** Default grace period between SIGTERM and SIGKILL. */
  killGracePeriodMs: number
  auth?: ComponentAuth
}

export interface GatewayConfig {
  role: 'gateway'
  host: string
  port: number
  masterUrl: string
  clusterId: string
  clusterName: string
  logFile?: string
  /** The secret store (/secrets/v1), 0700; default: `secrets` beside the auth users dir. */
  secretsDir?: string
  /**
   * The origin URLs the gateway hands out are built on (`http(s)://host[:port]`, no path): what
   * others reach the cluster at. Default: the bound address, loopback when bound to every address.
   */
  publicUrl?: string
  auth?: GatewayAuth
}

export interface MarathonConfig {
  role: 'marathon'
  host: string
  port: number
  /** The master it subscribes to (directly, not through the gateway). */
  masterUrl: string
  /** Apps, versions, groups, deployments, tasks and the framework id. */
  workDir: string
  logFile?: string
  /** The framework name, and the gateway's /service/<name>/ (default `marathon`). */
  frameworkName?: string
  /** The role apps run with (Marathon's `--mesos_role`, default `*`). */
  mesosRole?: string
  /** The role resident apps reserve resources and volumes for (default `marathon`). */
  reservationRole?: string
  /** How long the master keeps the framework's tasks while Marathon is away (default one week). */
  failoverTimeoutSeconds?: number
  /** Service ports are assigned from [min, max) (Marathon's local_port_min/max, default 10000-20000). */
  servicePorts?: {min: number; max: number}
  /** The gateway, whose secrets API (/secrets/v1) apps' `secrets` are read from at launch. */
  gatewayUrl?: string
  auth?: ComponentAuth
}

export type ComponentConfig = MasterConfig | AgentConfig | GatewayConfig | MarathonConfig

/** `cluster.json`: what the supervisor runs. */
export interface ClusterSpec {
  id: string
  name: string
  /** The cluster's runtime directory (this file's directory). */
  dir: string
  createdAt: string
  components: {name: string; config: ComponentConfig}[]
}

/** What a started component gives back to its process (or to a test that starts it in-process). */
export interface Component {
  url: string
  /** Stops serving. An agent leaves its tasks running (they are re-adopted on restart). */
  close(): Promise<void>
  /** Stops everything the component started (an agent kills all its tasks), then closes. */
  shutdown?(): Promise<void>
}
