import {Args, Flags} from '@oclif/core'
import type {MarathonGroup} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'

export default class MarathonGroupShow extends DcosCommand<MarathonGroup> {
  static override summary = 'Show a group (its apps and subgroups)'
  static override args = {'group-id': Args.string({ignoreStdin: true, required: true, description: 'the group ID'})}
  static override flags = {'group-version': Flags.string({description: 'the version of the group to show (ISO8601 date-time)'})}
  static override examples = ['<%= config.bin %> marathon group show /tools']

  async run(): Promise<MarathonGroup> {
    const {args, flags} = await this.parse(MarathonGroupShow)
    const group = await (await this.marathon()).group(args['group-id'], flags['group-version'])
    this.logJson(group)
    return group
  }
}
