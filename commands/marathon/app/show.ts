import {Args, Flags} from '@oclif/core'
import type {MarathonApp} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {resolveAppVersion} from '../../../src/cli/marathon/versions'

export default class MarathonAppShow extends DcosCommand<MarathonApp> {
  static override summary = 'Show the marathon.json for an application'
  static override args = {'app-id': Args.string({ignoreStdin: true, required: true, description: 'the application ID'})}
  static override flags = {
    'app-version': Flags.string({
      description:
        'The version of the application to use: an ISO8601 date-time, or a negative integer counting back from the currently deployed version.',
    }),
  }
  static override examples = ['<%= config.bin %> marathon app show /my-app', '<%= config.bin %> marathon app show --app-version=-1 /my-app']

  async run(): Promise<MarathonApp> {
    const {args, flags} = await this.parse(MarathonAppShow)
    const marathon = await this.marathon()
    const version = flags['app-version'] === undefined ? undefined : await resolveAppVersion(marathon, args['app-id'], flags['app-version'])
    const app = version === undefined ? await marathon.app(args['app-id']) : await marathon.appVersion(args['app-id'], version)
    this.logJson(app)
    return app
  }
}
