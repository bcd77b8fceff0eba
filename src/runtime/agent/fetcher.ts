/**
 * The Mesos fetcher: before a task starts, each CommandInfo URI is downloaded (http, https) or
 * copied (file://, absolute path) into the sandbox, then made executable or extracted. `cache`
 * keeps a copy under the agent's fetch cache, keyed by the URI, for the next task. Progress goes
 * to the sandbox's stderr as the Mesos fetcher's log lines do.
 */
import {createHash, randomUUID} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import type {CommandURI} from '../../mesos/types'
import {archiveKind, extract} from './archive'

export class FetchError extends Error {}

export interface FetchOptions {
  sandbox: string
  cacheDir: string
  /** Receives one progress line at a time (the sandbox's stderr). */
  progress: (line: string) => void
  signal: AbortSignal
  /** Largest download, and largest expansion of one archive. */
  maxBytes: number
  /** Longest a single URI may take. */
  timeoutMs: number
}

/** Fetches every URI in order; throws FetchError naming the URI that failed and why. */
export async function fetchUris(uris: CommandURI[], opts: FetchOptions): Promise<void> {
  for (const uri of uris) {
    try {
      await fetchOne(uri, opts)
    } catch (error) {
      if (opts.signal.aborted) throw new FetchError(`Fetching '${uri.value}' was aborted`)
      throw new FetchError(`Failed to fetch '${uri.value}': ${(error as Error).message}`)
    }
  }
  if (uris.length > 0) opts.progress(`Successfully fetched all URIs into '${opts.sandbox}'`)
}

type Source = {kind: 'http'; url: URL} | {kind: 'file'; path: string}

function parseSource(value: string): Source {
  if (value.startsWith('/')) return {kind: 'file', path: value}
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error('not an absolute path or URL (relative paths need a frameworks home, which this agent has none of)')
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return {kind: 'http', url}
  if (url.protocol === 'file:') return {kind: 'file', path: fileURLToPath(url)}
  throw new Error(`unsupported URI scheme '${url.protocol.replace(/:$/, '')}' (supported: http, https, file, absolute paths)`)
}

function baseName(source: Source): string {
  const p = source.kind === 'file' ? source.path : decodeURIComponent(source.url.pathname)
  return path.posix.basename(p)
}

/** The destination in the sandbox: `output_file` (relative, inside) or the URI's base name. */
function destination(uri: CommandURI, source: Source, sandbox: string): string {
  const name = uri.output_file ?? baseName(source)
  if (!name || name === '.' || name === '..') throw new Error("cannot tell the file name; set 'output_file'")
  if (path.isAbsolute(name)) throw new Error(`output_file '${name}' must be a relative path`)
  const dest = path.resolve(sandbox, name)
  if (!dest.startsWith(sandbox + path.sep)) throw new Error(`output_file '${name}' leaves the sandbox`)
  return dest
}

async function fetchOne(uri: CommandURI, opts: FetchOptions): Promise<void> {
  const {progress} = opts
  progress(`Fetching URI '${uri.value}'`)
  const source = parseSource(uri.value)
  const dest = destination(uri, source, opts.sandbox)
  await fs.promises.mkdir(path.dirname(dest), {recursive: true})
  if (uri.cache) {
    const cached = path.join(opts.cacheDir, createHash('sha256').update(uri.value).digest('hex'))
    if (fs.existsSync(cached)) progress(`Using the cached copy of '${uri.value}'`)
    else {
      progress(`Downloading '${uri.value}' into the fetch cache`)
      await fs.promises.mkdir(opts.cacheDir, {recursive: true})
      const tmp = `${cached}.${randomUUID()}.tmp`
      try {
        await retrieve(source, tmp, opts)
        await fs.promises.rename(tmp, cached)
      } finally {
        await fs.promises.rm(tmp, {force: true})
      }
    }
    await fs.promises.copyFile(cached, dest)
  } else {
    progress('Fetching directly into the sandbox directory')
    await retrieve(source, dest, opts)
  }
  progress(`Fetched '${uri.value}' to '${dest}'`)
  if (uri.executable) {
    await fs.promises.chmod(dest, 0o755)
    return
  }
  const kind = uri.extract === false ? undefined : archiveKind(dest)
  if (kind) {
    await extract(dest, opts.sandbox, kind, {maxBytes: opts.maxBytes, signal: opts.signal})
    progress(`Extracted '${dest}' into '${opts.sandbox}'`)
  }
}

async function retrieve(source: Source, dest: string, opts: FetchOptions): Promise<void> {
  if (source.kind === 'file') {
    const st = await fs.promises.stat(source.path)
    if (!st.isFile()) throw new Error(`'${source.path}' is not a regular file`)
    if (st.size > opts.maxBytes) throw new Error(`'${source.path}' is ${st.size} bytes; the limit is ${opts.maxBytes}`)
    opts.progress(`Copying resource '${source.path}' to '${dest}'`)
    await fs.promises.copyFile(source.path, dest)
    return
  }
  opts.progress(`Downloading resource from '${source.url.href}' to '${dest}'`)
  const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)])
  const res = await fetch(source.url, {signal, redirect: 'follow'})
  if (!res.ok || !res.body) {
    await res.body?.cancel()
    throw new Error(`HTTP ${res.status} ${res.statusText}`)
  }
  const declared = Number(res.headers.get('content-length') ?? 0)
  if (declared > opts.maxBytes) {
    await res.body.cancel()
    throw new Error(`the resource is ${declared} bytes; the limit is ${opts.maxBytes}`)
  }
  const file = await fs.promises.open(dest, 'w', 0o644)
  let total = 0
  try {
    for await (const chunk of res.body) {
      total += chunk.length
      if (total > opts.maxBytes) throw new Error(`the download exceeds the limit of ${opts.maxBytes} bytes`)
      await file.write(chunk)
    }
  } finally {
    await file.close()
  }
}
