import {Args} from '@oclif/core'
import {DcosCommand} from '../../../src/cli/base'
import {deploymentFlags, WAIT_NOTE} from '../../../src/cli/marathon/flags'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

/** Prints nothing on success, as the real CLI. */
export default class MarathonGroupRemove extends DcosCommand<{deploymentId: string}> {
  static override summary = 'Remove a group and all its apps'
  static override description = WAIT_NOTE
  static override args = {'group-id': Args.string({ignoreStdin: true, required: true, description: 'the group ID'})}
  static override flags = {...deploymentFlags}
  static override examples = ['<%= config.bin %> marathon group remove /tools --wait']

  async run(): Promise<{deploymentId: string}> {
    const {args, flags} = await this.parse(MarathonGroupRemove)
    const marathon = await this.marathon()
    const {deploymentId} = await marathon.removeGroup(args['group-id'], {force: flags.force})
    if (flags.wait) await waitForDeployment(marathon, this.io, deploymentId, {signal: this.interruptSignal()})
    return {deploymentId}
  }
}
