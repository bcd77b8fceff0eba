import {Flags} from '@oclif/core'
import type {MarathonApp} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {appTable} from '../../../src/cli/views/marathon'

export default class MarathonAppList extends DcosCommand<MarathonApp[]> {
  static override summary = 'List the installed applications'
  static override enableJsonFlag = true
  static override flags = {quiet: Flags.boolean({char: 'q', description: 'Display IDs only.'})}
  static override examples = ['<%= config.bin %> marathon app list', '<%= config.bin %> marathon app list --quiet']

  async run(): Promise<MarathonApp[]> {
    const {flags} = await this.parse(MarathonAppList)
    const marathon = await this.marathon()
    if (this.jsonEnabled() || flags.quiet) {
      const apps = await marathon.apps()
      if (flags.quiet && !this.jsonEnabled()) this.printLines(apps.map((a) => a.id))
      return apps
    }
    const [apps, deployments, queue] = await Promise.all([marathon.apps(), marathon.deployments(), marathon.queue()])
    this.print(appTable(apps, deployments, queue))
    return apps
  }
}
