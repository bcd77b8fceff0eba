import {Args, Flags} from '@oclif/core'
import type {MesosTask} from '../../src/clients/mesos-types'
import {DcosCommand} from '../../src/cli/base'
import {taskStateFlags} from '../../src/cli/flags'
import {noTaskError, selectTasks} from '../../src/cli/tasks'
import {sortTasks, taskTable} from '../../src/cli/views/tasks'

export default class TaskList extends DcosCommand<MesosTask[]> {
  static override summary = 'Print the Mesos tasks in the cluster'
  static override description = 'FILTER is a full task ID or name, a part of one, or a shell wildcard pattern (e.g. "my-task*").'
  static override enableJsonFlag = true
  static override args = {filter: Args.string({description: 'only tasks whose ID or name matches'})}
  static override flags = {
    ...taskStateFlags,
    quiet: Flags.boolean({char: 'q', description: 'print only the IDs of the tasks'}),
    'agent-id': Flags.string({description: 'only the tasks of this agent'}),
  }
  static override examples = ['<%= config.bin %> task list', '<%= config.bin %> task list "sleep*" --completed']

  async run(): Promise<MesosTask[]> {
    const {args, flags} = await this.parse(TaskList)
    const state = await (await this.mesos()).state()
    const query = {filter: args.filter, active: true, completed: flags.completed || flags.all, agentId: flags['agent-id']}
    const tasks = sortTasks(selectTasks(state, query))
    if (this.jsonEnabled()) return tasks
    if (tasks.length === 0 && (query.filter || query.agentId)) throw noTaskError(query.filter, query.agentId)
    if (flags.quiet) this.printLines(tasks.map((t) => t.id))
    else this.print(taskTable(tasks, state))
    return tasks
  }
}
