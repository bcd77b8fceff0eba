import {Args} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {TOKEN_KEY} from '../../src/cli/credentials'
import {DcosError} from '../../src/cli/errors'

export default class ConfigUnset extends DcosCommand<void> {
  static override summary = 'Remove a property from the configuration of the current cluster'
  static override description = 'Unsetting core.dcos_acs_token also removes the token from the OS keychain.'
  static override args = {name: Args.string({required: true, description: 'the property, e.g. core.timeout'})}
  static override examples = ['<%= config.bin %> config unset core.timeout']

  async run(): Promise<void> {
    const {args} = await this.parse(ConfigUnset)
    const cluster = this.currentCluster()
    if (args.name === TOKEN_KEY) {
      if (!(await this.credentials.clear(cluster))) throw new DcosError('CONFIG_MISSING', `Property '${TOKEN_KEY}' doesn't exist`)
      this.notice(`Removed [${TOKEN_KEY}]`)
      return
    }
    const message = cluster.unset(args.name)
    cluster.persist()
    this.notice(message)
  }
}
