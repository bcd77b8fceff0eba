import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {clusterDown} from '../../src/cli/clusters'

export default class ClusterDown extends DcosCommand<void> {
  static override summary = 'Stop a local cluster'
  static override description = 'Stops the attached local cluster, or the one named. Its tasks are killed.'
  static override args = {cluster: Args.string({description: 'the cluster name or ID (default: the attached cluster)'})}
  static override flags = {
    purge: Flags.boolean({description: "also delete the cluster's state and configuration"}),
  }
  static override examples = ['<%= config.bin %> cluster down', '<%= config.bin %> cluster down local --purge']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ClusterDown)
    const {cluster, wasRunning} = await clusterDown(this.configManager, args.cluster, {purge: flags.purge, store: this.credentials})
    if (!wasRunning && !flags.purge) this.notice(`Cluster '${cluster.name}' is not running.`)
    else this.notice(flags.purge ? `Cluster '${cluster.name}' is down and purged.` : `Cluster '${cluster.name}' is down.`)
  }
}
