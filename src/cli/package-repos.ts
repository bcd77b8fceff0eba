/**
 * Repository arguments of `dcos package repo add|import`. A local path (no scheme) becomes a
 * file:// URL of its absolute path: the bundled cluster's package service reads the machine's
 * files (a real Cosmos takes only http(s), and will say so).
 */
import fs from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import type {PackageRepository} from '../clients/package-types'
import {DcosError} from './errors'

export function repositoryUri(arg: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg)) return arg
  if (fs.existsSync(arg)) {
    // A directory's URL ends in '/': relative artifact URIs in it resolve inside it.
    const url = pathToFileURL(path.resolve(arg)).toString()
    return fs.statSync(arg).isDirectory() && !url.endsWith('/') ? `${url}/` : url
  }
  throw new DcosError('USAGE', `'${arg}' is neither a URL nor an existing path.`, {
    hint: 'Pass an http(s):// or file:// URL of a repository, or the path of a Universe directory.',
  })
}

/** `{"repositories":[{name, uri}, ...]}` from a file, or an error naming it. */
export function readRepositoriesFile(file: string): PackageRepository[] {
  let value: {repositories?: unknown}
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new DcosError('USAGE', `path '${file}' does not exist`)
    throw new DcosError('USAGE', `cannot read the repositories file '${file}': ${code ?? (e as Error).message}`)
  }
  const repos = Array.isArray(value?.repositories) ? (value.repositories as Partial<PackageRepository>[]) : []
  const valid = repos.filter((r): r is PackageRepository => typeof r?.name === 'string' && !!r.name && typeof r.uri === 'string' && !!r.uri)
  if (valid.length === 0) throw new DcosError('USAGE', `no repositories found to import in '${file}'`, {hint: 'The file holds {"repositories": [{"name", "uri"}]}.'})
  return valid
}
