import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {readOptionsFile} from '../../src/cli/package-install'
import {versionsNewestFirst} from '../../src/cli/views/packages'

/** Like PY `_describe`: the whole definition, or only the parts asked for, as JSON (the template as text). */
export default class PackageDescribe extends DcosCommand<unknown> {
  static override summary = 'Get specific details for packages'
  static override args = {'package-name': Args.string({required: true, description: 'name of the DC/OS package'})}
  static override flags = {
    app: Flags.boolean({description: 'Application only: print the marathon.json template'}),
    render: Flags.boolean({
      description: 'Collate the `marathon.json` package template with values from the `config.json` and `--options`',
      dependsOn: ['app'],
    }),
    cli: Flags.boolean({description: 'Command line only: print the CLI definition'}),
    config: Flags.boolean({description: 'Print the configurable properties of the `marathon.json` file'}),
    options: Flags.string({description: 'Path to a JSON file that contains customized package installation options'}),
    'package-version': Flags.string({description: 'The package version'}),
    'package-versions': Flags.boolean({description: 'Print all versions for this package'}),
  }
  static override examples = [
    '<%= config.bin %> package describe hello',
    '<%= config.bin %> package describe hello --config',
    '<%= config.bin %> package describe hello --app --render --options hello.json',
    '<%= config.bin %> package describe hello --package-versions',
  ]

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(PackageDescribe)
    const name = args['package-name']
    const options = flags.options ? readOptionsFile(flags.options) : undefined
    const packages = await this.packages()
    if (flags['package-versions']) {
      const versions = versionsNewestFirst((await packages.listVersions(name)).results ?? {})
      this.logJson(versions)
      return versions
    }
    const described = await packages.describe(name, flags['package-version'])
    if (!flags.app && !flags.cli && !flags.config) {
      this.logJson(described)
      return described
    }
    const pkg = described.package
    if (flags.cli) this.logJson(pkg.resource?.cli ?? pkg.command ?? {})
    if (flags.app) {
      if (flags.render) {
        const {marathonJson} = await packages.render({packageName: pkg.name, packageVersion: pkg.version, ...(options ? {options} : {})})
        this.logJson(marathonJson)
      } else {
        const template = pkg.marathon?.v2AppMustacheTemplate
        this.print(template ? Buffer.from(template, 'base64').toString('utf8').replace(/\n$/, '') : '{}')
      }
    }
    if (flags.config) this.logJson(pkg.config ?? {})
    return described
  }
}
