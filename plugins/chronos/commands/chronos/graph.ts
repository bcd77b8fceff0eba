import {Flags} from '@oclif/core'
import {DcosCommand} from '../../../../src/cli/base'
import {ChronosApi, serviceFlag} from '../../chronos-client'

/** `dcos chronos graph`: the job dependency graph, as Graphviz dot (or Chronos's csv). */
export default class ChronosGraph extends DcosCommand<{graph: string}> {
  static override summary = 'Print the Chronos job dependency graph (Graphviz dot)'
  static override flags = {...serviceFlag, csv: Flags.boolean({description: "Chronos's csv form: node,<name>,<last state>,<state> and link,<parent>,<child> lines"})}
  static override examples = ['<%= config.bin %> chronos graph | dot -Tpng > jobs.png', '<%= config.bin %> chronos graph --csv']

  async run(): Promise<{graph: string}> {
    const {flags} = await this.parse(ChronosGraph)
    const graph = await new ChronosApi(await this.http(), flags.name).text(flags.csv ? 'graph/csv' : 'graph/dot')
    this.print(graph.replace(/\n$/, ''))
    return {graph}
  }
}
