import {Args} from '@oclif/core'
import {DcosCommand} from '../../../../../src/cli/base'
import {ChronosApi, jobPath, serviceFlag} from '../../../chronos-client'

/** `dcos chronos job remove NAME`: deletes the job and kills its tasks. */
export default class ChronosJobRemove extends DcosCommand<{name: string}> {
  static override summary = 'Remove a Chronos job (its running tasks are killed)'
  static override args = {name: Args.string({required: true, description: 'the job name'})}
  static override flags = serviceFlag
  static override examples = ['<%= config.bin %> chronos job remove backup']

  async run(): Promise<{name: string}> {
    const {args, flags} = await this.parse(ChronosJobRemove)
    await new ChronosApi(await this.http(), flags.name).call('DELETE', jobPath('job', args.name))
    this.log(`Removed job '${args.name}'`)
    return {name: args.name}
  }
}
