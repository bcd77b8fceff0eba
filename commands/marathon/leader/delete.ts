import {DcosCommand} from '../../../src/cli/base'

export default class MarathonLeaderDelete extends DcosCommand<void> {
  static override summary = 'Make the leading Marathon abdicate (a leader is elected again)'
  static override description =
    "DELETE /v2/leader. The local cluster's single Marathon is elected again at once and re-subscribes to the master with its framework id; its tasks keep running."
  static override examples = ['<%= config.bin %> marathon leader delete']

  async run(): Promise<void> {
    await this.parse(MarathonLeaderDelete)
    this.notice(await (await this.marathon()).abdicate())
  }
}
