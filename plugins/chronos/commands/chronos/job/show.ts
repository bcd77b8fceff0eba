import {Args} from '@oclif/core'
import {DcosCommand} from '../../../../../src/cli/base'
import {ChronosApi, serviceFlag, type ChronosJob} from '../../../chronos-client'

/** `dcos chronos job show NAME`: the job's JSON as Chronos has it. */
export default class ChronosJobShow extends DcosCommand<ChronosJob> {
  static override summary = 'Show a Chronos job'
  static override args = {name: Args.string({required: true, description: 'the job name'})}
  static override flags = serviceFlag
  static override examples = ['<%= config.bin %> chronos job show backup']

  async run(): Promise<ChronosJob> {
    const {args, flags} = await this.parse(ChronosJobShow)
    const job = await new ChronosApi(await this.http(), flags.name).job(args.name)
    this.print(JSON.stringify(job, null, 2))
    return job
  }
}
