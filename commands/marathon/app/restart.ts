import {Args} from '@oclif/core'
import {marathonId} from '../../../src/clients/marathon'
import {DcosCommand} from '../../../src/cli/base'
import {DcosError} from '../../../src/cli/errors'
import {deploymentFlags, WAIT_NOTE} from '../../../src/cli/marathon/flags'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonAppRestart extends DcosCommand<{deploymentId: string}> {
  static override summary = 'Restart an application'
  static override description = `A rolling restart of all its tasks. ${WAIT_NOTE}`
  static override args = {'app-id': Args.string({ignoreStdin: true, required: true, description: 'the application ID'})}
  static override flags = {...deploymentFlags}
  static override examples = ['<%= config.bin %> marathon app restart /my-app --wait']

  async run(): Promise<{deploymentId: string}> {
    const {args, flags} = await this.parse(MarathonAppRestart)
    const marathon = await this.marathon()
    const app = await marathon.app(args['app-id'])
    if ((app.instances ?? 0) <= 0) {
      throw new DcosError(
        'NOT_RUNNING',
        `unable to perform rolling restart of application '${marathonId(args['app-id'])}' because it has no running tasks`,
      )
    }
    const {deploymentId} = await marathon.restartApp(args['app-id'], {force: flags.force})
    this.print(`Created deployment ${deploymentId}`)
    if (flags.wait) await waitForDeployment(marathon, this.io, deploymentId, {signal: this.interruptSignal()})
    return {deploymentId}
  }
}
