import type {MarathonInfo} from '../../src/clients/marathon-types'
import {DcosCommand} from '../../src/cli/base'

export default class MarathonAbout extends DcosCommand<MarathonInfo> {
  static override summary = 'Print info.json for DC/OS Marathon'
  static override description = "Marathon's /v2/info: its version, leader, framework ID and configuration."
  static override examples = ['<%= config.bin %> marathon about']

  async run(): Promise<MarathonInfo> {
    await this.parse(MarathonAbout)
    const info = await (await this.marathon()).info()
    this.logJson(info)
    return info
  }
}
