/**
 * The cluster's public URL: validation, the default from the bound address, the per-request
 * origin (the request's Host only when it names the gateway), and a gateway handing out bundled
 * artifact URLs and PUBLIC_IPV4 on it.
 */
import assert from 'node:assert/strict'
import http from 'node:http'
import {after, before, describe, it} from 'node:test'
import type {Component} from '../../src/runtime/config'
import {startGateway} from '../../src/runtime/gateway'
import {publicIpv4} from '../../src/runtime/gateway/metadata'
import {boundUrl, checkPublicUrl, defaultPublicUrl, originFor, PublicUrlError} from '../../src/runtime/gateway/public-url'
import {silentLogger} from '../../src/runtime/log'

describe('checkPublicUrl', () => {
  it('accepts http(s) origins and returns them without a trailing slash', () => {
    assert.equal(checkPublicUrl('http://dcos.example.com:8080'), 'http://dcos.example.com:8080')
    assert.equal(checkPublicUrl('http://dcos.example.com:8080/'), 'http://dcos.example.com:8080')
    assert.equal(checkPublicUrl('https://10.0.0.5'), 'https://10.0.0.5')
    assert.equal(checkPublicUrl('HTTPS://DCOS.Example.com:443'), 'https://dcos.example.com')
    assert.equal(checkPublicUrl('http://[fd00::5]:80'), 'http://[fd00::5]')
  })

  it('refuses what is not an origin, saying why', () => {
    const refused: [string, RegExp][] = [
      ['dcos.example.com', /is not a URL/],
      ['', /is not a URL/],
      ['ftp://dcos.example.com', /must be http:\/\/ or https:\/\/, not ftp/],
      ['file:///tmp', /must be http:\/\/ or https:\/\//],
      ['http://dcos.example.com/dcos', /no path, query or fragment/],
      ['http://dcos.example.com/?x=1', /no path, query or fragment/],
      ['http://dcos.example.com/?', /no path, query or fragment/],
      ['http://dcos.example.com#top', /no path, query or fragment/],
      ['http://user:pw@dcos.example.com', /user or password/],
      ['http://0.0.0.0:8080', /names no reachable host/],
      ['http://[::]:8080', /names no reachable host/],
    ]
    for (const [url, message] of refused) {
      assert.throws(() => checkPublicUrl(url), (e: Error) => e instanceof PublicUrlError && message.test(e.message), url)
    }
  })
})

describe('the default public URL', () => {
  it('is the bound address when specific, loopback of its family for a wildcard', () => {
    assert.equal(boundUrl('127.0.0.1', 5), 'http://127.0.0.1:5')
    assert.equal(boundUrl('10.1.2.3', 80), 'http://10.1.2.3:80')
    assert.equal(boundUrl('0.0.0.0', 9), 'http://127.0.0.1:9')
    assert.equal(boundUrl('::', 9), 'http://[::1]:9')
    assert.equal(boundUrl('fd00::1', 9), 'http://[fd00::1]:9')
    assert.equal(defaultPublicUrl(undefined, '0.0.0.0', 9), 'http://127.0.0.1:9')
    assert.equal(defaultPublicUrl('https://dcos.example.com/', '0.0.0.0', 9), 'https://dcos.example.com')
    assert.throws(() => defaultPublicUrl('https://dcos.example.com/x', '0.0.0.0', 9), PublicUrlError)
  })

  it('gives /metadata a PUBLIC_IPV4: the public URL host when IPv4, else the specific bound IPv4, else loopback', () => {
    assert.equal(publicIpv4('http://10.0.0.5:8080', '0.0.0.0'), '10.0.0.5')
    assert.equal(publicIpv4('http://dcos.example.com', '10.1.2.3'), '10.1.2.3')
    assert.equal(publicIpv4('http://dcos.example.com', '0.0.0.0'), '127.0.0.1')
    assert.equal(publicIpv4('', '::'), '127.0.0.1')
  })
})

describe('originFor (the origin a request gets URLs on)', () => {
  const pub = 'https://dcos.example.com'
  it('is the public URL for its own host, no Host, or a Host that is not one of the gateway names', () => {
    assert.equal(originFor('dcos.example.com', pub, '0.0.0.0', 8080), pub)
    assert.equal(originFor('DCOS.example.com', pub, '0.0.0.0', 8080), pub)
    assert.equal(originFor(undefined, pub, '0.0.0.0', 8080), pub)
    assert.equal(originFor('evil.example:8080', pub, '0.0.0.0', 8080), pub)
    // loopback on another port is not this gateway
    assert.equal(originFor('127.0.0.1:9999', pub, '0.0.0.0', 8080), pub)
    // 127.0.0.1 does not reach a gateway bound to another loopback address
    assert.equal(originFor('127.0.0.1:8080', pub, '127.0.0.5', 8080), pub)
    assert.equal(originFor('10.0.0.9:8080', pub, '10.0.0.5', 8080), pub)
  })

  it('follows a Host that names the gateway directly: its bound address, or loopback when that reaches it', () => {
    assert.equal(originFor('127.0.0.1:8080', pub, '0.0.0.0', 8080), 'http://127.0.0.1:8080')
    assert.equal(originFor('localhost:8080', pub, '0.0.0.0', 8080), 'http://localhost:8080')
    assert.equal(originFor('10.0.0.5:8080', pub, '10.0.0.5', 8080), 'http://10.0.0.5:8080')
    assert.equal(originFor('127.0.0.5:8080', pub, '127.0.0.5', 8080), 'http://127.0.0.5:8080')
    assert.equal(originFor('[::1]:8080', pub, '::', 8080), 'http://[::1]:8080')
    assert.equal(originFor('127.0.0.1', pub, '0.0.0.0', 80), 'http://127.0.0.1')
  })
})

function get(url: string, headers: Record<string, string> = {}): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, {headers, agent: false}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
    })
    req.on('error', reject)
  })
}

/** Every artifact URL of the bundled index as served for `headers`. */
async function artifactUrls(gatewayUrl: string, headers: Record<string, string> = {}): Promise<string[]> {
  const res = await get(`${gatewayUrl}/package/universe/repo`, headers)
  assert.equal(res.status, 200)
  const urls = [...res.body.matchAll(/"(https?:\/\/[^"]*\/package\/universe\/artifacts\/[^"]*)"/g)].map((m) => m[1])
  assert.ok(urls.length > 0, 'the bundled index has artifact URLs')
  return urls
}

describe('a gateway with a public URL', () => {
  let gateway: Component
  const pub = 'http://dcos.example.test:8080'
  before(async () => {
    // No master: nothing here asks it.
    gateway = await startGateway(
      {role: 'gateway', host: '127.0.0.1', port: 0, masterUrl: 'http://127.0.0.1:9', clusterId: 'c', clusterName: 'c', publicUrl: `${pub}/`},
      {log: silentLogger},
    )
  })
  after(() => gateway.close())

  it('serves the bundled index with artifact URLs on the public URL to a client that came by its name', async () => {
    const urls = await artifactUrls(gateway.url, {Host: 'dcos.example.test:8080'})
    for (const u of urls) assert.ok(u.startsWith(`${pub}/package/universe/artifacts/`), u)
  })

  it('and on the public URL for a Host that is none of its names (never echoes a forged Host)', async () => {
    const urls = await artifactUrls(gateway.url, {Host: 'evil.example'})
    for (const u of urls) assert.ok(u.startsWith(`${pub}/package/universe/artifacts/`), u)
  })

  it('serves a client that reached it on its bound address with URLs on that address', async () => {
    const urls = await artifactUrls(gateway.url)
    for (const u of urls) assert.ok(u.startsWith(`${gateway.url}/package/universe/artifacts/`), u)
    // and the public one again afterwards (per-origin caches do not leak into each other)
    for (const u of await artifactUrls(gateway.url, {Host: 'dcos.example.test:8080'})) assert.ok(u.startsWith(pub), u)
  })

  it('rebases describe answers on the request origin too, as Cosmos does', async () => {
    // http.request, not fetch: fetch does not send a Host header of its own choosing.
    const describeAt = (host?: string) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(
          `${gateway.url}/package/describe`,
          {
            method: 'POST',
            agent: false,
            headers: {
              'Content-Type': 'application/vnd.dcos.package.describe-request+json;charset=utf-8;version=v1',
              'Accept': 'application/vnd.dcos.package.describe-response+json;charset=utf-8;version=v3',
              ...(host && {Host: host}),
            },
          },
          (res) => {
            let body = ''
            res.setEncoding('utf8')
            res.on('data', (d) => (body += d))
            res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${res.statusCode}: ${body}`))))
          },
        )
        req.on('error', reject)
        req.end(JSON.stringify({packageName: 'chronos'}))
      })
    const viaLoopback = await describeAt()
    assert.match(viaLoopback, new RegExp(`"${gateway.url}/package/universe/artifacts/`))
    assert.doesNotMatch(viaLoopback, /dcos\.example\.test/)
    const viaPublic = await describeAt('dcos.example.test:8080')
    assert.match(viaPublic, /"http:\/\/dcos\.example\.test:8080\/package\/universe\/artifacts\//)
    assert.doesNotMatch(viaPublic, /127\.0\.0\.1/)
  })

  it('says PUBLIC_IPV4 is loopback when neither the public URL nor the bound address is another IPv4', async () => {
    const res = await get(`${gateway.url}/metadata`)
    assert.equal(JSON.parse(res.body).PUBLIC_IPV4, '127.0.0.1')
  })
})

describe('a gateway without a public URL', () => {
  it('hands out its bound address, whatever the Host says', async () => {
    const gateway = await startGateway({role: 'gateway', host: '127.0.0.1', port: 0, masterUrl: 'http://127.0.0.1:9', clusterId: 'c', clusterName: 'c'}, {log: silentLogger})
    try {
      for (const u of await artifactUrls(gateway.url, {Host: 'evil.example'})) assert.ok(u.startsWith(`${gateway.url}/package/universe/artifacts/`), u)
    } finally {
      await gateway.close()
    }
  })

  it('refuses to start with a public URL that is not an origin', async () => {
    await assert.rejects(
      startGateway({role: 'gateway', host: '127.0.0.1', port: 0, masterUrl: 'http://127.0.0.1:9', clusterId: 'c', clusterName: 'c', publicUrl: 'http://x/y'}, {log: silentLogger}),
      /no path, query or fragment/,
    )
  })
})
