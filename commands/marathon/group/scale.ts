import {Args} from '@oclif/core'
import {DcosCommand} from '../../../src/cli/base'
import {DcosError} from '../../../src/cli/errors'
import {deploymentFlags, WAIT_NOTE} from '../../../src/cli/marathon/flags'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonGroupScale extends DcosCommand<{deploymentId: string}> {
  static override summary = "Scale every app of a group by a factor (Marathon's scaleBy)"
  static override description = WAIT_NOTE
  static override args = {
    'group-id': Args.string({ignoreStdin: true, required: true, description: 'the group ID'}),
    'scale-factor': Args.string({ignoreStdin: true, required: true, description: 'the factor to multiply every instance count by, e.g. 2 or 0.5'}),
  }
  static override flags = {...deploymentFlags}
  static override examples = ['<%= config.bin %> marathon group scale /tools 2 --wait']

  async run(): Promise<{deploymentId: string}> {
    const {args, flags} = await this.parse(MarathonGroupScale)
    const factor = Number(args['scale-factor'])
    if (!args['scale-factor'].trim() || !Number.isFinite(factor)) throw new DcosError('INVALID_NUMBER', 'Error parsing string as float')
    const marathon = await this.marathon()
    const {deploymentId} = await marathon.updateGroup(args['group-id'], {scaleBy: factor}, {force: flags.force})
    this.print(`Created deployment ${deploymentId}`)
    if (flags.wait) await waitForDeployment(marathon, this.io, deploymentId, {signal: this.interruptSignal()})
    return {deploymentId}
  }
}
