import {Args} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {CONFIG_KEYS} from '../../src/cli/config'
import {TOKEN_KEY} from '../../src/cli/credentials'

export default class ConfigSet extends DcosCommand<void> {
  static override summary = 'Add or set a property in the configuration of the current cluster'
  static override description =
    `The properties that can be set are: ${CONFIG_KEYS.map((k) => k.key).join(', ')}. ` +
    'Changing core.dcos_url removes the token, from the OS keychain too.'
  static override args = {
    name: Args.string({required: true, description: 'the property, e.g. core.timeout'}),
    value: Args.string({required: true, description: 'the new value'}),
  }
  static override examples = ['<%= config.bin %> config set core.timeout 10']

  async run(): Promise<void> {
    const {args} = await this.parse(ConfigSet)
    const cluster = this.currentCluster()
    const url = cluster.fileValue('core.dcos_url')
    let message = cluster.set(args.name, args.value)
    cluster.persist()
    // A token belongs to the URL it was issued by.
    const urlChanged = args.name === 'core.dcos_url' && url !== undefined && url !== cluster.fileValue('core.dcos_url')
    if (urlChanged && (await this.credentials.clear(cluster)) && !message.includes(TOKEN_KEY)) message += `\n[${TOKEN_KEY}]: removed`
    this.notice(message)
  }
}
