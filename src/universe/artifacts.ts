/**
 * Artifact URIs of packages whose artifacts are served by the cluster itself.
 *
 * The scheme: a package's resource.json may give an asset URI (`assets.uris`, `images`, CLI
 * binary `url`) as a relative reference, e.g. `artifacts/hello.js`. As in HTML, it is relative to
 * the URL the repository index was loaded from. The package service resolves it when it loads
 * the repository, so templates (`{{resource.assets.uris.hello-js}}`), describe and the served
 * index only ever show absolute URLs. The bundled repository is served at
 * `<cluster>/package/universe/repo`, so `artifacts/hello.js` becomes
 * `<cluster>/package/universe/artifacts/hello.js`, a public (no token) read-only path an agent on
 * any host fetches from. The cluster's URL is known only at run time; the build never needs it.
 */
import {isObject, type Json, type PackageDefinition} from './model'

/** A URI reference without a scheme (`artifacts/x.js`, `/x`, not `http://…`, not `file:…`). */
export function isRelativeUri(uri: string): boolean {
  return !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)
}

function resolve(uri: Json, base: string): Json {
  if (typeof uri !== 'string' || !isRelativeUri(uri)) return uri
  try {
    return new URL(uri, base).href
  } catch {
    return uri
  }
}

function mapValues(obj: Json | undefined, fn: (v: Json) => Json): Json | undefined {
  if (!isObject(obj)) return obj
  const out: Record<string, Json> = {}
  for (const [k, v] of Object.entries(obj)) out[k] = fn(v)
  return out
}

/** resource.json with its URI fields (and only those) resolved against `base`. */
function resolveResource(resource: Record<string, Json>, base: string): Record<string, Json> {
  const out: Record<string, Json> = {...resource}
  if (isObject(resource.assets)) out.assets = {...resource.assets, ...(isObject(resource.assets.uris) && {uris: mapValues(resource.assets.uris, (u) => resolve(u, base))!})}
  if (isObject(resource.images)) out.images = mapValues(resource.images, (v) => (Array.isArray(v) ? v.map((u) => resolve(u, base)) : resolve(v, base)))!
  const binaries = isObject(resource.cli) ? resource.cli.binaries : undefined
  if (isObject(binaries) && isObject(resource.cli)) {
    const resolved = mapValues(binaries, (platform) => mapValues(platform, (info) => (isObject(info) ? {...info, url: resolve(info.url, base)} : info))!)!
    out.cli = {...resource.cli, binaries: resolved}
  }
  return out
}

/**
 * The definition with the relative URIs of its resource.json (asset URIs, image URLs, CLI binary
 * URLs) resolved against `base`, the repository's URL. Definitions without any are returned as is.
 */
export function resolveResourceUris(pkg: PackageDefinition, base: string): PackageDefinition {
  if (!pkg.resource) return pkg
  const resource = resolveResource(pkg.resource as unknown as Record<string, Json>, base) as unknown as PackageDefinition['resource']
  return JSON.stringify(resource) === JSON.stringify(pkg.resource) ? pkg : {...pkg, resource}
}
