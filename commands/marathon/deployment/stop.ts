import {Args} from '@oclif/core'
import {DcosCommand} from '../../../src/cli/base'

/** Prints nothing on success, as the real CLI. */
export default class MarathonDeploymentStop extends DcosCommand<void> {
  static override summary = 'Stop a deployment where it is, without rolling back'
  static override args = {'deployment-id': Args.string({ignoreStdin: true, required: true, description: 'the deployment ID'})}
  static override examples = ['<%= config.bin %> marathon deployment stop 97c136bf-5a28-4821-9d94-480d9fbb01c8']

  async run(): Promise<void> {
    const {args} = await this.parse(MarathonDeploymentStop)
    await (await this.marathon()).cancelDeployment(args['deployment-id'], {force: true})
  }
}
