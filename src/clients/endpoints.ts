/**
 * Where a cluster's public APIs live, resolved from the configuration (dcos.toml plus
 * environment). Clients are built from this and nothing else, so they never read config files.
 */
export interface ClusterEndpoints {
  /** core.dcos_url: the admin-router/gateway URL, no trailing slash. */
  dcosUrl?: string
  /** core.mesos_master_url: talk to the master directly (and to agents by their pid). */
  mesosMasterUrl?: string
  /** marathon.url, else `<dcosUrl>/service/marathon`. */
  marathonUrl?: string
  /** package.cosmos_url, else `<dcosUrl>`. */
  cosmosUrl?: string
  /** core.dcos_acs_token, sent as `Authorization: token=<token>`. */
  token?: string
  /** core.timeout in ms: how long a request may stay silent. */
  timeoutMs: number
  /** core.ssl_verify: true, false, or a CA bundle path. */
  sslVerify: boolean | string
}
