import path from 'node:path'
import {Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {clusterUp} from '../../src/cli/clusters'
import {positiveNumberFlag} from '../../src/cli/flags'

export default class ClusterUp extends DcosCommand<void> {
  static override summary = 'Start a local cluster and attach to it'
  static override description =
    'Starts a Mesos-compatible master, agents that run tasks as processes, and a gateway on one URL. ' +
    'Running it again with the same name does nothing and prints the URL.'
  static override flags = {
    name: Flags.string({description: 'the cluster name', default: 'local'}),
    agents: Flags.integer({description: 'how many agents to start', default: 1, min: 1, max: 32}),
    cpus: positiveNumberFlag({description: 'CPUs each agent offers (default: detected)'}),
    mem: positiveNumberFlag({description: 'memory in MB each agent offers (default: detected)'}),
    'random-ports': Flags.boolean({hidden: true, description: 'listen on free ports (tests)'}),
    'agent-timeout': Flags.integer({
      hidden: true,
      min: 100,
      description: 'milliseconds without a heartbeat before an agent is marked unreachable',
    }),
  }
  static override examples = ['<%= config.bin %> cluster up', '<%= config.bin %> cluster up --agents 3']

  async run(): Promise<void> {
    const {flags} = await this.parse(ClusterUp)
    const {cluster, alreadyRunning} = await clusterUp(this.configManager, {
      name: flags.name,
      agents: flags.agents,
      cpus: flags.cpus,
      mem: flags.mem,
      randomPorts: flags['random-ports'],
      agentTimeoutMs: flags['agent-timeout'],
      runtimeJs: path.join(this.config.root, 'dist', 'runtime.js'),
      onNotice: (message) => this.notice(message),
    })
    this.print(alreadyRunning ? `Cluster '${cluster.name}' is already running at ${cluster.url}` : `Cluster '${cluster.name}' is up at ${cluster.url}`)
  }
}
