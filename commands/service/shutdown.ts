import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {resolveService} from '../../src/cli/views/services'

/**
 * As the Python CLI (and the issue) have it: `dcos service shutdown ID` tears the framework down
 * at once, so scripts need no flag. `--yes` is accepted for scripts written for the Go CLI, which
 * asks first.
 */
export default class ServiceShutdown extends DcosCommand<void> {
  static override summary = 'Shut down a service (tear down its Mesos framework and all its tasks)'
  static override args = {service: Args.string({required: true, description: 'the service ID (framework ID) or its unique name'})}
  static override flags = {yes: Flags.boolean({description: 'accepted for compatibility; shutdown never asks'})}
  static override examples = ['<%= config.bin %> service shutdown <framework-id>']

  async run(): Promise<void> {
    const {args} = await this.parse(ServiceShutdown)
    const mesos = await this.mesos()
    const framework = resolveService(await mesos.frameworks(), args.service)
    await mesos.teardown(framework.id)
    this.notice(`Service '${framework.name}' (${framework.id}) is shutting down.`)
  }
}
