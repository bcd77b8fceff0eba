import {Args, Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {confirm} from '../../src/cli/prompt'
import {resolveService} from '../../src/cli/views/services'

export default class ServiceShutdown extends DcosCommand<void> {
  static override summary = 'Shut down a service (tear down its Mesos framework and all its tasks)'
  static override args = {service: Args.string({required: true, description: 'the service ID (framework ID) or its unique name'})}
  static override flags = {yes: Flags.boolean({description: 'do not ask for confirmation'})}
  static override examples = ['<%= config.bin %> service shutdown <framework-id> --yes']

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ServiceShutdown)
    const mesos = await this.mesos()
    const framework = resolveService(await mesos.frameworks(), args.service)
    const question = `Do you really want to teardown ${framework.name} (${framework.id}) with all its tasks? [yes/no] `
    if (!flags.yes && !(await confirm(this.io, question, '--yes'))) {
      this.notice('Cancelled.')
      return
    }
    await mesos.teardown(framework.id)
    this.notice(`Service '${framework.name}' (${framework.id}) is shutting down.`)
  }
}
