import {Args, Flags} from '@oclif/core'
import {marathonId} from '../../../src/clients/marathon'
import type {MarathonTask} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {marathonTaskTable} from '../../../src/cli/views/marathon'

export default class MarathonTaskList extends DcosCommand<MarathonTask[]> {
  static override summary = "List Marathon's tasks"
  static override enableJsonFlag = true
  static override args = {'app-id': Args.string({ignoreStdin: true, description: 'only the tasks of this app'})}
  static override flags = {quiet: Flags.boolean({char: 'q', description: 'Display IDs only.'})}
  static override examples = ['<%= config.bin %> marathon task list', '<%= config.bin %> marathon task list /my-app --quiet']

  async run(): Promise<MarathonTask[]> {
    const {args, flags} = await this.parse(MarathonTaskList)
    const all = await (await this.marathon()).tasks()
    const appId = args['app-id'] === undefined ? undefined : marathonId(args['app-id'])
    const tasks = appId === undefined ? all : all.filter((t) => t.appId === appId)
    if (this.jsonEnabled()) return tasks
    if (flags.quiet) this.printLines(tasks.map((t) => t.id))
    // prettytable prints nothing at all for a table without rows (the real CLI's behaviour).
    else if (tasks.length > 0) this.print(marathonTaskTable(tasks))
    return tasks
  }
}
