import {Args} from '@oclif/core'
import {marathonId} from '../../../src/clients/marathon'
import {DcosCommand} from '../../../src/cli/base'
import {DcosError} from '../../../src/cli/errors'
import {deploymentFlags, WAIT_NOTE} from '../../../src/cli/marathon/flags'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonAppStop extends DcosCommand<{deploymentId: string}> {
  static override summary = 'Stop an application'
  static override description = `Scales the application to 0 instances; its definition stays. ${WAIT_NOTE}`
  static override args = {'app-id': Args.string({ignoreStdin: true, required: true, description: 'the application ID'})}
  static override flags = {...deploymentFlags}
  static override examples = ['<%= config.bin %> marathon app stop /my-app --wait']

  async run(): Promise<{deploymentId: string}> {
    const {args, flags} = await this.parse(MarathonAppStop)
    const marathon = await this.marathon()
    const app = await marathon.app(args['app-id'])
    if ((app.instances ?? 0) <= 0) {
      throw new DcosError('ALREADY_STOPPED', `app '${marathonId(args['app-id'])}' already stopped: ${app.instances ?? 0} instances`)
    }
    const {deploymentId} = await marathon.updateApp(args['app-id'], {instances: 0}, {force: flags.force})
    this.print(`Created deployment ${deploymentId}`)
    if (flags.wait) await waitForDeployment(marathon, this.io, deploymentId, {signal: this.interruptSignal()})
    return {deploymentId}
  }
}
