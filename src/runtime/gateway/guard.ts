/**
 * Checks on the request target made before anything is routed or proxied. A path that could
 * climb out of an upstream's prefix once the upstream decodes it (`..`, `%2e%2e`, `%252e%252e`,
 * `..%2f..`) is a 400 here, so no upstream has to be trusted to normalise paths safely.
 * Query strings are the upstream's business (the agent's files API checks its `path` itself).
 */
import {badRequest} from '../http'

/** Percent-decoding rounds: enough to unwrap double and triple encoding. */
const MAX_DECODE_ROUNDS = 3

export function checkRequestTarget(rawUrl: string): void {
  if (!rawUrl.startsWith('/') || rawUrl.startsWith('//')) {
    throw badRequest('The request target must be an absolute path such as /mesos/master/state')
  }
  const path = rawUrl.split('?', 1)[0]
  for (const segment of path.split('/')) {
    const decoded = decodeSegment(segment)
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(decoded)) throw badRequest('The request path contains control characters')
    if (decoded.split(/[\\/]/).some((part) => part === '.' || part === '..')) {
      throw badRequest("The request path contains a '.' or '..' segment (possibly percent-encoded)")
    }
  }
}

/** Decodes until stable. Malformed escapes on the wire are a 400; inner rounds stop quietly. */
function decodeSegment(segment: string): string {
  let current = segment
  for (let round = 0; round < MAX_DECODE_ROUNDS && current.includes('%'); round++) {
    let next: string
    try {
      next = decodeURIComponent(current)
    } catch {
      if (round === 0) throw badRequest('The request path contains a malformed percent-encoding')
      break
    }
    if (next === current) break
    current = next
  }
  return current
}
