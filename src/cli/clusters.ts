/**
 * The `dcos cluster` operations: local clusters (up/down, through the lifecycle library in
 * src/runtime/cluster, which owns `<dcosDir>/clusters/<id>/local/`) and configured clusters
 * (setup/attach/remove/list, through the ConfigManager, which owns `dcos.toml` and `attached`).
 * The lifecycle library and the HTTP client are imported on use, so `dcos cluster --help`
 * loads neither.
 */
import type {LocalCluster, UpOptions} from '../runtime/cluster'
import {type ClusterConfig, type ConfigManager, parseValue, configKey} from './config'
import type {CredentialStore} from './credentials'
import {DcosError, ExitCode, usageError} from './errors'
import {type Column, renderTable} from './table'

function lifecycle() {
  return import('../runtime/cluster')
}

/** The lifecycle library's errors (LocalClusterError, by code) as DcosErrors. */
async function lifecycleCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (e) {
    const code = (e as {name?: string; code?: string})?.name === 'LocalClusterError' ? (e as {code: string}).code : undefined
    if (!code) throw e
    const message = (e as Error).message
    switch (code) {
      case 'INVALID_OPTIONS':
        throw new DcosError('USAGE', message, {exit: ExitCode.usage})
      case 'RUNTIME_MISSING':
        throw new DcosError('RUNTIME_MISSING', message, {hint: "Run 'npm run build'."})
      case 'NOT_FOUND':
        throw new DcosError('CLUSTER_NOT_FOUND', message, {hint: "Run 'dcos cluster list' to see the clusters."})
      default:
        throw new DcosError(`CLUSTER_${code}`, message)
    }
  }
}

export interface UpRequest {
  name: string
  agents: number
  cpus?: number
  mem?: number
  randomPorts?: boolean
  /** How long an agent may stay silent before the master marks it unreachable. */
  agentTimeoutMs?: number
  /** Authentication on (default): the cluster writes an admin credential and checks tokens. */
  auth?: boolean
  /** The address the gateway binds (default 127.0.0.1); without auth only a loopback one. */
  host?: string
  /** The origin URLs the cluster hands out are built on (default: the bound address). */
  publicUrl?: string
  /** dist/runtime.js, the entry the supervisor starts components with. */
  runtimeJs: string
  onNotice: (message: string) => void
}

export interface UpResult {
  cluster: LocalCluster
  alreadyRunning: boolean
  restarted: boolean
}

/** Starts (or finds running) a local cluster, writes its dcos.toml and attaches it. */
export async function clusterUp(manager: ConfigManager, request: UpRequest): Promise<UpResult> {
  // The library refuses too; said here first, before anything starts, with what to do.
  const {isLoopback} = await import('../runtime/auth/guard')
  if (request.auth === false && request.host !== undefined && !isLoopback(request.host)) {
    throw new DcosError(
      'AUTH_REQUIRED_OFF_LOOPBACK',
      `refusing to start a cluster without authentication on ${request.host}: anyone who can reach that address would control the cluster.`,
      {hint: 'Drop --no-auth, or bind to 127.0.0.1.'},
    )
  }
  if (request.publicUrl !== undefined) {
    const {checkPublicUrl} = await import('../runtime/gateway/public-url')
    try {
      checkPublicUrl(request.publicUrl)
    } catch (error) {
      throw new DcosError('USAGE', `--public-url: ${(error as Error).message}.`, {exit: ExitCode.usage, hint: 'Give an origin such as http://dcos.example.com:8080 or https://10.0.0.5.'})
    }
  }
  const lib = await lifecycle()
  const known = lib.findLocalCluster(manager.dcosDir, request.name)
  if (!known?.running) {
    const agents = `${request.agents} agent${request.agents === 1 ? '' : 's'}`
    request.onNotice(`Starting cluster '${request.name}' with ${agents}...`)
  }
  const options: UpOptions = {
    dcosDir: manager.dcosDir,
    name: request.name,
    agents: request.agents,
    cpus: request.cpus,
    mem: request.mem,
    randomPorts: request.randomPorts,
    agentUnreachableTimeoutMs: request.agentTimeoutMs,
    runtimeJs: request.runtimeJs,
    onNotice: request.onNotice,
    auth: request.auth,
    host: request.host,
    publicUrl: request.publicUrl,
  }
  const result = await lifecycleCall(() => lib.up(options))
  const {cluster} = result
  const config = manager.load(cluster.id)
  if (config?.fileValue('core.dcos_url') !== cluster.url || config?.fileValue('cluster.name') !== cluster.name) {
    manager.save(cluster.id, {'core.dcos_url': cluster.url, 'cluster.name': cluster.name})
  }
  manager.attach(cluster.id)
  return result
}

/** The local cluster `nameOrId` names, or the current cluster when omitted. */
async function localClusterFor(manager: ConfigManager, nameOrId: string | undefined): Promise<LocalCluster> {
  const lib = await lifecycle()
  const id = nameOrId ?? manager.current().id
  const local = lib.findLocalCluster(manager.dcosDir, id)
  if (local) return local
  let configured: ClusterConfig | undefined
  try {
    configured = manager.find(id)
  } catch {
    throw new DcosError('CLUSTER_NOT_FOUND', `no local cluster named '${id}'.`, {hint: "Run 'dcos cluster list' to see the clusters."})
  }
  const again = lib.findLocalCluster(manager.dcosDir, configured.id)
  if (again) return again
  throw new DcosError('USAGE', `cluster '${configured.name}' is not a local cluster: it was set up with 'dcos cluster setup'.`, {
    hint: `Use 'dcos cluster remove ${configured.name}' to forget it.`,
  })
}

/** Stops a local cluster; with purge, also deletes its state and its configuration. */
export async function clusterDown(
  manager: ConfigManager,
  nameOrId: string | undefined,
  options: {purge?: boolean; store?: CredentialStore},
): Promise<{cluster: LocalCluster; wasRunning: boolean}> {
  const lib = await lifecycle()
  const cluster = await localClusterFor(manager, nameOrId)
  await lifecycleCall(() => lib.down(manager.dcosDir, cluster.id, {purge: options.purge}))
  if (options.purge) {
    const config = manager.load(cluster.id)
    if (config && options.store) await options.store.clear(config)
    manager.remove(cluster.id)
  }
  return {cluster, wasRunning: cluster.running}
}

/** One `dcos cluster list` entry, in GO's JSON shape. */
export interface ClusterItem {
  attached: boolean
  cluster_id: string
  name: string
  status: 'AVAILABLE' | 'UNAVAILABLE'
  url: string
  version: string
}

/**
 * Every configured cluster (and local clusters whose config is missing), with its status: a
 * cluster is AVAILABLE when `/dcos-metadata/dcos-version.json` answers within the probe timeout.
 * Stopped local clusters are not probed.
 */
export async function listClusters(manager: ConfigManager, options: {probeTimeoutMs?: number} = {}): Promise<ClusterItem[]> {
  const lib = await lifecycle()
  const {HttpClient} = await import('../clients/http')
  const {DcosMetadataClient} = await import('../clients/dcos')
  const locals = new Map(lib.listLocalClusters(manager.dcosDir).map((c) => [c.id, c]))
  const current = manager.tryCurrent()
  const entries: {id: string; name: string; url: string; config?: ClusterConfig}[] = manager.all().map((c) => ({
    id: c.id,
    name: c.name,
    url: String(c.fileValue('core.dcos_url') ?? ''),
    config: c,
  }))
  for (const l of locals.values()) {
    if (!entries.some((e) => e.id === l.id)) entries.push({id: l.id, name: l.name, url: l.url})
  }
  const items = await Promise.all(
    entries.map(async (e): Promise<ClusterItem> => {
      const item: ClusterItem = {
        attached: current?.id === e.id,
        cluster_id: e.id,
        name: e.name,
        status: 'UNAVAILABLE',
        url: e.url,
        version: 'UNKNOWN',
      }
      if (!e.url || locals.get(e.id)?.running === false) return item
      try {
        const endpoints = e.config?.endpoints()
        const http = new HttpClient({baseUrl: e.url, token: endpoints?.token, sslVerify: endpoints?.sslVerify})
        const v = await new DcosMetadataClient(http).version({timeoutMs: options.probeTimeoutMs ?? 3000})
        item.status = 'AVAILABLE'
        item.version = v?.version ?? 'UNKNOWN'
      } catch {
        // Unreachable or not DC/OS: UNAVAILABLE, as GO's lister reports it.
      }
      return item
    }),
  )
  return items.sort((a, b) => a.name.localeCompare(b.name) || a.cluster_id.localeCompare(b.cluster_id))
}

/** GO's `cluster list` table: a `*` column for the attached cluster, then NAME ID STATUS VERSION URL. */
export function clusterTable(items: ClusterItem[]): string {
  const columns: Column<ClusterItem>[] = [
    {header: '', value: (i) => (i.attached ? '*' : ' ')},
    {header: 'NAME', value: (i) => i.name},
    {header: 'ID', value: (i) => i.cluster_id},
    {header: 'STATUS', value: (i) => i.status},
    {header: 'VERSION', value: (i) => i.version},
    {header: 'URL', value: (i) => i.url},
  ]
  return renderTable(columns, items)
}

export interface SetupRequest {
  url: string
  name?: string
  /** Do not verify TLS certificates (--insecure). */
  insecure?: boolean
  /**
   * Authentication, once `dcos auth login` exists: called with the new cluster's config before
   * it is attached, so a failed login leaves the previously attached cluster in place. It may
   * set core.dcos_acs_token on the config and persist it.
   */
  login?: (config: ClusterConfig) => Promise<void>
}

/**
 * `dcos cluster setup <url>`: reads CLUSTER_ID from `<url>/metadata` (a random UUID when the
 * cluster has no metadata endpoint, e.g. plain Mesos+Marathon), writes the config, logs in and
 * attaches. An unreachable URL is an error: nothing is written.
 */
export async function clusterSetup(manager: ConfigManager, request: SetupRequest): Promise<ClusterConfig> {
  const url = String(parseValue(configKey('core.dcos_url')!, request.url))
  const {HttpClient} = await import('../clients/http')
  const {DcosMetadataClient} = await import('../clients/dcos')
  const http = new HttpClient({baseUrl: url, timeoutMs: 10_000, sslVerify: request.insecure ? false : true})
  let clusterId: string | undefined
  try {
    clusterId = (await new DcosMetadataClient(http).metadata())?.CLUSTER_ID
  } catch (e) {
    if (e instanceof DcosError && ['UNREACHABLE', 'TIMEOUT', 'TLS'].includes(e.code)) throw e
  }
  const id = clusterId && /^[A-Za-z0-9._-]+$/.test(clusterId) ? clusterId : (await import('node:crypto')).randomUUID()
  const config = manager.open(id)
  // set() drops a token that belonged to another URL of this cluster.
  config.set('core.dcos_url', url)
  if (request.insecure) config.set('core.ssl_verify', 'false')
  if (request.name) config.set('cluster.name', request.name)
  config.persist()
  if (request.login) await request.login(config)
  manager.attach(id)
  return config
}

/**
 * `dcos cluster remove`: forgets configured clusters (their whole directory). A running local
 * cluster is refused: its processes would be orphaned.
 */
export async function removeClusters(
  manager: ConfigManager,
  request: {nameOrId?: string; all?: boolean; store?: CredentialStore},
): Promise<string[]> {
  if (!request.nameOrId && !request.all) {
    throw usageError('a cluster name or ID is required (or --all).')
  }
  const targets = request.all ? manager.all() : [manager.find(request.nameOrId!)]
  const lib = await lifecycle()
  for (const c of targets) {
    if (lib.findLocalCluster(manager.dcosDir, c.id)?.running) {
      throw new DcosError('USAGE', `cluster '${c.name}' is running.`, {hint: `Stop it first with 'dcos cluster down ${c.name}'.`})
    }
  }
  for (const c of targets) {
    // A token kept in the keychain would outlive the directory.
    await request.store?.clear(c)
    manager.remove(c.id)
  }
  return targets.map((c) => c.name)
}
