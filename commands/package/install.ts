import {Args, Flags} from '@oclif/core'
import type {InstallResponse} from '../../src/clients/package-types'
import {DcosCommand} from '../../src/cli/base'
import {usageError} from '../../src/cli/errors'
import {installPackageCli, newCommandsLine, readOptionsFile, requireCliBinary} from '../../src/cli/package-install'
import {confirm} from '../../src/cli/prompt'
import {selectBinary} from '../../src/cli/subcommands'

/**
 * The PY/CORE install flow, its lines on stderr: pre-install notes, `Continue installing?
 * [yes/no]` (unless --yes; without a terminal an error naming --yes), `Installing Marathon app
 * for package [..] version [..]`, the package CLI (`New command available: dcos <name>`), then
 * the post-install notes. Mesosphere's catalog terms line is not printed: no such terms apply
 * to packages installed from a user's own repositories.
 */
export default class PackageInstall extends DcosCommand<Partial<InstallResponse>> {
  static override summary = 'Install a package'
  static override args = {'package-name': Args.string({required: true, description: 'name of the DC/OS package'})}
  static override flags = {
    app: Flags.boolean({description: 'Application only'}),
    cli: Flags.boolean({description: 'Command line only'}),
    'package-version': Flags.string({description: 'The package version'}),
    options: Flags.string({description: 'Path to a JSON file that contains customized package installation options'}),
    'app-id': Flags.string({description: 'The application ID'}),
    yes: Flags.boolean({description: 'Disable interactive mode and assume "yes" is the answer to all prompts'}),
  }
  static override examples = [
    '<%= config.bin %> package install hello --yes',
    '<%= config.bin %> package install hello --options hello.json --app-id /hello-2',
    '<%= config.bin %> package install hello --cli',
  ]

  async run(): Promise<Partial<InstallResponse>> {
    const {args, flags} = await this.parse(PackageInstall)
    if (flags.app && flags.cli) throw usageError('--app and --cli are mutually exclusive')
    if (flags.cli && (flags.options || flags['app-id'])) throw usageError('--options and --app-id install an app: they cannot be used with --cli')
    const options = flags.options ? readOptionsFile(flags.options) : undefined
    const packages = await this.packages()
    const {package: pkg} = await packages.describe(args['package-name'], flags['package-version'])
    const withApp = !flags.cli && Boolean(pkg.marathon?.v2AppMustacheTemplate)
    const withCli = !flags.app && (flags.cli || selectBinary(pkg.resource?.cli) !== undefined)
    if (flags.cli) requireCliBinary(pkg)
    // The CLI goes into the attached cluster's dir, checked before anything is installed. With
    // DCOS_URL alone (no configured cluster) there is none: the app is installed without its CLI.
    const clusterDir = withCli ? (flags.cli ? this.currentCluster() : this.configManager.tryCurrent())?.dir : undefined
    if (withCli && !clusterDir) this.warn(`the CLI of package [${pkg.name}] is not installed: no cluster is configured ('dcos cluster setup <url>').`)

    if (!flags.cli && pkg.preInstallNotes) this.notice(pkg.preInstallNotes)
    if (!flags.yes && !(await confirm(this.io, 'Continue installing? [yes/no] ', '--yes'))) {
      this.notice('Exiting installation.')
      this.exit(1)
    }

    let result: Partial<InstallResponse> = {packageName: pkg.name, packageVersion: pkg.version}
    if (withApp) {
      const appId = flags['app-id']
      this.notice(`Installing Marathon app for package [${pkg.name}] version [${pkg.version}]${appId ? ` with app id [${appId}]` : ''}`)
      result = await packages.install({
        packageName: pkg.name,
        packageVersion: pkg.version,
        ...(options ? {options} : {}),
        ...(appId ? {appId} : {}),
      })
    }
    if (withCli && clusterDir) {
      this.notice(`Installing CLI subcommand for package [${pkg.name}] version [${pkg.version}]`)
      const plugin = await installPackageCli(packages, clusterDir, pkg, result.cli ?? pkg.resource?.cli)
      this.notice(newCommandsLine(plugin))
    }
    const notes = result.postInstallNotes ?? pkg.postInstallNotes
    if (!flags.cli && notes) this.notice(notes)
    return result
  }
}
