import {DcosCommand} from '../../src/cli/base'
import {logout} from '../../src/cli/login'

export default class AuthLogout extends DcosCommand<void> {
  static override summary = 'Log out of the current cluster'
  static override description =
    'Asks the cluster to revoke the stored token, then removes it from the keychain and from dcos.toml. ' +
    'Logging out when not logged in is not an error.'
  static override examples = ['<%= config.bin %> auth logout']

  async run(): Promise<void> {
    await this.parse(AuthLogout)
    await logout(this.currentCluster(), this.credentials)
    if (this.env.DCOS_ACS_TOKEN) this.warn('DCOS_ACS_TOKEN is set: commands still send that token.')
  }
}
