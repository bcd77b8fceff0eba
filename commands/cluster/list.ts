import {Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {type ClusterItem, clusterTable, listClusters} from '../../src/cli/clusters'
import {DcosError} from '../../src/cli/errors'

export default class ClusterList extends DcosCommand<ClusterItem[]> {
  static override summary = 'List the configured clusters'
  static override enableJsonFlag = true
  static override flags = {
    attached: Flags.boolean({description: 'only the attached cluster'}),
  }
  static override examples = ['<%= config.bin %> cluster list', '<%= config.bin %> cluster list --json']

  async run(): Promise<ClusterItem[]> {
    const {flags} = await this.parse(ClusterList)
    let items = await listClusters(this.configManager)
    if (flags.attached) {
      items = items.filter((i) => i.attached)
      if (items.length === 0) {
        throw new DcosError('NOT_ATTACHED', 'no cluster is attached.', {hint: "Please run 'dcos cluster attach <cluster-name>'."})
      }
    }
    if (!this.jsonEnabled()) {
      if (items.length === 0) this.notice("No clusters are configured. Run 'dcos cluster up' or 'dcos cluster setup <url>'.")
      else this.print(clusterTable(items))
    }
    return items
  }
}
