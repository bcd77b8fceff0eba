import {Args, Flags} from '@oclif/core'
import type {KillResult} from '../../../src/clients/marathon'
import {DcosCommand} from '../../../src/cli/base'
import {DcosError} from '../../../src/cli/errors'
import {waitFlag} from '../../../src/cli/marathon/flags'
import {pyList} from '../../../src/cli/marathon/tasks'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonTaskKill extends DcosCommand<KillResult> {
  static override summary = 'Kill one or more tasks'
  static override description = 'Marathon replaces killed tasks unless --scale is given, which also scales their apps down (a deployment, which --wait follows).'
  static override strict = false
  static override enableJsonFlag = true
  static override args = {'task-ids': Args.string({ignoreStdin: true, required: true, description: 'the task IDs (more may follow)'})}
  static override flags = {
    scale: Flags.boolean({description: 'Scale the app down after performing the operation.', exclusive: ['wipe']}),
    wipe: Flags.boolean({description: 'Wipe persistent data.', exclusive: ['scale']}),
    wait: Flags.boolean({...waitFlag.wait, dependsOn: ['scale']}),
  }
  static override examples = ['<%= config.bin %> marathon task kill <task-id> <task-id>', '<%= config.bin %> marathon task kill --scale --wait <task-id>']

  async run(): Promise<KillResult> {
    const {argv, flags} = await this.parse(MarathonTaskKill)
    const marathon = await this.marathon()
    const result = await marathon.deleteTasks(argv as string[], {scale: flags.scale, wipe: flags.wipe})
    if ('deploymentId' in result) {
      if (!this.jsonEnabled()) this.print(`Created deployment: ${result.deploymentId}`)
      if (flags.wait) await waitForDeployment(marathon, this.io, result.deploymentId, {signal: this.interruptSignal()})
      return result
    }
    const tasks = result.tasks ?? []
    if (!this.jsonEnabled()) this.print(`Killed tasks: ${pyList(tasks.map((t) => t.id))}`)
    if (tasks.length === 0) throw new DcosError('NO_MATCH', 'Failed to kill tasks. task-ids seems to be unknown')
    return result
  }
}
