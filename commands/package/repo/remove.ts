import {Args} from '@oclif/core'
import type {PackageRepository} from '../../../src/clients/package-types'
import {DcosCommand} from '../../../src/cli/base'

export default class PackageRepoRemove extends DcosCommand<PackageRepository[]> {
  static override summary = 'Remove package repositories from DC/OS'
  static override strict = false
  static override args = {'repo-names': Args.string({required: true, description: 'names of the repositories to remove'})}
  static override examples = ['<%= config.bin %> package repo remove my-repo other-repo']

  async run(): Promise<PackageRepository[]> {
    const {argv} = await this.parse(PackageRepoRemove)
    const packages = await this.packages()
    let repositories: PackageRepository[] = []
    for (const name of argv as string[]) ({repositories} = await packages.deleteRepository(name))
    return repositories
  }
}
