import type {RepositoriesResponse} from '../../../src/clients/package-types'
import {DcosCommand} from '../../../src/cli/base'
import {DcosError} from '../../../src/cli/errors'
import {repositoryLines} from '../../../src/cli/views/packages'

export default class PackageRepoList extends DcosCommand<RepositoriesResponse> {
  static override summary = 'List the package repositories, in the order they are searched'
  static override enableJsonFlag = true
  static override examples = ['<%= config.bin %> package repo list', '<%= config.bin %> package repo list --json']

  async run(): Promise<RepositoriesResponse> {
    await this.parse(PackageRepoList)
    const result = await (await this.packages()).repositories()
    if (this.jsonEnabled()) return result
    if (result.repositories.length === 0) {
      throw new DcosError('NO_MATCH', 'There are currently no repos configured.', {hint: "Please use 'dcos package repo add' to add a repo."})
    }
    this.printLines(repositoryLines(result.repositories))
    return result
  }
}
