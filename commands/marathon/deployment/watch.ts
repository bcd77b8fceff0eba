import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../../src/cli/base'
import {usageError} from '../../../src/cli/errors'
import {positiveCount} from '../../../src/cli/marathon/flags'
import {watchDeployment} from '../../../src/cli/marathon/watch'

export default class MarathonDeploymentWatch extends DcosCommand<void> {
  static override summary = 'Monitor a deployment'
  static override description =
    'Prints the deployment every interval until it is over (then exits 0, as when it does not exist), or until --max-count polls.'
  static override args = {'deployment-id': Args.string({ignoreStdin: true, required: true, description: 'the deployment ID'})}
  static override flags = {
    'max-count': Flags.string({description: 'Maximum number of polling calls.'}),
    interval: Flags.string({description: 'Number of seconds to wait between polling calls.', default: '1'}),
  }
  static override examples = ['<%= config.bin %> marathon deployment watch --max-count=10 --interval=2 <deployment-id>']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(MarathonDeploymentWatch)
    const maxCount = flags['max-count'] === undefined ? undefined : positiveCount(flags['max-count'])
    const interval = Number(flags.interval)
    if (!/^\d+(\.\d+)?$/.test(flags.interval.trim()) || !Number.isFinite(interval)) throw usageError(`--interval must be a number of seconds: ${flags.interval}`)
    await watchDeployment(await this.marathon(), this.io, args['deployment-id'], {maxCount, intervalMs: interval * 1000, signal: this.interruptSignal()})
  }
}
