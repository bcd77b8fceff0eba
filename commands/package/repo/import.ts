import {Args} from '@oclif/core'
import type {PackageRepository} from '../../../src/clients/package-types'
import {DcosCommand} from '../../../src/cli/base'
import {DcosError} from '../../../src/cli/errors'
import {readRepositoriesFile, repositoryUri} from '../../../src/cli/package-repos'

/**
 * CORE `repo import`: a file shaped like `repo list --json` (`{"repositories":[{name, uri}]}`);
 * each repository is added at its position in the file; one that fails is reported and skipped.
 */
export default class PackageRepoImport extends DcosCommand<PackageRepository[]> {
  static override summary = 'Import a file containing package repositories'
  static override args = {'repos-file': Args.string({required: true, description: 'a JSON file as printed by `dcos package repo list --json`'})}
  static override examples = ['<%= config.bin %> package repo list --json > repos.json && <%= config.bin %> package repo import repos.json']

  async run(): Promise<PackageRepository[]> {
    const {args} = await this.parse(PackageRepoImport)
    const wanted = readRepositoriesFile(args['repos-file'])
    const packages = await this.packages()
    const added: PackageRepository[] = []
    for (const [index, repo] of wanted.entries()) {
      const uri = repositoryUri(repo.uri)
      try {
        await packages.addRepository(repo.name, uri, index)
        added.push({name: repo.name, uri})
        this.notice(`Added repo '${repo.name}' (${uri}) at index ${index}`)
      } catch (e) {
        if (!(e instanceof DcosError)) throw e
        this.notice(`Error (${e.message}) while adding repo '${repo.name}' (${uri}). Skipping.`)
      }
    }
    if (added.length === 0) throw new DcosError('HTTP_ERROR', `no repository of '${args['repos-file']}' could be added.`)
    return added
  }
}
