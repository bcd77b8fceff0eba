/**
 * The files API of the master (Mesos `src/files/files.cpp`) for its one virtual file,
 * `/master/log`: read (offset/length paging, 64 KiB per read, no offset = size probe), browse,
 * download and debug.
 */
import fs from 'node:fs'
import path from 'node:path'
import {HttpError, badRequest, jsonp, notFound, sendFile, type Request, type Router} from '../http'

const LOG_PATH = '/master/log'
/** Mesos reads at most 16 pages per request. */
const MAX_READ_BYTES = 16 * 4096

export function filesRoutes(router: Router, logFile: string | undefined): void {
  const read = (req: Request) => readFile(req, logFile)
  const browse = (req: Request) => browseDir(req, logFile)
  const download = (req: Request) => downloadFile(req, logFile)
  router.get('/files/read', read).get('/files/read.json', read)
  router.get('/files/browse', browse).get('/files/browse.json', browse)
  router.get('/files/download', download).get('/files/download.json', download)
  router.get('/files/debug', (req) => jsonp(req, logFile ? {[LOG_PATH]: logFile} : {}))
  router.get('/files/debug.json', (req) => jsonp(req, logFile ? {[LOG_PATH]: logFile} : {}))
}

function requestedPath(req: Request): string {
  const p = req.query.get('path')
  if (!p) throw badRequest("Expecting 'path=value' in query.\n")
  return path.posix.normalize(p).replace(/\/+$/, '') || '/'
}

/** The real file behind a virtual path, or a 404. */
function resolve(virtual: string, logFile: string | undefined): string {
  if (virtual === LOG_PATH && logFile && fs.existsSync(logFile)) return logFile
  throw notFound('')
}

function integer(req: Request, name: 'offset' | 'length'): number | undefined {
  const raw = req.query.get(name)
  if (raw === null) return undefined
  if (!/^-?\d+$/.test(raw.trim())) throw badRequest(`Failed to parse ${name}: Failed to convert '${raw}' to number.\n`)
  const n = Number(raw)
  if (n < -1) throw badRequest(`Negative ${name} provided: ${n}.\n`)
  return n
}

function readFile(req: Request, logFile: string | undefined): unknown {
  const virtual = requestedPath(req)
  const offset = integer(req, 'offset') ?? -1
  const lengthParam = integer(req, 'length')
  if (virtual === '/master') throw badRequest('Cannot read a directory.\n')
  const file = resolve(virtual, logFile)
  const size = fs.statSync(file).size
  if (offset === -1) return jsonp(req, {offset: size, data: ''})
  if (offset >= size) return jsonp(req, {offset, data: ''})
  const length = Math.min(lengthParam === undefined || lengthParam === -1 ? size - offset : lengthParam, MAX_READ_BYTES)
  const buf = Buffer.alloc(length)
  const fd = fs.openSync(file, 'r')
  try {
    const n = fs.readSync(fd, buf, 0, length, offset)
    return jsonp(req, {offset, data: buf.subarray(0, n).toString('utf8')})
  } finally {
    fs.closeSync(fd)
  }
}

function fileInfo(virtual: string, stat: fs.Stats): Record<string, unknown> {
  const bits = stat.mode & 0o777
  const perms = ['r', 'w', 'x', 'r', 'w', 'x', 'r', 'w', 'x'].map((c, i) => (bits & (1 << (8 - i)) ? c : '-')).join('')
  return {
    path: virtual,
    nlink: stat.nlink,
    size: stat.size,
    mtime: Math.floor(stat.mtimeMs / 1000),
    mode: `${stat.isDirectory() ? 'd' : '-'}${perms}`,
    uid: String(stat.uid),
    gid: String(stat.gid),
  }
}

function browseDir(req: Request, logFile: string | undefined): unknown {
  const virtual = requestedPath(req)
  if (virtual === '/master') {
    const entries = logFile && fs.existsSync(logFile) ? [fileInfo(LOG_PATH, fs.statSync(logFile))] : []
    return jsonp(req, entries)
  }
  const file = resolve(virtual, logFile)
  return jsonp(req, [fileInfo(virtual, fs.statSync(file))])
}

function downloadFile(req: Request, logFile: string | undefined): unknown {
  const virtual = requestedPath(req)
  if (virtual === '/master') throw new HttpError(400, 'Cannot download a directory.\n')
  const file = resolve(virtual, logFile)
  return sendFile(req, file, fs.statSync(file).size, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename=${path.basename(file)}`,
  })
}
