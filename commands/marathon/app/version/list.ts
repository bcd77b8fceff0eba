import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../../../src/cli/base'
import {positiveCount} from '../../../../src/cli/marathon/flags'

export default class MarathonAppVersionList extends DcosCommand<string[]> {
  static override summary = 'List the version history of an application'
  static override args = {'app-id': Args.string({ignoreStdin: true, required: true, description: 'the application ID'})}
  static override flags = {
    'max-count': Flags.string({description: 'Maximum number of entries to fetch and return.'}),
  }
  static override examples = ['<%= config.bin %> marathon app version list --max-count=3 /my-app']

  async run(): Promise<string[]> {
    const {args, flags} = await this.parse(MarathonAppVersionList)
    const max = flags['max-count'] === undefined ? undefined : positiveCount(flags['max-count'])
    const versions = await (await this.marathon()).appVersions(args['app-id'])
    const shown = max === undefined ? versions : versions.slice(0, max)
    this.logJson(shown)
    return shown
  }
}
