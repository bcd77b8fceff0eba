import {Args} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {configShowText} from '../../src/cli/config'

export default class ConfigShow extends DcosCommand<void> {
  static override summary = 'Print the configuration of the current cluster'
  static override description = 'The ACS token is masked unless its property is named explicitly.'
  static override args = {name: Args.string({description: 'a property name, e.g. core.dcos_url'})}
  static override examples = ['<%= config.bin %> config show', '<%= config.bin %> config show core.dcos_url']

  async run(): Promise<void> {
    const {args} = await this.parse(ConfigShow)
    const cluster = this.currentCluster()
    this.io.out.write(args.name ? `${cluster.show(args.name)}\n` : configShowText(cluster))
  }
}
