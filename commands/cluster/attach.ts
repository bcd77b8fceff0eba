import {Args} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'

export default class ClusterAttach extends DcosCommand<void> {
  static override summary = 'Attach the CLI to a cluster'
  static override args = {cluster: Args.string({required: true, description: 'the cluster name or ID'})}
  static override examples = ['<%= config.bin %> cluster attach local']

  async run(): Promise<void> {
    const {args} = await this.parse(ClusterAttach)
    const cluster = this.configManager.find(args.cluster)
    this.configManager.attach(cluster.id)
    this.notice(`Attached to cluster '${cluster.name}' (${cluster.id}).`)
  }
}
