/**
 * Chronos's command line, as the real `chronos run_jar` takes it (`--flag value` or
 * `--flag=value`), so the universe package's `cmd` style carries over. Flags of the real Chronos
 * that name things we do not have (ZooKeeper, Cassandra, Graphite, mail, Slack) are accepted and
 * ignored; an unknown flag is an error. Environment fallbacks come from the Mesos agent and
 * Marathon: PORT0, HOST, MESOS_SANDBOX. Pure.
 */
export class UsageError extends Error {}

export interface ChronosFlags {
  /** `--master`: http(s)://host:port[/path] or host:port; undefined: ask the agent we run on. */
  master?: string
  httpPort: number
  /** The advertised hostname (webui_url, leader). */
  hostname: string
  /** Where the API binds (`--http_address`), default the hostname when it is an IP. */
  httpAddress: string
  frameworkName: string
  stateDir: string
  failoverTimeoutSeconds: number
  failureRetryMs: number
  disableAfterFailures: number
  declineOfferMs: number
  taskCpus: number
  taskMem: number
  taskDisk: number
  taskEpsilonSeconds: number
  role: string
  user: string
  webuiUrl?: string
  principal?: string
}

type Kind = 'string' | 'number' | 'bool'

const KNOWN: Record<string, Kind> = {
  master: 'string',
  http_port: 'number',
  hostname: 'string',
  http_address: 'string',
  mesos_framework_name: 'string',
  state_dir: 'string',
  failover_timeout: 'number',
  failure_retry: 'number',
  disable_after_failures: 'number',
  decline_offer_duration: 'number',
  mesos_task_cpu: 'number',
  mesos_task_mem: 'number',
  mesos_task_disk: 'number',
  task_epsilon: 'number',
  mesos_role: 'string',
  user: 'string',
  webui_url: 'string',
  mesos_authentication_principal: 'string',
}

/** Real Chronos flags that configure what this Chronos does not have. */
const IGNORED: Record<string, Kind> = Object.fromEntries([
  ...['zk_hosts', 'zk_path', 'zk_timeout', 'cassandra_consistency', 'cassandra_contact_points', 'cassandra_keyspace', 'cassandra_port', 'cassandra_table', 'cassandra_ttl']
    .concat(['graphite_group_prefix', 'graphite_host_port', 'graphite_reporting_interval', 'mail_from', 'mail_password', 'mail_server', 'mail_ssl', 'mail_user'])
    .concat(['slack_channel', 'slack_token', 'slack_url', 'raven_dsn', 'cluster_name', 'reconciliation_interval', 'min_revive_offers_interval'])
    .concat(['leader_max_idle_time', 'mesos_checkpoint', 'http_credentials', 'http_realm', 'assets_path', 'schedule_horizon'])
    .map((f) => [f, 'string' as Kind]),
  ['revive_offers_for_new_jobs', 'bool' as Kind],
])

export interface ParsedFlags {
  flags: ChronosFlags
  /** Accepted flags that change nothing here, to log once. */
  ignored: string[]
  help: boolean
}

export function usage(): string {
  return [
    'Usage: node chronos.js [--master URL] [--http_port PORT] [--hostname HOST] [--mesos_framework_name NAME] [--state_dir DIR] [options]',
    '',
    '  --master URL                 the Mesos master (http://host:port or host:port); default: the master of the agent this runs on',
    '  --http_port PORT             the REST API port (default $PORT0, else 8080)',
    '  --hostname HOST              the advertised host (default $HOST, else localhost)',
    '  --http_address ADDR          the address the API binds (default the hostname when it is an IP, else 0.0.0.0)',
    '  --mesos_framework_name NAME  the framework name (default chronos)',
    '  --state_dir DIR              where jobs are stored (default $CHRONOS_STATE_DIR, else $MESOS_SANDBOX/state, else ./chronos-state)',
    '  --failover_timeout SECONDS   (604800)   --failure_retry MS (60000)   --disable_after_failures N (0)',
    '  --decline_offer_duration MS  (5000)     --task_epsilon SECONDS (60)',
    '  --mesos_task_cpu (0.1)  --mesos_task_mem MB (128)  --mesos_task_disk MB (256)  --mesos_role (*)  --user (root)',
    '  --webui_url URL  --mesos_authentication_principal NAME',
  ].join('\n')
}

export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): ParsedFlags {
  const values: Record<string, string> = {}
  const ignored: string[] = []
  let help = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--help' || arg === '-h') {
      help = true
      continue
    }
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`)
    const eq = arg.indexOf('=')
    const name = arg.slice(2, eq < 0 ? undefined : eq)
    const kind = KNOWN[name] ?? IGNORED[name]
    if (!kind) throw new UsageError(`unknown flag '--${name}'`)
    let value: string
    if (eq >= 0) value = arg.slice(eq + 1)
    else if (kind === 'bool') value = 'true'
    else {
      if (i + 1 >= argv.length) throw new UsageError(`flag '--${name}' needs a value`)
      value = argv[++i]
    }
    if (kind === 'number' && !/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`flag '--${name}' needs a non-negative number, not '${value}'`)
    if (IGNORED[name]) ignored.push(name)
    else values[name] = value
  }
  const n = (name: string, dflt: number) => (values[name] !== undefined ? Number(values[name]) : dflt)
  const port = values.http_port ?? env.PORT0 ?? '8080'
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new UsageError(`the HTTP port '${port}' is not a port number`)
  const hostname = values.hostname ?? env.HOST ?? 'localhost'
  const master = values.master
  if (master !== undefined && master.startsWith('zk://')) throw new UsageError(`--master ${master}: ZooKeeper master detection is not supported; give http://host:port, or leave --master out to use the agent's master`)
  const stateDir = values.state_dir ?? env.CHRONOS_STATE_DIR ?? (env.MESOS_SANDBOX ? `${env.MESOS_SANDBOX}/state` : 'chronos-state')
  const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.includes(':')
  return {
    help,
    ignored,
    flags: {
      ...(master !== undefined && {master}),
      httpPort: Number(port),
      hostname,
      httpAddress: values.http_address ?? (isIp ? hostname : hostname === 'localhost' ? '127.0.0.1' : '0.0.0.0'),
      frameworkName: values.mesos_framework_name ?? 'chronos',
      stateDir,
      failoverTimeoutSeconds: n('failover_timeout', 604800),
      failureRetryMs: n('failure_retry', 60_000),
      disableAfterFailures: n('disable_after_failures', 0),
      declineOfferMs: n('decline_offer_duration', 5000),
      taskCpus: n('mesos_task_cpu', 0.1),
      taskMem: n('mesos_task_mem', 128),
      taskDisk: n('mesos_task_disk', 256),
      taskEpsilonSeconds: n('task_epsilon', 60),
      role: values.mesos_role || '*',
      user: values.user || 'root',
      ...(values.webui_url && {webuiUrl: values.webui_url}),
      ...(values.mesos_authentication_principal && {principal: values.mesos_authentication_principal}),
    },
  }
}

/** `host:port` or a URL, as the driver wants it (`http://host:port[/path]`). */
export function masterUrl(master: string): string {
  return /^https?:\/\//.test(master) ? master : `http://${master}`
}
