import {Args} from '@oclif/core'
import {DcosCommand} from '../../src/cli/base'
import {type Providers, authDisabledError, fetchProviders, providerColumns} from '../../src/cli/auth'
import {configKey, parseValue} from '../../src/cli/config'
import {missingDcosUrlError} from '../../src/cli/errors'
import {renderTable} from '../../src/cli/table'

export default class AuthListProviders extends DcosCommand<Providers> {
  static override summary = 'List the login providers of a cluster'
  static override description = 'Lists the providers of the current cluster, or of the cluster at the URL given. No login is needed.'
  static override enableJsonFlag = true
  static override args = {url: Args.string({description: 'a cluster URL (default: the current cluster)'})}
  static override examples = ['<%= config.bin %> auth list-providers', '<%= config.bin %> auth list-providers https://dcos.example.com --json']

  async run(): Promise<Providers> {
    const {args} = await this.parse(AuthListProviders)
    const {HttpClient} = await import('../../src/clients/http')
    // Providers are public: no token is sent, least of all to a URL given on the command line.
    const e = args.url ? undefined : this.endpoints()
    const baseUrl = args.url ? String(parseValue(configKey('core.dcos_url')!, args.url)) : e?.dcosUrl
    if (!baseUrl) throw missingDcosUrlError()
    const http = new HttpClient({baseUrl, timeoutMs: e?.timeoutMs, sslVerify: e?.sslVerify})
    const providers = await fetchProviders(http)
    if (!providers) throw authDisabledError(baseUrl)
    if (!this.jsonEnabled()) this.print(renderTable(providerColumns, Object.entries(providers).sort(([a], [b]) => a.localeCompare(b))))
    return providers
  }
}
