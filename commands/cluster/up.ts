import path from 'node:path'
import {Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {clusterUp} from '../../src/cli/clusters'
import {positiveNumberFlag} from '../../src/cli/flags'
import {loginLocalAdmin} from '../../src/cli/login'

export default class ClusterUp extends DcosCommand<void> {
  static override summary = 'Start a local cluster and attach to it'
  static override description =
    'Starts a Mesos-compatible master, agents that run tasks as processes, and a gateway on one URL. ' +
    'Running it again with the same name does nothing and prints the URL. The cluster checks a token on ' +
    'every request; its admin credential is written for you only, and the CLI is logged in with it.'
  static override flags = {
    name: Flags.string({description: 'the cluster name', default: 'local'}),
    agents: Flags.integer({description: 'how many agents to start', default: 1, min: 1, max: 32}),
    cpus: positiveNumberFlag({description: 'CPUs each agent offers (default: detected)'}),
    mem: positiveNumberFlag({description: 'memory in MB each agent offers (default: detected)'}),
    auth: Flags.boolean({
      description: 'check a token on every request; --no-auth only on a loopback address (anyone on this machine controls the cluster)',
      default: true,
      allowNo: true,
    }),
    host: Flags.string({description: 'the address the gateway listens on (default: 127.0.0.1; a restart keeps the previous one)'}),
    'public-url': Flags.string({
      description:
        'the URL others reach the gateway at, http(s)://host[:port] without a path; URLs the cluster hands out (package artifacts, login endpoints) use it (default: the --host address, 127.0.0.1 for 0.0.0.0; a restart keeps the previous one)',
    }),
    'random-ports': Flags.boolean({hidden: true, description: 'listen on free ports (tests)'}),
    'agent-timeout': Flags.integer({
      hidden: true,
      min: 100,
      description: 'milliseconds without a heartbeat before an agent is marked unreachable',
    }),
  }
  static override examples = [
    '<%= config.bin %> cluster up',
    '<%= config.bin %> cluster up --agents 3',
    '<%= config.bin %> cluster up --host 0.0.0.0 --public-url http://dcos.example.com:8080',
  ]

  async run(): Promise<void> {
    const {flags} = await this.parse(ClusterUp)
    const {cluster, alreadyRunning} = await clusterUp(this.configManager, {
      name: flags.name,
      agents: flags.agents,
      cpus: flags.cpus,
      mem: flags.mem,
      auth: flags.auth,
      host: flags.host,
      publicUrl: flags['public-url'],
      randomPorts: flags['random-ports'],
      agentTimeoutMs: flags['agent-timeout'],
      runtimeJs: path.join(this.config.root, 'dist', 'runtime.js'),
      onNotice: (message) => this.notice(message),
    })
    if (alreadyRunning && cluster.auth !== flags.auth) {
      this.notice(`Cluster '${cluster.name}' is already running with authentication ${cluster.auth ? 'on' : 'off'}; --${flags.auth ? '' : 'no-'}auth applies when it starts.`)
    }
    if (alreadyRunning && flags['public-url'] !== undefined && new URL(flags['public-url']).origin !== cluster.publicUrl) {
      this.notice(`Cluster '${cluster.name}' is already running with public URL ${cluster.publicUrl ?? 'of its bound address'}; --public-url applies when it starts.`)
    }
    if (!cluster.auth) {
      // Starting it, the lifecycle library said so itself; a running cluster gets the reminder here.
      if (alreadyRunning) this.warn(`authentication is off: anyone who can reach ${new URL(cluster.url).host} on this machine controls the cluster.`)
    } else if (cluster.adminCredentialFile) {
      // Every up (new, restarted or already running) logs in afresh, so a stale token never lingers.
      const config = this.configManager.open(cluster.id)
      try {
        await loginLocalAdmin(config, cluster.adminCredentialFile, this.credentials)
      } catch (error) {
        this.warn(`cluster '${cluster.name}' is up, but logging in as its admin failed (${(error as Error).message}). Run 'dcos auth login'.`)
      }
    }
    this.print(alreadyRunning ? `Cluster '${cluster.name}' is already running at ${cluster.url}` : `Cluster '${cluster.name}' is up at ${cluster.url}`)
    if (cluster.publicUrl !== undefined) this.print(`Public URL: ${cluster.publicUrl}`)
  }
}
