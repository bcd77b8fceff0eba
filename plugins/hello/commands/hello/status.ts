import {Flags} from '@oclif/core'
import {DcosCommand} from '../../../../src/cli/base'
import {DcosError} from '../../../../src/cli/errors'

interface HelloStatus {
  id: string
  version?: string
  instances: number
  running: number
  healthy: number
}

/** `dcos hello status`: the hello service's Marathon app, one line. */
export default class HelloStatusCommand extends DcosCommand<HelloStatus> {
  static override summary = 'Show whether the hello service is running and healthy'
  static override enableJsonFlag = true
  static override flags = {name: Flags.string({default: 'hello', description: 'the service name (its Marathon app id)'})}
  static override examples = ['<%= config.bin %> hello status', '<%= config.bin %> hello status --name hello-2 --json']

  async run(): Promise<HelloStatus> {
    const {flags} = await this.parse(HelloStatusCommand)
    const marathon = await this.marathon()
    const app = await marathon.app(`/${flags.name}`).catch((e: unknown) => {
      if (e instanceof DcosError && e.code === 'NOT_FOUND') {
        throw new DcosError('NOT_FOUND', `the hello service '${flags.name}' is not installed`, {hint: "Run 'dcos package install hello'."})
      }
      throw e
    })
    const status: HelloStatus = {
      id: app.id,
      version: app.labels?.DCOS_PACKAGE_VERSION,
      instances: app.instances ?? 0,
      running: app.tasksRunning ?? 0,
      healthy: app.tasksHealthy ?? 0,
    }
    this.log(`${status.id}: ${status.running}/${status.instances} running, ${status.healthy} healthy${status.version ? ` (hello ${status.version})` : ''}`)
    return status
  }
}
