import {Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {fetchNodes, type NodeJson, nodeTable} from '../../src/cli/views/nodes'

export default class NodeList extends DcosCommand<NodeJson[]> {
  static override summary = 'Show all nodes in the cluster'
  static override enableJsonFlag = true
  static override flags = {
    field: Flags.string({
      description: 'an extra column from the node JSON, as a dotted path (used_resources.cpus) or NAME:path; repeatable',
      multiple: true,
    }),
    'mesos-id': Flags.string({description: 'only the node with this Mesos ID'}),
  }
  static override examples = ['<%= config.bin %> node list', '<%= config.bin %> node list --field used_resources.cpus']

  async run(): Promise<NodeJson[]> {
    const {flags} = await this.parse(NodeList)
    const nodes = await fetchNodes(await this.mesos(), flags['mesos-id'])
    if (!this.jsonEnabled()) this.print(nodeTable(nodes, flags.field ?? []))
    return nodes
  }
}
