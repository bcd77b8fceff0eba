import {Flags} from '@oclif/core'
import type {MesosFramework} from '../../src/clients/mesos-types'
import {DcosCommand} from '../../src/cli/base'
import {selectServices, serviceTable} from '../../src/cli/views/services'

export default class ServiceList extends DcosCommand<MesosFramework[]> {
  static override summary = 'Show the DC/OS services (Mesos frameworks)'
  static override enableJsonFlag = true
  static override flags = {
    inactive: Flags.boolean({description: 'include inactive services'}),
    completed: Flags.boolean({description: 'include completed services'}),
    quiet: Flags.boolean({char: 'q', description: 'print only the names of the services'}),
  }
  static override examples = ['<%= config.bin %> service list', '<%= config.bin %> service list --inactive --json']

  async run(): Promise<MesosFramework[]> {
    const {flags} = await this.parse(ServiceList)
    const services = selectServices(await (await this.mesos()).state(), flags)
    if (this.jsonEnabled()) return services
    if (flags.quiet) this.printLines(services.map((f) => f.name))
    else this.print(serviceTable(services))
    return services
  }
}
