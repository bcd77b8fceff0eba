import {Args} from '@oclif/core'
import {DcosCommand} from '../../../src/cli/base'
import {deploymentFlags, WAIT_NOTE} from '../../../src/cli/marathon/flags'
import {parseProperties} from '../../../src/cli/marathon/properties'
import {readResource} from '../../../src/cli/marathon/resource'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonGroupUpdate extends DcosCommand<{deploymentId: string}> {
  static override summary = 'Update a group'
  static override description = `Properties are key=value pairs typed as JSON where they parse; without any, the JSON (or YAML) of the change is read from standard input. ${WAIT_NOTE}`
  static override strict = false
  static override args = {
    'group-id': Args.string({ignoreStdin: true, required: true, description: 'the group ID'}),
    properties: Args.string({ignoreStdin: true, description: 'key=value pairs (more may follow)'}),
  }
  static override flags = {...deploymentFlags}
  static override examples = ['<%= config.bin %> marathon group update /tools < tools.json', "<%= config.bin %> marathon group update /tools dependencies='[\"/db\"]'"]

  async run(): Promise<{deploymentId: string}> {
    const {args, argv, flags} = await this.parse(MarathonGroupUpdate)
    const marathon = await this.marathon()
    await marathon.group(args['group-id'])
    const properties = (argv as string[]).slice(1)
    const change =
      properties.length > 0
        ? parseProperties(properties)
        : await readResource(undefined, this.io, {what: 'a group JSON', example: 'E.g. dcos marathon group update your-group-id < group_update.json'})
    const {deploymentId} = await marathon.updateGroup(args['group-id'], change, {force: flags.force})
    this.print(`Created deployment ${deploymentId}`)
    if (flags.wait) await waitForDeployment(marathon, this.io, deploymentId, {signal: this.interruptSignal()})
    return {deploymentId}
  }
}
