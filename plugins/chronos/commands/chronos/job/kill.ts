import {Args} from '@oclif/core'
import {DcosCommand} from '../../../../../src/cli/base'
import {ChronosApi, jobPath, serviceFlag} from '../../../chronos-client'

/** `dcos chronos job kill NAME`: kills the job's running tasks and drops its queued runs. */
export default class ChronosJobKill extends DcosCommand<{name: string}> {
  static override summary = "Kill a Chronos job's running tasks"
  static override args = {name: Args.string({required: true, description: 'the job name'})}
  static override flags = serviceFlag
  static override examples = ['<%= config.bin %> chronos job kill backup']

  async run(): Promise<{name: string}> {
    const {args, flags} = await this.parse(ChronosJobKill)
    await new ChronosApi(await this.http(), flags.name).call('DELETE', jobPath('task/kill', args.name))
    this.log(`Killed the tasks of job '${args.name}'`)
    return {name: args.name}
  }
}
