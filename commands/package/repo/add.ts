import {Args, Flags} from '@oclif/core'
import type {PackageRepository} from '../../../src/clients/package-types'
import {DcosCommand} from '../../../src/cli/base'
import {repositoryUri} from '../../../src/cli/package-repos'

export default class PackageRepoAdd extends DcosCommand<PackageRepository[]> {
  static override summary = 'Add a package repository to DC/OS'
  static override description =
    'The URL is an http(s) URL of a repository index, or a file:// URL (or a local path) of a directory in the Universe layout or of an index file.'
  static override args = {
    'repo-name': Args.string({required: true, description: 'name of the repository'}),
    'repo-url': Args.string({required: true, description: 'URL of the repository'}),
  }
  static override flags = {
    index: Flags.integer({min: 0, description: 'Numerical position in the package repository list (0 is searched first)'}),
  }
  static override examples = [
    '<%= config.bin %> package repo add my-repo https://example.com/repo',
    '<%= config.bin %> package repo add local ./my-universe --index 0',
  ]

  async run(): Promise<PackageRepository[]> {
    const {args, flags} = await this.parse(PackageRepoAdd)
    const uri = repositoryUri(args['repo-url'])
    const {repositories} = await (await this.packages()).addRepository(args['repo-name'], uri, flags.index)
    this.notice(`Added repository [${args['repo-name']}] (${uri})`)
    return repositories
  }
}
