import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../../src/cli/base'
import {usageError} from '../../../src/cli/errors'
import {waitFlag, WAIT_NOTE} from '../../../src/cli/marathon/flags'
import {readResource} from '../../../src/cli/marathon/resource'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonGroupAdd extends DcosCommand<{deploymentId: string}> {
  static override summary = 'Create a group'
  static override description = `The definition is JSON or YAML, read from a file, an http(s) URL, or standard input when no resource is given; --id creates an empty group. ${WAIT_NOTE}`
  static override args = {'group-resource': Args.string({ignoreStdin: true, description: 'path to a file or HTTP(S) URL containing the group JSON (or YAML) definition'})}
  static override flags = {
    id: Flags.string({description: 'create an empty group with this ID (instead of a resource)'}),
    ...waitFlag,
  }
  static override examples = ['<%= config.bin %> marathon group add group.json --wait', '<%= config.bin %> marathon group add --id=/tools']

  async run(): Promise<{deploymentId: string}> {
    const {args, flags} = await this.parse(MarathonGroupAdd)
    if (flags.id && args['group-resource']) throw usageError('give either a group resource or --id, not both')
    const definition = flags.id
      ? {id: flags.id}
      : await readResource(args['group-resource'], this.io, {
          what: 'a group JSON',
          example: 'E.g.: dcos marathon group add < group_resource.json',
        })
    const marathon = await this.marathon()
    const {deploymentId} = await marathon.addGroup(definition)
    this.print(`Created deployment ${deploymentId}`)
    if (flags.wait) await waitForDeployment(marathon, this.io, deploymentId, {signal: this.interruptSignal()})
    return {deploymentId}
  }
}
