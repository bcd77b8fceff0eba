import {Args} from '@oclif/core'
import type {QueueItem} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {queuedItem} from '../../../src/cli/marathon/queue'
import {queueDetailsTable} from '../../../src/cli/views/marathon'

export default class MarathonDebugDetails extends DcosCommand<QueueItem['lastUnusedOffers']> {
  static override summary = "Print each agent's last offer that a waiting app declined, and what did not fit"
  static override enableJsonFlag = true
  static override args = {'app-id': Args.string({required: true, ignoreStdin: true, description: 'the app or pod ID'})}
  static override examples = ['<%= config.bin %> marathon debug details /my-app']

  async run(): Promise<QueueItem['lastUnusedOffers']> {
    const {args} = await this.parse(MarathonDebugDetails)
    const item = queuedItem(await (await this.marathon()).queue({lastUnusedOffers: true}), args['app-id'])
    if (!this.jsonEnabled()) this.print(queueDetailsTable(item))
    return item.lastUnusedOffers ?? []
  }
}
