import {Args} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {configShowText} from '../../src/cli/config'
import {TOKEN_KEY} from '../../src/cli/credentials'
import {DcosError} from '../../src/cli/errors'

export default class ConfigShow extends DcosCommand<void> {
  static override summary = 'Print the configuration of the current cluster'
  static override description =
    'The ACS token is masked unless its property is named explicitly; it is read from the OS keychain when it is kept there.'
  static override args = {name: Args.string({description: 'a property name, e.g. core.dcos_url'})}
  static override examples = ['<%= config.bin %> config show', '<%= config.bin %> config show core.dcos_url']

  async run(): Promise<void> {
    const {args} = await this.parse(ConfigShow)
    const cluster = this.currentCluster()
    if (args.name === TOKEN_KEY) {
      const stored = await this.credentials.read(cluster)
      if (!stored) throw new DcosError('CONFIG_MISSING', `Property '${TOKEN_KEY}' doesn't exist`)
      this.io.out.write(`${stored.token}\n`)
    } else if (args.name) {
      this.io.out.write(`${cluster.show(args.name)}\n`)
    } else {
      const keychainToken = cluster.get(TOKEN_KEY) === undefined && (await this.credentials.readStored(cluster))?.source === 'keychain'
      this.io.out.write(configShowText(cluster, {keychainToken}))
    }
  }
}
