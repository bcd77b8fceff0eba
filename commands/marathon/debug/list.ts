import type {QueueItem} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {queueTable} from '../../../src/cli/views/marathon'

export default class MarathonDebugList extends DcosCommand<QueueItem[]> {
  static override summary = 'Print the apps and pods waiting to launch, and what the offers they saw said'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> marathon debug list', '<%= config.bin %> marathon debug list --json']

  async run(): Promise<QueueItem[]> {
    await this.parse(MarathonDebugList)
    const queue = await (await this.marathon()).queue()
    if (!this.jsonEnabled()) this.print(queueTable(queue))
    return queue
  }
}
