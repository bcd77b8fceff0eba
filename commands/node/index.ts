import NodeList from './list'

/** Plain `dcos node` lists the nodes, as the real CLI does. */
export default class Node extends NodeList {
  static override summary = 'View DC/OS node information (alone: same as `dcos node list`)'
  static override hidden = true
  static override examples = ['<%= config.bin %> node']
}
