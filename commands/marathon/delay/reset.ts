import {Args} from '@oclif/core'
import {DcosCommand} from '../../../src/cli/base'

export default class MarathonDelayReset extends DcosCommand<void> {
  static override summary = "Reset an app's launch delay after failures, so that it launches again at once"
  static override description = 'DELETE /v2/queue/<app-id>/delay. The backoff starts over with the next failure.'
  static override args = {'app-id': Args.string({required: true, ignoreStdin: true, description: 'the app ID'})}
  static override examples = ['<%= config.bin %> marathon delay reset /my-app']

  async run(): Promise<void> {
    const {args} = await this.parse(MarathonDelayReset)
    await (await this.marathon()).resetDelay(args['app-id'])
  }
}
