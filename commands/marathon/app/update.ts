import {Args} from '@oclif/core'
import {DcosCommand} from '../../../src/cli/base'
import {deploymentFlags, WAIT_NOTE} from '../../../src/cli/marathon/flags'
import {parseProperties} from '../../../src/cli/marathon/properties'
import {readResource} from '../../../src/cli/marathon/resource'
import {waitForDeployment} from '../../../src/cli/marathon/wait'

export default class MarathonAppUpdate extends DcosCommand<{deploymentId: string}> {
  static override summary = 'Update an application'
  static override description = `Properties are key=value pairs typed as JSON where they parse (instances=3 is a number, env='{"A":"b"}' an object); without any, the JSON (or YAML) of the change is read from standard input. ${WAIT_NOTE}`
  static override strict = false
  static override args = {
    'app-id': Args.string({ignoreStdin: true, required: true, description: 'the application ID'}),
    properties: Args.string({ignoreStdin: true, description: 'key=value pairs (more may follow)'}),
  }
  static override flags = {...deploymentFlags}
  static override examples = [
    '<%= config.bin %> marathon app update /my-app instances=3 --wait',
    "<%= config.bin %> marathon app update /my-app cmd='sleep 100' env='{\"A\":\"b\"}'",
    '<%= config.bin %> marathon app update /my-app < change.json',
  ]

  async run(): Promise<{deploymentId: string}> {
    const {args, argv, flags} = await this.parse(MarathonAppUpdate)
    const marathon = await this.marathon()
    // As the real CLI: the app must exist (PUT would create it).
    await marathon.app(args['app-id'])
    const properties = (argv as string[]).slice(1)
    const change =
      properties.length > 0
        ? parseProperties(properties)
        : await readResource(undefined, this.io, {example: 'E.g. dcos marathon app update your-app-id < app_update.json'})
    const {deploymentId} = await marathon.updateApp(args['app-id'], change, {force: flags.force})
    this.print(`Created deployment ${deploymentId}`)
    if (flags.wait) await waitForDeployment(marathon, this.io, deploymentId, {signal: this.interruptSignal()})
    return {deploymentId}
  }
}
