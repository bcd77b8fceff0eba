import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {DcosError} from '../../src/cli/errors'
import {linesFlag} from '../../src/cli/flags'
import {fileSource, printLogs} from '../../src/cli/logs'

export default class NodeLog extends DcosCommand<void> {
  static override summary = 'Print the log of the leading master or of an agent'
  static override args = {'mesos-id': Args.string({description: 'the agent ID (same as --mesos-id)'})}
  static override flags = {
    leader: Flags.boolean({description: 'the leading master'}),
    'mesos-id': Flags.string({description: 'the agent ID of a node'}),
    lines: linesFlag(),
    follow: Flags.boolean({description: 'keep printing new lines as they are written'}),
  }
  static override examples = ['<%= config.bin %> node log --leader --lines 20', '<%= config.bin %> node log --mesos-id <agent-id> --follow']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(NodeLog)
    const agentId = flags['mesos-id'] ?? args['mesos-id']
    if (!flags.leader && !agentId) throw new DcosError('USAGE', "'--leader' or '--mesos-id' must be provided")
    if (flags.leader && agentId) throw new DcosError('USAGE', 'unable to use --leader and --mesos-id at the same time')
    const mesos = await this.mesos()
    const path = agentId ? '/slave/log' : '/master/log'
    if (agentId && !(await mesos.slaves()).slaves.some((s) => s.id === agentId)) {
      throw new DcosError('NOT_FOUND', `agent '${agentId}' not found`, {hint: "Run 'dcos node list' to see the agents."})
    }
    const files = agentId ? await mesos.agentFiles(agentId) : mesos.masterFiles()
    await printLogs(this.io.out, this.io.err, [fileSource(files, path, agentId ?? 'leader')], {
      lines: flags.lines,
      follow: flags.follow,
      signal: flags.follow ? this.interruptSignal() : undefined,
      fileName: path,
    })
  }
}
