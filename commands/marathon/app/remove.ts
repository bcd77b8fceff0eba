import {Args} from '@oclif/core'
import {DcosCommand} from '../../../src/cli/base'
import {deploymentFlags, WAIT_NOTE} from '../../../src/cli/marathon/flags'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

/** Prints nothing on success, as the real CLI. */
export default class MarathonAppRemove extends DcosCommand<{deploymentId: string}> {
  static override summary = 'Remove an application'
  static override description = WAIT_NOTE
  static override args = {'app-id': Args.string({ignoreStdin: true, required: true, description: 'the application ID'})}
  static override flags = {...deploymentFlags}
  static override examples = ['<%= config.bin %> marathon app remove /my-app', '<%= config.bin %> marathon app remove --wait /my-app']

  async run(): Promise<{deploymentId: string}> {
    const {args, flags} = await this.parse(MarathonAppRemove)
    const marathon = await this.marathon()
    const {deploymentId} = await marathon.removeApp(args['app-id'], {force: flags.force})
    if (flags.wait) await waitForDeployment(marathon, this.io, deploymentId, {signal: this.interruptSignal()})
    return {deploymentId}
  }
}
