/**
 * Archive extraction for the fetcher, by file name as the Mesos fetcher decides it: tar (plain or
 * gzip) through the `tar` package, zip through `fflate`, a lone .gz through zlib, and bzip2/xz
 * tarballs through the system's tar (as Mesos itself extracts them). Nothing is written outside
 * the target directory and no archive expands beyond `maxBytes`.
 *
 * `tar` and `fflate` are loaded on the first extraction: most agents never extract anything, and
 * loading them at start-up costs every agent process resident memory.
 */
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {pipeline} from 'node:stream/promises'
import {Transform} from 'node:stream'
import zlib from 'node:zlib'

export type ArchiveKind = 'tar' | 'system-tar' | 'zip' | 'gzip'

export function archiveKind(name: string): ArchiveKind | undefined {
  const n = name.toLowerCase()
  if (n.endsWith('.tar') || n.endsWith('.tar.gz') || n.endsWith('.tgz')) return 'tar'
  if (['.tar.bz2', '.tbz2', '.tbz', '.tar.xz', '.txz'].some((ext) => n.endsWith(ext))) return 'system-tar'
  if (n.endsWith('.zip')) return 'zip'
  if (n.endsWith('.gz')) return 'gzip'
  return undefined
}

class ExtractError extends Error {}

export interface ExtractOptions {
  maxBytes: number
  signal: AbortSignal
}

/** Extracts `file` into `dir` (which exists). Throws ExtractError with a message for the user. */
export async function extract(file: string, dir: string, kind: ArchiveKind, opts: ExtractOptions): Promise<void> {
  if (kind === 'tar') await extractTar(file, dir, opts)
  else if (kind === 'system-tar') await extractWithSystemTar(file, dir, opts)
  else if (kind === 'zip') await extractZip(file, dir, opts)
  else await gunzip(file, dir, opts)
}

function tooBig(file: string, maxBytes: number): ExtractError {
  return new ExtractError(`'${path.basename(file)}' expands beyond the limit of ${maxBytes} bytes`)
}

async function extractTar(file: string, dir: string, {maxBytes, signal}: ExtractOptions): Promise<void> {
  const tar = await import('tar')
  let total = 0
  let failure: Error | undefined
  try {
    await tar.x({
      file,
      cwd: dir,
      strict: true,
      preserveOwner: false,
      // Regular entries only count: links and directories take no space worth limiting.
      filter: (_p, entry) => {
        if (signal.aborted) failure ??= new ExtractError('extraction aborted')
        total += 'size' in entry && typeof entry.size === 'number' ? entry.size : 0
        if (total > maxBytes) failure ??= tooBig(file, maxBytes)
        return !failure
      },
    })
  } catch (error) {
    throw new ExtractError(`Failed to extract '${path.basename(file)}': ${(error as Error).message}`)
  }
  if (failure) throw failure
}

function extractWithSystemTar(file: string, dir: string, {signal}: ExtractOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', ['--no-same-owner', '-C', dir, '-xf', file], {stdio: ['ignore', 'ignore', 'pipe'], signal})
    let stderr = ''
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)))
    child.on('error', (e) => reject(new ExtractError(`Failed to run tar: ${e.message}`)))
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new ExtractError(`Failed to extract '${path.basename(file)}': tar exited with status ${code}: ${stderr.trim()}`)),
    )
  })
}

/** Resolves an archive member's name under `dir`, refusing absolute names and `..` escapes. */
function memberPath(dir: string, name: string): string {
  const clean = name.replaceAll('\\', '/')
  const target = path.resolve(dir, clean)
  if (path.isAbsolute(clean) || (target !== dir && !target.startsWith(dir + path.sep)))
    throw new ExtractError(`Refusing archive entry '${name}': it would be written outside '${dir}'`)
  return target
}

/** mkdir -p that refuses to follow a symlink out of `root` (an earlier URI may have made one). */
function mkdirInside(root: string, dir: string): void {
  fs.mkdirSync(dir, {recursive: true})
  const real = fs.realpathSync(dir)
  if (real !== root && !real.startsWith(root + path.sep)) throw new ExtractError(`Refusing to extract through a link out of '${root}'`)
}

async function extractZip(file: string, dir: string, {maxBytes, signal}: ExtractOptions): Promise<void> {
  const {Unzip, UnzipInflate, UnzipPassThrough} = await import('fflate')
  const root = fs.realpathSync(dir)
  let total = 0
  let failure: Error | undefined
  const open = new Set<number>()
  const unzip = new Unzip((entry) => {
    if (failure) return
    try {
      const target = memberPath(root, entry.name)
      if (entry.name.endsWith('/')) {
        mkdirInside(root, target)
        return
      }
      mkdirInside(root, path.dirname(target))
      const fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o644)
      open.add(fd)
      entry.ondata = (err, chunk, final) => {
        if (failure) return
        try {
          if (err) throw new ExtractError(`Corrupt zip entry '${entry.name}': ${err.message}`)
          total += chunk.length
          if (total > maxBytes) throw tooBig(file, maxBytes)
          fs.writeSync(fd, chunk)
          if (final) {
            fs.closeSync(fd)
            open.delete(fd)
          }
        } catch (error) {
          failure = error as Error
        }
      }
      entry.start()
    } catch (error) {
      failure = error instanceof ExtractError ? error : new ExtractError(`Failed to extract '${entry.name}': ${(error as Error).message}`)
    }
  })
  unzip.register(UnzipInflate)
  unzip.register(UnzipPassThrough)
  try {
    // Chunked reads let the event loop breathe between pieces of a large archive.
    for await (const chunk of fs.createReadStream(file, {highWaterMark: 256 * 1024, signal})) {
      unzip.push(chunk as Buffer, false)
      if (failure) break
    }
    if (!failure) unzip.push(new Uint8Array(0), true)
  } catch (error) {
    failure ??= new ExtractError(`Failed to extract '${path.basename(file)}': ${(error as Error).message}`)
  } finally {
    for (const fd of open) fs.closeSync(fd)
  }
  if (failure) throw failure
}

async function gunzip(file: string, dir: string, {maxBytes, signal}: ExtractOptions): Promise<void> {
  const target = path.join(dir, path.basename(file).replace(/\.gz$/i, ''))
  let total = 0
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      total += chunk.length
      done(total > maxBytes ? tooBig(file, maxBytes) : null, chunk)
    },
  })
  try {
    await pipeline(fs.createReadStream(file), zlib.createGunzip(), limit, fs.createWriteStream(target, {flags: 'w'}), {signal})
  } catch (error) {
    throw error instanceof ExtractError ? error : new ExtractError(`Failed to extract '${path.basename(file)}': ${(error as Error).message}`)
  }
}
