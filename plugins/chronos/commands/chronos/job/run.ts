import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../../../../src/cli/base'
import {ChronosApi, jobPath, serviceFlag} from '../../../chronos-client'

/** `dcos chronos job run NAME`: runs the job now (PUT /scheduler/job/<name>). */
export default class ChronosJobRun extends DcosCommand<{name: string}> {
  static override summary = 'Run a Chronos job now'
  static override args = {name: Args.string({required: true, description: 'the job name'})}
  static override flags = {...serviceFlag, argument: Flags.string({multiple: true, description: 'an argument for this run (repeatable)'})}
  static override examples = ['<%= config.bin %> chronos job run backup', '<%= config.bin %> chronos job run backup --argument --full']

  async run(): Promise<{name: string}> {
    const {args, flags} = await this.parse(ChronosJobRun)
    const api = new ChronosApi(await this.http(), flags.name)
    await api.call('PUT', jobPath('job', args.name), flags.argument?.length ? {json: {arguments: flags.argument}} : {})
    this.log(`Started job '${args.name}'`)
    return {name: args.name}
  }
}
