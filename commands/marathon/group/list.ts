import type {MarathonGroup} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {groupTable} from '../../../src/cli/views/marathon'

export default class MarathonGroupList extends DcosCommand<MarathonGroup[]> {
  static override summary = 'List the groups (with the number of apps in each, subgroups included)'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> marathon group list']

  async run(): Promise<MarathonGroup[]> {
    await this.parse(MarathonGroupList)
    const groups = (await (await this.marathon()).groups()).groups ?? []
    // prettytable prints nothing at all for a table without rows (the real CLI's behaviour).
    if (!this.jsonEnabled() && groups.length > 0) this.print(groupTable(groups))
    return groups
  }
}
