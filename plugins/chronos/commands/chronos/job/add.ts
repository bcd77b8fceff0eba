import fs from 'node:fs'
import {Args} from '@oclif/core'
import {DcosCommand} from '../../../../../src/cli/base'
import {DcosError} from '../../../../../src/cli/errors'
import {ChronosApi, serviceFlag} from '../../../chronos-client'

/** `dcos chronos job add FILE`: creates or replaces a job (scheduled, or dependent when it names parents). */
export default class ChronosJobAdd extends DcosCommand<{name: string}> {
  static override summary = 'Add or replace a Chronos job from a JSON file'
  static override description = 'A job with "parents" is a dependent job (POST /scheduler/dependency); any other is scheduled by its ISO 8601 "schedule" (POST /scheduler/iso8601). Use - to read the job from stdin.'
  static override args = {file: Args.string({required: true, description: 'the job JSON file, or - for stdin'})}
  static override flags = serviceFlag
  static override examples = ['<%= config.bin %> chronos job add backup.json']

  async run(): Promise<{name: string}> {
    const {args, flags} = await this.parse(ChronosJobAdd)
    let text: string
    try {
      text = fs.readFileSync(args.file === '-' ? 0 : args.file, 'utf8')
    } catch (error) {
      throw new DcosError('USAGE', `cannot read '${args.file}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {exit: 2})
    }
    let job: unknown
    try {
      job = JSON.parse(text)
    } catch (error) {
      throw new DcosError('USAGE', `'${args.file}' is not JSON: ${(error as Error).message}`, {exit: 2})
    }
    if (typeof job !== 'object' || job === null || Array.isArray(job) || typeof (job as {name?: unknown}).name !== 'string')
      throw new DcosError('USAGE', `'${args.file}' must hold one job: a JSON object with a "name"`, {exit: 2})
    const api = new ChronosApi(await this.http(), flags.name)
    const dependent = Array.isArray((job as {parents?: unknown}).parents)
    await api.call('POST', dependent ? 'dependency' : 'iso8601', {json: job})
    const name = (job as {name: string}).name
    this.log(`Added job '${name}'`)
    return {name}
  }
}
