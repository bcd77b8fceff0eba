import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {taskStateFlags} from '../../src/cli/flags'
import {browse, longListing, sandboxesOf, shortListing} from '../../src/cli/sandbox'
import {findTasksForFiles} from '../../src/cli/tasks'

export default class TaskLs extends DcosCommand<void> {
  static override summary = 'Print the list of files in the Mesos task sandbox'
  static override args = {
    task: Args.string({required: true, description: 'the task ID, a part of it, or a pattern'}),
    path: Args.string({description: 'a directory in the sandbox', default: '.'}),
  }
  static override flags = {
    ...taskStateFlags,
    long: Flags.boolean({description: 'print full Mesos sandbox file attributes'}),
  }
  static override examples = ['<%= config.bin %> task ls sleep', '<%= config.bin %> task ls --long sleep']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TaskLs)
    const mesos = await this.mesos()
    const completed = flags.completed || flags.all
    const sandboxes = await sandboxesOf(mesos, findTasksForFiles(await mesos.state(), {filter: args.task, active: true, completed}, 'files'))
    for (const sandbox of sandboxes) {
      const entries = await browse(sandbox, args.path)
      if (sandboxes.length > 1) this.print(`===> ${sandbox.task.id} <===`)
      this.io.out.write(flags.long ? longListing(entries) : shortListing(entries))
    }
  }
}
