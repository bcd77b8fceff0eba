import {Flags} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {pingMarathon} from '../../src/cli/marathon/ping'

export default class MarathonPing extends DcosCommand<{count: number}> {
  static override summary = 'Ensure Marathon is up and responding'
  static override description = 'Pings the leading Marathon once per master (as the DNS name master.mesos lists them), or once with --once.'
  static override flags = {once: Flags.boolean({description: 'ping once, whatever the number of masters'})}
  static override examples = ['<%= config.bin %> marathon ping --once']

  async run(): Promise<{count: number}> {
    const {flags} = await this.parse(MarathonPing)
    const marathon = await this.marathon()
    const masters = flags.once ? 1 : await this.#masters()
    await pingMarathon(marathon, masters)
    this.print(`Marathon ping response[${masters}x]: "pong"`)
    return {count: masters}
  }

  /** How many masters Mesos-DNS knows (CORE); a cluster without Mesos-DNS counts one. */
  async #masters(): Promise<number> {
    try {
      const hosts = await (await this.http()).getJson<unknown[]>('/mesos_dns/v1/hosts/master.mesos')
      return Array.isArray(hosts) && hosts.length > 0 ? hosts.length : 1
    } catch {
      return 1
    }
  }
}
