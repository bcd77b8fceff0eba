import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {removeClusters} from '../../src/cli/clusters'

export default class ClusterRemove extends DcosCommand<void> {
  static override summary = 'Remove a configured cluster'
  static override description = "Forgets the cluster's configuration. A running local cluster must be stopped first."
  static override args = {cluster: Args.string({description: 'the cluster name or ID'})}
  static override flags = {all: Flags.boolean({description: 'remove all configured clusters'})}
  static override examples = ['<%= config.bin %> cluster remove my-cluster']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ClusterRemove)
    for (const name of await removeClusters(this.configManager, {nameOrId: args.cluster, all: flags.all, store: this.credentials})) {
      this.notice(`Removed cluster '${name}'.`)
    }
  }
}
