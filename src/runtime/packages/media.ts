/**
 * Cosmos's vendor media types (cosmos-common/.../rpc/MediaTypes.scala): a request body is
 * `application/vnd.dcos.package.<rpc>-request+json;charset=utf-8;version=v1` and the client says
 * which response versions it reads in Accept
 * (`application/vnd.dcos.package.<rpc>-response+json;charset=utf-8;version=vN`). `<rpc>` is the
 * path below /package with `/` as `.` (`repository.add`).
 *
 * Tolerated, as clients vary: any request version, charset present or not, parameters in any
 * order, and plain `application/json` (curl). Refused: any other Content-Type (415), and an
 * Accept that names only response types or versions we do not produce (406).
 */
import {CosmosError} from '../../universe'

export const ERROR_MEDIA_TYPE = 'application/vnd.dcos.package.error+json;charset=utf-8;version=v1'
export const REPO_MEDIA_TYPE = 'application/vnd.dcos.universe.repo+json;charset=utf-8;version=v4'

/** Response versions each RPC produces, newest last. */
export const RESPONSE_VERSIONS: Record<string, number[]> = {
  search: [1],
  describe: [1, 2, 3],
  'list-versions': [1],
  render: [1],
  install: [1, 2],
  uninstall: [1],
  list: [1],
  'repository.list': [1],
  'repository.add': [1],
  'repository.delete': [1],
}

interface MediaType {
  type: string
  params: Record<string, string>
  q: number
}

function parseMediaType(text: string): MediaType | undefined {
  const [head, ...rest] = text.split(';')
  const type = head.trim().toLowerCase()
  if (!/^[a-z0-9!#$&^_.+*-]+\/[a-z0-9!#$&^_.+*-]+$/.test(type)) return undefined
  const params: Record<string, string> = {}
  for (const p of rest) {
    const i = p.indexOf('=')
    if (i < 0) continue
    params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase()
  }
  const q = params.q === undefined ? 1 : Number(params.q)
  return {type, params, q: Number.isFinite(q) ? q : 0}
}

export const requestMediaType = (rpc: string) => `application/vnd.dcos.package.${rpc}-request+json;charset=utf-8;version=v1`
export const responseMediaType = (rpc: string, version: number) => `application/vnd.dcos.package.${rpc}-response+json;charset=utf-8;version=v${version}`

/** Checks a request's Content-Type for `rpc` (see the module comment). */
export function checkContentType(rpc: string, header: string | undefined): void {
  const m = header ? parseMediaType(header) : undefined
  const ok = m && (m.type === `application/vnd.dcos.package.${rpc}-request+json` || m.type === 'application/json') && (m.params.charset === undefined || m.params.charset === 'utf-8')
  if (!ok)
    throw new CosmosError(
      'UnsupportedContentType',
      `Unsupported Content-Type: ${header ? `[${header}]` : 'none'}; expected ${requestMediaType(rpc)}`,
      {supported: [requestMediaType(rpc), 'application/json'], ...(header !== undefined && {found: header})},
      415,
    )
}

/**
 * The response version to send for `rpc`: the highest version the Accept header admits (by q,
 * then version); no Accept, `*\/*`, `application/*` or `application/json` get the newest.
 */
export function negotiateVersion(rpc: string, accept: string | undefined): number {
  const versions = RESPONSE_VERSIONS[rpc]
  const newest = versions[versions.length - 1]
  if (!accept || accept.trim() === '') return newest
  const want = `application/vnd.dcos.package.${rpc}-response+json`
  let best: {version: number; q: number} | undefined
  for (const part of accept.split(',')) {
    const m = parseMediaType(part)
    if (!m || m.q <= 0) continue
    let version: number | undefined
    if (m.type === '*/*' || m.type === 'application/*' || m.type === 'application/json') version = newest
    else if (m.type === want) {
      const v = m.params.version === undefined ? newest : Number(/^v(\d+)$/.exec(m.params.version)?.[1])
      if (versions.includes(v)) version = v
    }
    if (version === undefined) continue
    if (!best || m.q > best.q || (m.q === best.q && version > best.version)) best = {version, q: m.q}
  }
  if (!best)
    throw new CosmosError('NotAcceptable', `Cannot produce any of [${accept}]; available: ${versions.map((v) => responseMediaType(rpc, v)).join(', ')}`, {
      available: versions.map((v) => responseMediaType(rpc, v)),
    }, 406)
  return best.version
}
