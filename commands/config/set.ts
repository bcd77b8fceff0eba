import {Args} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {CONFIG_KEYS} from '../../src/cli/config'

export default class ConfigSet extends DcosCommand<void> {
  static override summary = 'Add or set a property in the configuration of the current cluster'
  static override description = `The properties that can be set are: ${CONFIG_KEYS.map((k) => k.key).join(', ')}.`
  static override args = {
    name: Args.string({required: true, description: 'the property, e.g. core.timeout'}),
    value: Args.string({required: true, description: 'the new value'}),
  }
  static override examples = ['<%= config.bin %> config set core.timeout 10']

  async run(): Promise<void> {
    const {args} = await this.parse(ConfigSet)
    const cluster = this.currentCluster()
    const message = cluster.set(args.name, args.value)
    cluster.persist()
    this.notice(message)
  }
}
