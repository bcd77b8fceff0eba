import {Args} from '@oclif/core'
import {marathonId} from '../../../src/clients/marathon'
import {DcosCommand} from '../../../src/cli/base'
import {DcosError, usageError} from '../../../src/cli/errors'
import {deploymentFlags, WAIT_NOTE} from '../../../src/cli/marathon/flags'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonAppStart extends DcosCommand<{deploymentId: string}> {
  static override summary = 'Start an application'
  static override description = `Scales a stopped application to INSTANCES (1 by default). ${WAIT_NOTE}`
  static override args = {
    'app-id': Args.string({ignoreStdin: true, required: true, description: 'the application ID'}),
    instances: Args.string({ignoreStdin: true, description: 'the number of instances to start', default: '1'}),
  }
  static override flags = {...deploymentFlags}
  static override examples = ['<%= config.bin %> marathon app start /my-app 3 --wait']

  async run(): Promise<{deploymentId: string}> {
    const {args, flags} = await this.parse(MarathonAppStart)
    if (!/^[+-]?\d+$/.test(args.instances)) throw usageError(`the number of instances must be an integer: ${args.instances}`)
    const instances = Number(args.instances)
    if (instances <= 0) throw new DcosError('INVALID_INSTANCES', `the number of instances must be positive: ${instances}`)
    const marathon = await this.marathon()
    const app = await marathon.app(args['app-id'])
    if ((app.instances ?? 0) > 0) {
      throw new DcosError('ALREADY_STARTED', `application '${marathonId(args['app-id'])}' already started: ${app.instances} instances`)
    }
    const {deploymentId} = await marathon.updateApp(args['app-id'], {instances}, {force: flags.force})
    this.print(`Created deployment ${deploymentId}`)
    if (flags.wait) await waitForDeployment(marathon, this.io, deploymentId, {signal: this.interruptSignal()})
    return {deploymentId}
  }
}
