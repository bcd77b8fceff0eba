import {DcosCommand} from '../../../src/cli/base'
import {type MarathonLeader, marathonLeader} from '../../../src/cli/marathon/leader'
import {renderTable} from '../../../src/cli/table'

export default class MarathonLeaderShow extends DcosCommand<MarathonLeader> {
  static override summary = 'Display the leading Marathon instance'
  static override description = "Read from Marathon's /v2/leader (host:port); the IP is the host's address."
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> marathon leader show', '<%= config.bin %> marathon leader show --json']

  async run(): Promise<MarathonLeader> {
    await this.parse(MarathonLeaderShow)
    const leader = await marathonLeader(await this.marathon())
    if (!this.jsonEnabled()) {
      this.print(
        renderTable(
          [
            {header: 'HOST', value: (l: MarathonLeader) => l.host},
            {header: 'IP', value: (l) => l.ip, align: 'center'},
          ],
          [leader],
        ),
      )
    }
    return leader
  }
}
