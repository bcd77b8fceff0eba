import fs from 'node:fs'
import path from 'node:path'
import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {DcosError} from '../../src/cli/errors'
import {linesFlag} from '../../src/cli/flags'
import {fileSource, printLogs, type LogSource} from '../../src/cli/logs'
import {sandboxesOf} from '../../src/cli/sandbox'
import {findTasksForFiles} from '../../src/cli/tasks'

/**
 * `dcos service log <service> [file]`, as the real CLI: a service is the one Marathon app
 * labelled `DCOS_PACKAGE_FRAMEWORK_NAME=<service>`, whose single task's sandbox file is printed
 * (stdout by default) like `task log`. `marathon` itself has no sandbox: DC/OS reads its systemd
 * journal; on a local cluster its log is the component's log file, read where the cluster runs.
 * Messages as dcos-core-cli's pkg/cmd/service/service_log.go.
 */
export default class ServiceLog extends DcosCommand<void> {
  static override summary = 'Print the log of a service (the task of the Marathon app that runs it)'
  static override args = {
    service: Args.string({required: true, description: 'the service name (its DCOS_PACKAGE_FRAMEWORK_NAME), or marathon'}),
    file: Args.string({description: 'the sandbox file to print (default: stdout)'}),
  }
  static override flags = {
    follow: Flags.boolean({description: 'keep printing new lines as they are written'}),
    lines: linesFlag(),
  }
  static override examples = ['<%= config.bin %> service log chronos', '<%= config.bin %> service log --follow chronos stderr', '<%= config.bin %> service log marathon']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ServiceLog)
    const options = {lines: flags.lines, follow: flags.follow, signal: flags.follow ? this.interruptSignal() : undefined}
    if (args.service === 'marathon') {
      if (args.file !== undefined) throw new DcosError('USAGE', 'the <file> argument is invalid for marathon')
      return printLogs(this.io.out, this.io.err, [await this.#marathonLog()], {...options, fileName: 'marathon.log'})
    }
    const marathon = await this.marathon()
    const ids = (await marathon.apps()).filter((a) => a.labels?.DCOS_PACKAGE_FRAMEWORK_NAME === args.service).map((a) => a.id)
    if (ids.length === 0) throw new DcosError('NOT_FOUND', `no marathon apps found for service name [${args.service}]`)
    if (ids.length > 1) throw new DcosError('AMBIGUOUS', `multiple marathon apps found for service name [${args.service}]: [${ids.join(', ')}]`)
    const tasks = (await marathon.app(ids[0])).tasks ?? []
    if (tasks.length !== 1) throw new DcosError('NOT_FOUND', `expected marathon app [${ids[0]}] to be running 1 task, but instead found ${tasks.length} tasks`)
    const mesos = await this.mesos()
    const found = findTasksForFiles(await mesos.state(), {filter: tasks[0].id, active: true, completed: false}).filter((t) => t.id === tasks[0].id)
    const file = args.file ?? 'stdout'
    const sources = (await sandboxesOf(mesos, found)).map((s) => fileSource(s.files, path.posix.join(s.directory, file), `task:${s.task.id}:${file}`))
    await printLogs(this.io.out, this.io.err, sources, {...options, fileName: file, emptyNotice: 'No logs for this task'})
  }

  /** Marathon's log on a local cluster: logs/marathon.log in the cluster's directory. */
  async #marathonLog(): Promise<LogSource> {
    const cluster = this.configManager.tryCurrent()
    const {localClusterDir} = await import('../../src/runtime/cluster/cluster-dir')
    const file = cluster && path.join(localClusterDir(this.configManager.dcosDir, cluster.id), 'logs', 'marathon.log')
    if (!file || !fs.existsSync(file))
      throw new DcosError('NOT_FOUND', "this cluster's Marathon log is not on this machine", {
        hint: "On DC/OS it is the systemd journal of the master nodes: run 'journalctl -u dcos-marathon' on the leading master.",
      })
    return {
      label: 'marathon',
      size: async () => (await fs.promises.stat(file)).size,
      read: async (offset, length = 64 * 1024) => {
        const handle = await fs.promises.open(file, 'r')
        try {
          const buffer = Buffer.alloc(Math.min(length, 64 * 1024))
          const {bytesRead} = await handle.read(buffer, 0, buffer.length, offset)
          return {offset, data: buffer.subarray(0, wholeUtf8(buffer, bytesRead)).toString('utf8')}
        } finally {
          await handle.close()
        }
      },
    }
  }
}

/**
 * How many of the first `n` bytes end on a whole UTF-8 character: a character cut by the read's
 * end is left for the next read (readers advance by the byte length of what they were given).
 */
function wholeUtf8(buffer: Buffer, n: number): number {
  for (let back = 1; back <= Math.min(3, n); back++) {
    const byte = buffer[n - back]
    if ((byte & 0xc0) === 0x80) continue // a continuation byte: look further back
    const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return size > back ? n - back : n
  }
  return n
}
