import {Args, Flags} from '@oclif/core'
import type {KillResult} from '../../../src/clients/marathon'
import {DcosCommand} from '../../../src/cli/base'
import {waitFlag} from '../../../src/cli/marathon/flags'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonAppKill extends DcosCommand<KillResult> {
  static override summary = 'Kill the running tasks of an application'
  static override description =
    'Marathon replaces killed tasks unless --scale is given, which also scales the app down (a deployment, which --wait follows).'
  static override args = {'app-id': Args.string({ignoreStdin: true, required: true, description: 'the application ID'})}
  static override flags = {
    scale: Flags.boolean({description: 'Scale the app down after performing the operation.', exclusive: ['host']}),
    host: Flags.string({description: 'Kill only the tasks running on this host.', exclusive: ['scale']}),
    wait: Flags.boolean({...waitFlag.wait, dependsOn: ['scale']}),
  }
  static override examples = ['<%= config.bin %> marathon app kill /my-app', '<%= config.bin %> marathon app kill --scale --wait /my-app']

  async run(): Promise<KillResult> {
    const {args, flags} = await this.parse(MarathonAppKill)
    const marathon = await this.marathon()
    const result = await marathon.killAppTasks(args['app-id'], {host: flags.host, scale: flags.scale})
    if ('deploymentId' in result) {
      this.print(`Started deployment: ${JSON.stringify(result)}`)
      if (flags.wait) await waitForDeployment(marathon, this.io, result.deploymentId, {signal: this.interruptSignal()})
    } else {
      this.print(`Killed tasks: ${JSON.stringify(result.tasks ?? [])}`)
    }
    return result
  }
}
