import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {clusterSetup} from '../../src/cli/clusters'

export default class ClusterSetup extends DcosCommand<void> {
  static override summary = 'Set up the CLI to use an existing DC/OS cluster and attach to it'
  static override args = {url: Args.string({required: true, description: 'the cluster URL, e.g. https://dcos.example.com'})}
  static override flags = {
    name: Flags.string({description: 'a name for the cluster'}),
    insecure: Flags.boolean({description: 'do not verify TLS certificates (core.ssl_verify false)'}),
  }
  static override examples = ['<%= config.bin %> cluster setup https://dcos.example.com --name prod']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ClusterSetup)
    const cluster = await clusterSetup(this.configManager, {url: args.url, name: flags.name, insecure: flags.insecure})
    this.notice(`Cluster '${cluster.name}' (${cluster.id}) is set up and attached.`)
  }
}
