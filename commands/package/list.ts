import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {DcosError} from '../../src/cli/errors'
import {listPlugins} from '../../src/cli/subcommands'
import {filterInstalled, type InstalledEntry, installedEntries, installedTable} from '../../src/cli/views/packages'

export default class PackageList extends DcosCommand<InstalledEntry[]> {
  static override summary = 'Print a list of the installed DC/OS packages'
  static override enableJsonFlag = true
  static override args = {'package-name': Args.string({description: 'show only packages whose name or app ID contains this'})}
  static override flags = {
    'app-id': Flags.string({description: 'The application ID'}),
    cli: Flags.boolean({description: 'Command line only: the installed package CLIs'}),
  }
  static override examples = ['<%= config.bin %> package list', '<%= config.bin %> package list hello --json']

  async run(): Promise<InstalledEntry[]> {
    const {args, flags} = await this.parse(PackageList)
    const cluster = this.configManager.tryCurrent()
    const plugins = cluster ? listPlugins(cluster.dir) : []
    const installs = flags.cli ? [] : (await (await this.packages()).list(flags['app-id'] ? {appId: flags['app-id']} : {})).packages
    let entries = filterInstalled(installedEntries(installs, plugins), args['package-name'], flags['app-id'])
    if (flags.cli) entries = entries.filter((e) => e.command)
    if (this.jsonEnabled()) return entries
    if (entries.length === 0) {
      if (args['package-name'] || flags['app-id']) throw new DcosError('NO_MATCH', 'cannot find packages matching the provided filter')
      throw new DcosError('NO_MATCH', 'There are currently no installed packages.', {
        hint: "Please use 'dcos package install' to install a package.",
      })
    }
    this.print(installedTable(entries))
    return entries
  }
}
