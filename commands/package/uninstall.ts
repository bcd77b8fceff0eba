import {Args, Flags} from '@oclif/core'
import type {UninstallResult} from '../../src/clients/package-types'
import {DcosCommand} from '../../src/cli/base'
import {DcosError, usageError} from '../../src/cli/errors'
import {confirmByTyping} from '../../src/cli/package-install'
import {listPlugins, removePlugin} from '../../src/cli/subcommands'

/**
 * CORE's uninstall: the package's installs are counted first; unless --yes, a warning and a typed
 * confirmation; then Cosmos uninstalls (and tears the framework down), and the package CLI goes
 * when no install of the package remains.
 */
export default class PackageUninstall extends DcosCommand<UninstallResult[]> {
  static override summary = 'Uninstall a package'
  static override args = {'package-name': Args.string({required: true, description: 'name of the DC/OS package'})}
  static override flags = {
    'app-id': Flags.string({description: 'The application ID'}),
    all: Flags.boolean({description: 'All applications'}),
    app: Flags.boolean({description: 'Application only (keep the package CLI)'}),
    cli: Flags.boolean({description: 'Command line only'}),
    yes: Flags.boolean({description: 'Disable interactive mode and assume "yes" is the answer to all prompts'}),
  }
  static override examples = [
    '<%= config.bin %> package uninstall hello --yes',
    '<%= config.bin %> package uninstall hello --app-id /hello-2 --yes',
    '<%= config.bin %> package uninstall hello --all --yes',
  ]

  async run(): Promise<UninstallResult[]> {
    const {args, flags} = await this.parse(PackageUninstall)
    const name = args['package-name']
    if (flags.cli && (flags.app || flags['app-id'] || flags.all)) throw usageError('--cli cannot be used with --app, --app-id, or --all')
    if (flags['app-id'] && flags.all) throw usageError('--app-id and --all are mutually exclusive')
    const cluster = this.configManager.tryCurrent()
    const hasCli = cluster ? listPlugins(cluster.dir).some((p) => (p.package?.name ?? p.name) === name) : false
    if (flags.cli) return this.#removeCli(cluster?.dir, name, hasCli)

    const packages = await this.packages()
    const installed = (await packages.list({packageName: name})).packages.filter((p) => p.packageInformation?.packageDefinition?.name === name)
    if (installed.length === 0 && hasCli && !flags.app) return this.#removeCli(cluster?.dir, name, hasCli)
    if (installed.length === 0) {
      throw new DcosError('NOT_FOUND', `Package [${name}] is not installed`, {hint: "Run 'dcos package list' to see the installed packages."})
    }
    if (!flags.yes) {
      const target = flags['app-id'] ?? name
      this.notice(
        flags.all
          ? `WARNING: This action cannot be undone. This will uninstall all instances of the [${name}] package, and delete all data for all ${name} instances.`
          : `WARNING: This action cannot be undone. This will uninstall [${target}] and delete all of its persistent data (logs, configurations, database artifacts, everything).`,
      )
      if (flags.all) await confirmByTyping(this.io, `Please type 'uninstall all ${name}': `, `uninstall all ${name}`)
      else if (flags['app-id']) await confirmByTyping(this.io, 'Please type the full name of the app ID to confirm: ', target)
      else await confirmByTyping(this.io, 'Please type the name of the service to confirm: ', name)
    }
    const {results} = await packages.uninstall({packageName: name, ...(flags['app-id'] ? {appId: flags['app-id']} : {}), ...(flags.all ? {all: true} : {})})
    for (const r of results) {
      this.notice(`Uninstalled package [${r.packageName}] version [${r.packageVersion ?? ''}]`)
      if (r.postUninstallNotes) this.notice(r.postUninstallNotes)
    }
    if (!flags.app && hasCli && cluster && (flags.all || installed.length === 1)) removePlugin(cluster.dir, name)
    return results
  }

  #removeCli(clusterDir: string | undefined, name: string, hasCli: boolean): UninstallResult[] {
    if (!clusterDir || !hasCli || !removePlugin(clusterDir, name)) {
      throw new DcosError('NOT_FOUND', `Package [${name}] has no CLI installed`, {hint: "Run 'dcos package list --cli' to see the installed CLIs."})
    }
    this.notice(`Removed the CLI subcommand of package [${name}]`)
    return []
  }
}
