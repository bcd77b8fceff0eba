/**
 * The ACS token mesos-execute sends as `Authorization: token=<jwt>`: `DCOS_ACS_TOKEN`, else the
 * token `dcos auth login` (or `dcos cluster up`) stored for the current dcos cluster
 * (DCOS_CLUSTER, else the attached one). The stored token goes only to that cluster's own URL
 * (core.dcos_url or core.mesos_master_url, same origin) or, for a local cluster, its master's own
 * address (as Mesos tutorials give it: `--master=127.0.0.1:5050`), never to a master elsewhere. A token
 * is never taken from the command line, where other users could read it.
 *
 * The CLI's config and credential modules are loaded only when the environment has no token.
 */
import path from 'node:path'

export async function acsToken(masterUrl: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.DCOS_ACS_TOKEN) return env.DCOS_ACS_TOKEN
  const [{ConfigManager}, {CredentialStore}, {ClusterDir}] = await Promise.all([
    import('../../cli/config'),
    import('../../cli/credentials'),
    import('../../runtime/cluster/cluster-dir'),
  ])
  try {
    const cluster = ConfigManager.fromEnv(env).tryCurrent()
    if (!cluster) return undefined
    const origin = new URL(masterUrl).origin
    const configured = ['core.dcos_url', 'core.mesos_master_url'].map((key) => cluster.get(key))
    const masters = Object.entries(new ClusterDir(path.join(cluster.dir, 'local')).readState()?.components ?? {})
      .filter(([name]) => name === 'master')
      .map(([, c]) => c.url)
    const own = [...configured, ...masters].some((url) => typeof url === 'string' && URL.canParse(url) && new URL(url).origin === origin)
    if (!own) return undefined
    return (await new CredentialStore().readStored(cluster))?.token
  } catch {
    // An unreadable config is no token: the master's 401 then says what to do.
    return undefined
  }
}
