/**
 * The Mesos files API of an agent (src/files/files.cpp): browse, read, download and debug over
 * the sandboxes it runs, by their absolute paths or by the virtual
 * `/frameworks/<fid>/executors/<eid>/runs/latest` path, plus `/slave/log`. Every path is resolved
 * with realpath and served only if it lies inside the agent's sandboxes or volumes: `..`, other
 * files of the host and symlinks leading out are refused, never read.
 */
import fs from 'node:fs'
import path from 'node:path'
import {HttpError, badRequest, jsonp, notFound, sendFile, type Request, type Router} from '../http'

/** 16 pages of 4 KiB, Mesos' cap on one read. */
const MAX_READ_BYTES = 64 * 1024

/** What the files API serves from. */
export interface FilesSource {
  /** Directories inside which files may be served (sandboxes root, volumes root). */
  roots: string[]
  /** The agent's log (`/slave/log`). */
  logFile?: string
  /** Sandboxes, newest last: each executor's latest run is its last entry. */
  sandboxes(): {frameworkId: string; executorId: string; directory: string}[]
}

interface Resolved {
  /** The path as the client names it (listing entries extend it). */
  shown: string
  real: string
  stat: fs.Stats
}

const forbidden = (p: string) => new HttpError(403, `Access to '${p}' is forbidden: it is outside the agent's sandboxes`)

function inside(roots: string[], p: string): boolean {
  return roots.some((r) => p === r || p.startsWith(r + path.sep))
}

function realRoots(roots: string[]): string[] {
  return roots.flatMap((r) => {
    try {
      return [fs.realpathSync(r)]
    } catch {
      return []
    }
  })
}

const LATEST = /^\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/latest(\/.*)?$/

/** Maps a requested path to a real file, or throws the 4xx that explains why not. */
function resolve(source: FilesSource, requested: string | null): Resolved {
  if (!requested) throw badRequest("Expecting 'path=value' in query.")
  if (requested.includes('\u0000')) throw badRequest('The path contains a NUL byte')
  const clean = path.posix.normalize(requested).replace(/(.)\/+$/, '$1')
  let candidate: string
  if (clean === '/slave/log') {
    if (!source.logFile) throw notFound('File not found: this agent has no log file')
    candidate = source.logFile
  } else if (LATEST.test(clean)) {
    const [, frameworkId, executorId, rest] = LATEST.exec(clean)!
    const run = source
      .sandboxes()
      .filter((s) => s.frameworkId === frameworkId && s.executorId === executorId)
      .pop()
    if (!run) throw notFound(`File not found: no executor '${executorId}' of framework '${frameworkId}' on this agent`)
    candidate = path.join(run.directory, rest ?? '')
  } else {
    if (!path.isAbsolute(requested)) throw notFound(`File not found: '${requested}' is not an absolute path`)
    candidate = path.resolve(requested)
    if (!inside(source.roots, candidate)) throw forbidden(requested)
  }
  let real: string
  try {
    real = fs.realpathSync(candidate)
  } catch {
    throw notFound(`File not found: '${requested}'`)
  }
  if (clean !== '/slave/log' && !inside(realRoots(source.roots), real)) throw forbidden(requested)
  return {shown: clean, real, stat: fs.statSync(real)}
}

/**
 * Only regular files are read or downloaded. A task may leave anything in its sandbox: opening
 * a FIFO blocks until someone writes to it (a read would stall the whole agent, a download a
 * thread of its pool for good), and a device never ends.
 */
function requireRegularFile(target: Resolved): void {
  if (!target.stat.isFile()) throw badRequest(`'${target.shown}' is not a regular file`)
}

/** `ls -l` style mode text, as Mesos shows it: `drwxr-xr-x`. */
function modeText(st: fs.Stats): string {
  const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFIFO() ? 'p' : st.isSocket() ? 's' : st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : '-'
  let bits = ''
  for (const shift of [6, 3, 0]) {
    const m = (st.mode >> shift) & 7
    bits += (m & 4 ? 'r' : '-') + (m & 2 ? 'w' : '-') + (m & 1 ? 'x' : '-')
  }
  return type + bits
}

/** Numeric ids to names from /etc/passwd or /etc/group (Mesos shows names). */
function idNames(file: string): Map<number, string> {
  const out = new Map<number, string>()
  try {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const [name, , id] = line.split(':')
      if (name && id !== undefined && !out.has(Number(id))) out.set(Number(id), name)
    }
  } catch {
    /* no names: ids are shown as numbers */
  }
  return out
}

function parseInteger(value: string | null, name: string, fallback: number): number {
  if (value === null || value === '') return fallback
  if (!/^-?\d+$/.test(value)) throw badRequest(`Failed to parse ${name}: '${value}' is not an integer`)
  return Number(value)
}

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.json': 'application/json',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.css': 'text/css',
  '.js': 'application/javascript',
  '.xml': 'application/xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.gz': 'application/x-gzip',
  '.tgz': 'application/x-gzip',
  '.tar': 'application/x-tar',
  '.zip': 'application/zip',
  '.pdf': 'application/pdf',
}

export function filesRoutes(router: Router, source: FilesSource): void {
  let users: Map<number, string> | undefined
  let groups: Map<number, string> | undefined
  const entry = (shown: string, st: fs.Stats) => {
    users ??= idNames('/etc/passwd')
    groups ??= idNames('/etc/group')
    return {
      path: shown,
      nlink: st.nlink,
      size: st.size,
      mtime: Math.floor(st.mtimeMs / 1000),
      mode: modeText(st),
      uid: users.get(st.uid) ?? String(st.uid),
      gid: groups.get(st.gid) ?? String(st.gid),
    }
  }

  const browse = (req: Request) => {
    const target = resolve(source, req.query.get('path'))
    if (!target.stat.isDirectory()) return jsonp(req, [entry(target.shown, target.stat)])
    const roots = realRoots(source.roots)
    const listing = fs.readdirSync(target.real).map((name) => {
      const full = path.join(target.real, name)
      let st = fs.lstatSync(full)
      // Links are described by their target only when it is servable; otherwise as links.
      if (st.isSymbolicLink()) {
        try {
          if (inside(roots, fs.realpathSync(full))) st = fs.statSync(full)
        } catch {
          /* dangling link */
        }
      }
      return entry(path.posix.join(target.shown, name), st)
    })
    listing.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    return jsonp(req, listing)
  }

  const read = (req: Request) => {
    const offset = parseInteger(req.query.get('offset'), 'offset', -1)
    const length = parseInteger(req.query.get('length'), 'length', -1)
    if (offset < -1) throw badRequest(`Negative offset provided: ${offset}`)
    if (length < -1) throw badRequest(`Negative length provided: ${length}`)
    const target = resolve(source, req.query.get('path'))
    if (target.stat.isDirectory()) throw badRequest('Cannot read a directory.')
    requireRegularFile(target)
    const fd = fs.openSync(target.real, 'r')
    try {
      const size = fs.fstatSync(fd).size
      if (offset === -1) return jsonp(req, {offset: size, data: ''})
      if (offset >= size) return jsonp(req, {offset, data: ''})
      const wanted = Math.min(length === -1 ? size - offset : length, MAX_READ_BYTES, size - offset)
      const buf = Buffer.alloc(wanted)
      const n = fs.readSync(fd, buf, 0, wanted, offset)
      return jsonp(req, {offset, data: buf.subarray(0, n).toString('utf8')})
    } finally {
      fs.closeSync(fd)
    }
  }

  const download = (req: Request) => {
    const target = resolve(source, req.query.get('path'))
    if (target.stat.isDirectory()) throw badRequest('Cannot download a directory.')
    requireRegularFile(target)
    const name = path.basename(target.real)
    return sendFile(req, target.real, target.stat.size, {
      'Content-Type': CONTENT_TYPES[path.extname(name).toLowerCase()] ?? 'application/octet-stream',
      'Content-Disposition': `attachment; filename=${name.replace(/[^\w.-]/g, '_')}`,
    })
  }

  const debug = (req: Request) => {
    const out: Record<string, string> = {}
    if (source.logFile) out['/slave/log'] = source.logFile
    for (const s of source.sandboxes()) {
      out[s.directory] = s.directory
      out[`/frameworks/${s.frameworkId}/executors/${s.executorId}/runs/latest`] = s.directory
    }
    return jsonp(req, out)
  }

  for (const [name, handler] of [
    ['browse', browse],
    ['read', read],
    ['download', download],
    ['debug', debug],
  ] as const) {
    router.get(`/files/${name}`, handler)
    router.get(`/files/${name}.json`, handler)
  }
}
