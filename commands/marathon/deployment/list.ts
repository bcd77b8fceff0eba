import {Args, Flags} from '@oclif/core'
import {marathonId} from '../../../src/clients/marathon'
import type {Deployment} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {DcosError} from '../../../src/cli/errors'
import {deploymentsOf, deploymentTable} from '../../../src/cli/views/marathon'

export default class MarathonDeploymentList extends DcosCommand<Deployment[]> {
  static override summary = 'Print the deployments in progress'
  static override enableJsonFlag = true
  static override args = {'app-id': Args.string({ignoreStdin: true, description: 'only the deployments of this app or pod'})}
  static override flags = {quiet: Flags.boolean({char: 'q', description: 'Display IDs only.'})}
  static override examples = ['<%= config.bin %> marathon deployment list', '<%= config.bin %> marathon deployment list /my-app']

  async run(): Promise<Deployment[]> {
    const {args, flags} = await this.parse(MarathonDeploymentList)
    const all = await (await this.marathon()).deployments()
    const deployments = args['app-id'] === undefined ? all : deploymentsOf(all, marathonId(args['app-id']))
    if (this.jsonEnabled()) return deployments
    if (deployments.length === 0) {
      throw new DcosError('NO_DEPLOYMENTS', `There are no deployments${args['app-id'] === undefined ? '' : ` for '${args['app-id']}'`}`)
    }
    if (flags.quiet) this.printLines(deployments.map((d) => d.id))
    else this.print(deploymentTable(deployments))
    return deployments
  }
}
