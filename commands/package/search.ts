import {Args} from '@oclif/core'
import type {SearchResponse} from '../../src/clients/package-types'
import {DcosCommand} from '../../src/cli/base'
import {DcosError} from '../../src/cli/errors'
import {searchTable} from '../../src/cli/views/packages'

export default class PackageSearch extends DcosCommand<SearchResponse> {
  static override summary = 'Search the package repository'
  static override enableJsonFlag = true
  static override args = {query: Args.string({description: 'pattern to search for (`*` is a wildcard)'})}
  static override examples = ['<%= config.bin %> package search', '<%= config.bin %> package search "c*s" --json']

  async run(): Promise<SearchResponse> {
    const {args} = await this.parse(PackageSearch)
    const result = await (await this.packages()).search(args.query)
    if (this.jsonEnabled()) return result
    if (args.query && result.packages.length === 0) {
      throw new DcosError('NO_MATCH', 'no packages found', {hint: "Run 'dcos package search' to see all packages."})
    }
    this.print(searchTable(result.packages))
    return result
  }
}
