/**
 * Loading a repository by URI: `file://` of a Universe directory or of an index JSON file,
 * `http(s)://` of an index JSON (as the Universe server serves it). The only I/O of the
 * package model. Failures are Cosmos's repository errors, naming the URI.
 */
import fs from 'node:fs'
import {fileURLToPath} from 'node:url'
import {CosmosError} from './errors'
import {loadDirectory, parseIndex, type Repository} from './repository'

/** What Cosmos sends when it fetches a repository (UniverseClient.scala). */
export const REPO_ACCEPT = [
  'application/vnd.dcos.universe.repo+json;charset=utf-8;version=v5',
  'application/vnd.dcos.universe.repo+json;charset=utf-8;version=v4',
  'application/vnd.dcos.universe.repo+json;charset=utf-8;version=v3',
  'application/json;q=0.5',
].join(',')

export interface LoadOptions {
  timeoutMs?: number
  /** Largest index accepted. */
  maxBytes?: number
  /** Headers for http(s) fetches (none carry the cluster's token: repositories are public). */
  headers?: Record<string, string>
}

const connectionError = (uri: string, why: string) =>
  new CosmosError('RepositoryUriConnection', `Could not access data at URI [${uri}]: ${why}`, {uri})

export function checkRepositoryUri(uri: unknown): URL {
  if (typeof uri !== 'string' || uri === '') throw new CosmosError('RepositoryUriSyntax', 'The repository URI must be a non-empty string', {uri: String(uri)})
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw new CosmosError('RepositoryUriSyntax', `The URI [${uri}] is not valid: expected http://, https:// or file://`, {uri})
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol))
    throw new CosmosError('RepositoryUriSyntax', `The URI [${uri}] uses the unsupported scheme ${url.protocol}: expected http://, https:// or file://`, {uri})
  return url
}

export async function loadRepository(uri: string, opts: LoadOptions = {}): Promise<Repository> {
  const url = checkRepositoryUri(uri)
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024
  if (url.protocol === 'file:') {
    let file: string
    try {
      file = fileURLToPath(url)
    } catch (error) {
      throw new CosmosError('RepositoryUriSyntax', `The URI [${uri}] is not a local file URI: ${(error as Error).message}`, {uri})
    }
    let stat: fs.Stats
    try {
      stat = await fs.promises.stat(file)
    } catch (error) {
      throw connectionError(uri, (error as NodeJS.ErrnoException).code ?? 'cannot read')
    }
    if (stat.isDirectory()) return loadDirectory(file)
    if (stat.size > maxBytes) throw connectionError(uri, `the index is larger than ${maxBytes} bytes`)
    return parseIndex(uri, parseJson(uri, await fs.promises.readFile(file, 'utf8')))
  }
  let res: Response
  try {
    res = await fetch(url, {headers: {Accept: REPO_ACCEPT, ...opts.headers}, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000), redirect: 'follow'})
  } catch (error) {
    const cause = (error as {cause?: NodeJS.ErrnoException}).cause
    throw connectionError(uri, cause?.code ?? (error as Error).name)
  }
  if (res.status === 404) {
    await res.body?.cancel()
    throw new CosmosError('IndexNotFound', `Index file missing for repo [${uri}]`, {uri})
  }
  if (!res.ok) {
    await res.body?.cancel()
    throw connectionError(uri, `the server answered ${res.status}`)
  }
  const type = res.headers.get('content-type') ?? ''
  if (/zip/i.test(type)) {
    await res.body?.cancel()
    throw new CosmosError('UnsupportedContentType', `Unsupported Content-Type [${type}] for repository [${uri}]: zip repositories (Universe 1.x/2.x) are not supported; use an index JSON or a Universe directory`, {uri, contentType: type})
  }
  const text = await readLimited(uri, res, maxBytes)
  return parseIndex(uri, parseJson(uri, text))
}

async function readLimited(uri: string, res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0)
  if (declared > max) {
    await res.body?.cancel()
    throw connectionError(uri, `the index is larger than ${max} bytes`)
  }
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.length
      if (size > max) throw connectionError(uri, `the index is larger than ${max} bytes`)
      chunks.push(Buffer.from(chunk))
    }
  } catch (error) {
    if (error instanceof CosmosError) throw error
    throw connectionError(uri, (error as Error).message)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function parseJson(uri: string, text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CosmosError('IndexNotFound', `The repository [${uri}] did not send a JSON index: ${(error as Error).message}`, {uri})
  }
}
