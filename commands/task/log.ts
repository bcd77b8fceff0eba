import {posix} from 'node:path'
import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {linesFlag, taskStateFlags} from '../../src/cli/flags'
import {fileSource, printLogs} from '../../src/cli/logs'
import {sandboxesOf} from '../../src/cli/sandbox'
import {findTasksForFiles} from '../../src/cli/tasks'

export default class TaskLog extends DcosCommand<void> {
  static override summary = 'Print the logs of tasks'
  static override description = 'TASK is a full task ID, a part of one, or a shell wildcard pattern (e.g. "my-task*").'
  static override args = {
    task: Args.string({required: true, description: 'the task ID, a part of it, or a pattern'}),
    file: Args.string({description: 'the sandbox file to print', default: 'stdout'}),
  }
  static override flags = {
    ...taskStateFlags,
    follow: Flags.boolean({description: 'keep printing new lines as they are written'}),
    lines: linesFlag(),
  }
  static override examples = ['<%= config.bin %> task log sleep', '<%= config.bin %> task log --follow sleep stderr']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(TaskLog)
    const mesos = await this.mesos()
    const completed = flags.completed || flags.all
    const tasks = findTasksForFiles(await mesos.state(), {filter: args.task, active: true, completed})
    const sources = (await sandboxesOf(mesos, tasks)).map((s) =>
      fileSource(s.files, posix.join(s.directory, args.file), `task:${s.task.id}:${args.file}`),
    )
    await printLogs(this.io.out, this.io.err, sources, {
      lines: flags.lines,
      follow: flags.follow,
      signal: flags.follow ? this.interruptSignal() : undefined,
      fileName: args.file,
      emptyNotice: 'No logs for this task',
    })
  }
}
