import {Args} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'

export default class ConfigUnset extends DcosCommand<void> {
  static override summary = 'Remove a property from the configuration of the current cluster'
  static override args = {name: Args.string({required: true, description: 'the property, e.g. core.timeout'})}
  static override examples = ['<%= config.bin %> config unset core.timeout']

  async run(): Promise<void> {
    const {args} = await this.parse(ConfigUnset)
    const cluster = this.currentCluster()
    const message = cluster.unset(args.name)
    cluster.persist()
    this.notice(message)
  }
}
