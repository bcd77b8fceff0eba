import {Args} from '@oclif/core'
import type {DeploymentResult} from '../../../src/clients/marathon-types'
import {DcosCommand} from '../../../src/cli/base'
import {waitFlag} from '../../../src/cli/marathon/flags'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonDeploymentRollback extends DcosCommand<DeploymentResult> {
  static override summary = 'Cancel a deployment and roll back to the previous configuration'
  static override description =
    'Marathon starts a new deployment that reverts the change; its ID and version are printed. With --wait the command returns when that rollback deployment is over (exit 1 if it fails).'
  static override args = {'deployment-id': Args.string({ignoreStdin: true, required: true, description: 'the deployment ID'})}
  static override flags = {...waitFlag}
  static override examples = ['<%= config.bin %> marathon deployment rollback 97c136bf-5a28-4821-9d94-480d9fbb01c8 --wait']

  async run(): Promise<DeploymentResult> {
    const {args, flags} = await this.parse(MarathonDeploymentRollback)
    const marathon = await this.marathon()
    const rollback = (await marathon.cancelDeployment(args['deployment-id']))!
    this.logJson(rollback)
    if (flags.wait) await waitForDeployment(marathon, this.io, rollback.deploymentId, {signal: this.interruptSignal()})
    return rollback
  }
}
