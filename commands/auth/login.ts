import {Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {login} from '../../src/cli/login'

export default class AuthLogin extends DcosCommand<void> {
  static override summary = 'Log in to the current cluster'
  static override description =
    'Trades a username and password for a token and stores it: in the OS keychain when one is available, ' +
    "else in the cluster's dcos.toml, readable only by you. On a terminal, what is not given is asked for " +
    '(the password without echo). Without a terminal the password must come from --password-file or --password-env.'
  static override flags = {
    username: Flags.string({description: 'the username (default: $DCOS_USERNAME, else asked for)'}),
    password: Flags.string({
      description: 'the password (other users can see it in the process list: prefer --password-file or --password-env)',
      exclusive: ['password-file', 'password-env'],
    }),
    'password-file': Flags.string({description: 'a file whose first line is the password', exclusive: ['password', 'password-env']}),
    'password-env': Flags.string({description: 'the environment variable that holds the password', exclusive: ['password', 'password-file']}),
  }
  static override examples = [
    '<%= config.bin %> auth login',
    '<%= config.bin %> auth login --username alice --password-file ~/.dcos-password',
    '<%= config.bin %> auth login --username alice --password-env DCOS_PW',
  ]

  async run(): Promise<void> {
    const {flags} = await this.parse(AuthLogin)
    if (flags.password) this.secret(flags.password)
    const cluster = this.currentCluster()
    const result = await login(
      {
        cluster,
        store: this.credentials,
        io: this.io,
        env: this.env,
        dcosDir: this.configManager.dcosDir,
        keep: (secret) => this.secret(secret),
        notice: (message) => this.notice(message),
      },
      {username: flags.username, password: flags.password, passwordFile: flags['password-file'], passwordEnv: flags['password-env']},
    )
    if (result.disabled) this.notice(`Authentication is not enabled on cluster '${cluster.name}': no login is needed.`)
    if (this.env.DCOS_ACS_TOKEN) this.warn('DCOS_ACS_TOKEN is set: commands send that token, not the one just stored.')
  }
}
