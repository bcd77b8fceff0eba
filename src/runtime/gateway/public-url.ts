/**
 * The cluster's public URL: the origin that URLs the gateway hands out are built on (the bundled
 * package repository and its artifacts, the `login_endpoint` of service account credentials).
 *
 * - Configured (`dcos cluster up --public-url`): an http(s) origin, no path, query or fragment.
 * - Else the bound address when it is a specific one; bound to every address (0.0.0.0 or ::),
 *   loopback, as before: a wildcard is not an address anyone can connect to.
 *
 * Per request, as DC/OS does: Cosmos builds the URLs it answers with from the request's `Host`
 * (and X-Forwarded-Proto), which Admin Router passes on unchanged (`proxy_set_header Host
 * $http_host`). Here the Host is trusted only when it names the gateway by one of its known names
 * (the public URL's host, the bound address, or loopback with the gateway's port): a client that
 * reached the cluster on loopback gets loopback URLs, one that came by the public name gets
 * those, and a forged Host never ends up in a URL. Anything else gets the public URL.
 */
import {isIP} from 'node:net'

export class PublicUrlError extends Error {
  override name = 'PublicUrlError'
}

/** `url` as an origin (`http://host:port`, no trailing slash); throws a PublicUrlError saying what is wrong. */
export function checkPublicUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new PublicUrlError(`the public URL '${url}' is not a URL: give one like http://dcos.example.com:8080`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PublicUrlError(`the public URL '${url}' must be http:// or https://, not ${parsed.protocol.replace(/:$/, '')}`)
  }
  if (parsed.username !== '' || parsed.password !== '') throw new PublicUrlError(`the public URL '${url}' must not carry a user or password`)
  if (parsed.hostname === '') throw new PublicUrlError(`the public URL '${url}' has no host`)
  if (parsed.pathname !== '/' || parsed.search !== '' || parsed.hash !== '' || /[?#]/.test(url)) {
    throw new PublicUrlError(`the public URL '${url}' must be an origin only (scheme, host and port): no path, query or fragment; the gateway serves the cluster at its root`)
  }
  if (isWildcard(parsed.hostname.replace(/^\[|\]$/g, ''))) {
    throw new PublicUrlError(`the public URL '${url}' names no reachable host: ${parsed.hostname} only means "every address" to a server`)
  }
  return parsed.origin
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0'
}

/** `http://<host>:<port>` for a bound address; a wildcard becomes loopback of its family. */
export function boundUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host
  return `http://${isIP(reachable) === 6 ? `[${reachable}]` : reachable}:${port}`
}

/** The configured public URL, else the bound address (loopback when bound to every address). */
export function defaultPublicUrl(configured: string | undefined, host: string, port: number): string {
  return configured === undefined ? boundUrl(host, port) : checkPublicUrl(configured)
}

/**
 * The origin a response to a request with this `Host` header builds URLs on: the public URL
 * unless the Host names the gateway otherwise (its bound address, or loopback, on its own port),
 * in which case http:// with that Host. `publicUrl` is an origin (checkPublicUrl).
 */
export function originFor(hostHeader: string | undefined, publicUrl: string, host: string, port: number): string {
  if (hostHeader === undefined) return publicUrl
  const asked = hostHeader.trim().toLowerCase()
  const pub = new URL(publicUrl)
  if (asked === pub.host) return publicUrl
  return knownNames(host, port).has(asked) ? `http://${asked}` : publicUrl
}

/** Host headers naming the gateway directly: its bound address, and loopback when that reaches it. */
function knownNames(host: string, port: number): Set<string> {
  const names = new Set<string>()
  const add = (h: string) => {
    const name = (isIP(h) === 6 ? `[${h}]` : h).toLowerCase()
    names.add(`${name}:${port}`)
    if (port === 80) names.add(name)
  }
  if (!isWildcard(host)) add(host)
  const loopback4 = host === '0.0.0.0' || host === 'localhost'
  const loopback6 = host === '::' || host === '::1' || host === 'localhost'
  if (loopback4) {
    add('127.0.0.1')
    add('localhost')
  }
  if (loopback6) {
    add('::1')
    add('localhost')
  }
  return names
}
