import {Args} from '@oclif/core'
import type {QueueItem} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {queuedItem} from '../../../src/cli/marathon/queue'
import {queueSummaryTable} from '../../../src/cli/views/marathon'

export default class MarathonDebugSummary extends DcosCommand<QueueItem> {
  static override summary = "Print, per resource, what a waiting app asks for and how many of the last offers matched it"
  static override enableJsonFlag = true
  static override args = {'app-id': Args.string({required: true, ignoreStdin: true, description: 'the app or pod ID'})}
  static override examples = ['<%= config.bin %> marathon debug summary /my-app']

  async run(): Promise<QueueItem> {
    const {args} = await this.parse(MarathonDebugSummary)
    const item = queuedItem(await (await this.marathon()).queue(), args['app-id'])
    if (!this.jsonEnabled()) this.print(queueSummaryTable(item))
    return item
  }
}
