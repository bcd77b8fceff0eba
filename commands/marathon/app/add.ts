import {Args} from '@oclif/core'
import {marathonId} from '../../../src/clients/marathon'
import {DcosCommand} from '../../../src/cli/base'
import {waitFlag, WAIT_NOTE} from '../../../src/cli/marathon/flags'
import {readResource} from '../../../src/cli/marathon/resource'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonAppAdd extends DcosCommand<{deploymentId: string}> {
  static override summary = 'Add an application'
  static override description = `The definition is JSON or YAML, read from a file, an http(s) URL, or standard input when no resource is given. ${WAIT_NOTE}`
  static override args = {'app-resource': Args.string({ignoreStdin: true, description: 'path to a file or HTTP(S) URL containing the app JSON (or YAML) definition'})}
  static override flags = {...waitFlag}
  static override examples = [
    '<%= config.bin %> marathon app add app.json',
    '<%= config.bin %> marathon app add --wait < app.yaml',
    '<%= config.bin %> marathon app add https://example.com/app.json',
  ]

  async run(): Promise<{deploymentId: string}> {
    const {args, flags} = await this.parse(MarathonAppAdd)
    const definition = await readResource(args['app-resource'], this.io, {example: 'E.g.: dcos marathon app add < app_resource.json'})
    // PY: SRV records cannot be generated for longer IDs (a warning; Marathon accepts them).
    if (typeof definition.id === 'string' && marathonId(definition.id).length >= 55) {
      this.warn('Service IDs must be less than 55 characters in order to have SRV records generated correctly.')
    }
    const marathon = await this.marathon()
    const {deploymentId} = await marathon.addApp(definition)
    this.print(`Created deployment ${deploymentId}`)
    if (flags.wait) await waitForDeployment(marathon, this.io, deploymentId, {signal: this.interruptSignal()})
    return {deploymentId}
  }
}
