import {Args, Flags} from '@oclif/core'
import type {MarathonTask} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {taskNotFound} from '../../../src/cli/marathon/tasks'

export default class MarathonTaskStop extends DcosCommand<MarathonTask> {
  static override summary = 'Stop a task (Marathon starts a replacement)'
  static override args = {'task-id': Args.string({ignoreStdin: true, required: true, description: 'the task ID'})}
  static override flags = {wipe: Flags.boolean({description: 'Wipe persistent data.'})}
  static override examples = ['<%= config.bin %> marathon task stop my-app.instance-3f80d17a-37e6-11e4-b05e-56847afe9799._app.1']

  async run(): Promise<MarathonTask> {
    const {args, flags} = await this.parse(MarathonTaskStop)
    const result = await (await this.marathon()).deleteTasks([args['task-id']], {wipe: flags.wipe})
    const task = 'tasks' in result ? (result.tasks ?? []).find((t) => t.id === args['task-id']) : undefined
    if (!task) throw taskNotFound(args['task-id'])
    this.logJson(task)
    return task
  }
}
