import {Args} from '@oclif/core'
import type {MarathonTask} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {taskNotFound} from '../../../src/cli/marathon/tasks'

export default class MarathonTaskShow extends DcosCommand<MarathonTask> {
  static override summary = 'Show a Marathon task'
  static override args = {'task-id': Args.string({ignoreStdin: true, required: true, description: 'the task ID'})}
  static override examples = ['<%= config.bin %> marathon task show my-app.instance-3f80d17a-37e6-11e4-b05e-56847afe9799._app.1']

  async run(): Promise<MarathonTask> {
    const {args} = await this.parse(MarathonTaskShow)
    const task = (await (await this.marathon()).tasks()).find((t) => t.id === args['task-id'])
    if (!task) throw taskNotFound(args['task-id'])
    this.logJson(task)
    return task
  }
}
