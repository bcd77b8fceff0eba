#!/usr/bin/env node
// The `hello` package's service: an HTTP hello and echo service on Node's standard library only.
//   GET  /         the configured message (text), or JSON with Accept: application/json
//   ANY  /echo     the request echoed back as JSON (method, path, query, headers, body); when enabled
//   GET  /health   200 "ok" (Marathon's HTTP health check)
// Settings come from the environment the package's template sets: PORT0 (Marathon), HELLO_MESSAGE,
// HELLO_ECHO ("true"/"false"), HELLO_SERVICE_NAME. Stops on SIGTERM after closing its listener.
'use strict'
const http = require('node:http')

const port = Number(process.env.PORT0 || process.env.PORT || 8080)
const message = process.env.HELLO_MESSAGE || 'Hello from DC/OS!'
const echo = process.env.HELLO_ECHO !== 'false'
const name = process.env.HELLO_SERVICE_NAME || 'hello'
const MAX_BODY = 64 * 1024
let served = 0

const server = http.createServer((req, res) => {
  const url = new URL(req.url || '/', 'http://localhost')
  const send = (status, body, type) => {
    res.writeHead(status, {'Content-Type': type, 'Content-Length': Buffer.byteLength(body)})
    res.end(req.method === 'HEAD' ? undefined : body)
  }
  if (url.pathname === '/health') return send(200, 'ok\n', 'text/plain; charset=utf-8')
  if (url.pathname === '/echo' && echo) {
    const chunks = []
    let size = 0
    req.on('data', (c) => {
      size += c.length
      if (size <= MAX_BODY) chunks.push(c)
    })
    req.on('end', () => {
      if (size > MAX_BODY) return send(413, `body larger than ${MAX_BODY} bytes\n`, 'text/plain; charset=utf-8')
      const body = {method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: Buffer.concat(chunks).toString('utf8')}
      send(200, JSON.stringify(body, null, 2) + '\n', 'application/json')
    })
    return
  }
  if (url.pathname !== '/') return send(404, `no such path: ${url.pathname}\n`, 'text/plain; charset=utf-8')
  served++
  if ((req.headers.accept || '').includes('application/json')) {
    return send(200, JSON.stringify({message, service: name, task: process.env.MESOS_TASK_ID || null, served}) + '\n', 'application/json')
  }
  send(200, message + '\n', 'text/plain; charset=utf-8')
})

server.listen(port, process.env.HOST_BIND || '0.0.0.0', () => console.log(`${name}: listening on port ${port}`))
process.on('SIGTERM', () => {
  console.log(`${name}: SIGTERM, stopping`)
  server.close(() => process.exit(0))
  server.closeAllConnections()
})
