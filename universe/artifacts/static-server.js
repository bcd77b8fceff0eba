#!/usr/bin/env node
// The `static-server` package's service: serves the files of one directory over HTTP, with Node's
// standard library only. Paths never leave the directory (no `..`, no symlinks out of it).
//   GET /<path>   the file (Content-Type by extension); a directory serves its index file, or a
//                 listing when listings are on
//   GET /health   200 "ok" (Marathon's HTTP health check; shadows a file of that name)
// Settings (from the package's template): PORT0, STATIC_DIRECTORY (absolute, or relative to the
// sandbox; empty = a `public` directory created in the sandbox with a welcome page showing
// STATIC_MESSAGE), STATIC_INDEX (default index.html), STATIC_LISTING ("true"/"false").
'use strict'
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')

const port = Number(process.env.PORT0 || process.env.PORT || 8080)
const sandbox = process.env.MESOS_SANDBOX || process.cwd()
const indexName = process.env.STATIC_INDEX || 'index.html'
const listing = process.env.STATIC_LISTING !== 'false'
const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c])

let root = process.env.STATIC_DIRECTORY || ''
if (root === '') {
  root = path.join(sandbox, 'public')
  fs.mkdirSync(root, {recursive: true})
  const message = process.env.STATIC_MESSAGE || 'It works!'
  fs.writeFileSync(path.join(root, indexName), `<!doctype html>\n<title>static-server</title>\n<h1>${escapeHtml(message)}</h1>\n<p>Served by the static-server package from ${escapeHtml(root)}.</p>\n`)
}
root = fs.realpathSync(path.resolve(sandbox, root))

const TYPES = {'.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.json': 'application/json', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml', '.ico': 'image/x-icon', '.pdf': 'application/pdf', '.wasm': 'application/wasm'}

const server = http.createServer((req, res) => {
  const send = (status, body, type) => {
    res.writeHead(status, {'Content-Type': type, 'Content-Length': Buffer.byteLength(body)})
    res.end(req.method === 'HEAD' ? undefined : body)
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'only GET and HEAD\n', 'text/plain; charset=utf-8')
  let rel
  try {
    rel = decodeURIComponent(new URL(req.url || '/', 'http://localhost').pathname)
  } catch {
    return send(400, 'bad path\n', 'text/plain; charset=utf-8')
  }
  if (rel === '/health') return send(200, 'ok\n', 'text/plain; charset=utf-8')
  if (rel.includes('\0')) return send(400, 'bad path\n', 'text/plain; charset=utf-8')
  let file
  try {
    file = fs.realpathSync(path.join(root, path.normalize('/' + rel)))
  } catch {
    return send(404, 'not found\n', 'text/plain; charset=utf-8')
  }
  if (file !== root && !file.startsWith(root + path.sep)) return send(404, 'not found\n', 'text/plain; charset=utf-8')
  let stat = fs.statSync(file)
  if (stat.isDirectory()) {
    const index = path.join(file, indexName)
    if (fs.existsSync(index)) {
      file = index
      stat = fs.statSync(file)
    } else if (listing) {
      const base = rel.endsWith('/') ? rel : rel + '/'
      const items = fs.readdirSync(file, {withFileTypes: true}).map((e) => `<li><a href="${escapeHtml(encodeURI(base + e.name))}${e.isDirectory() ? '/' : ''}">${escapeHtml(e.name)}${e.isDirectory() ? '/' : ''}</a></li>`)
      return send(200, `<!doctype html>\n<title>Index of ${escapeHtml(rel)}</title>\n<h1>Index of ${escapeHtml(rel)}</h1>\n<ul>\n${items.join('\n')}\n</ul>\n`, 'text/html; charset=utf-8')
    } else return send(403, 'directory listing is off\n', 'text/plain; charset=utf-8')
  }
  if (!stat.isFile()) return send(404, 'not found\n', 'text/plain; charset=utf-8')
  res.writeHead(200, {'Content-Type': TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream', 'Content-Length': stat.size})
  if (req.method === 'HEAD') return res.end()
  fs.createReadStream(file).on('error', () => res.destroy()).pipe(res)
})

server.listen(port, '0.0.0.0', () => console.log(`static-server: serving ${root} on port ${port}`))
process.on('SIGTERM', () => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
})
