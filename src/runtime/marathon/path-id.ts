/**
 * Marathon path ids (`state/PathId.scala`): apps and groups live in one tree of `/`-separated
 * segments. Ids are canonicalised to absolute form against a base group (`sleep` in group
 * `/a` is `/a/sleep`; `.` and `..` resolve), and each segment must be a DNS-style label.
 */

/** One segment, as Marathon's `PathId` validation states it (its message quotes this regex). */
export const SEGMENT_PATTERN = '^(([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])\\.)*([a-z0-9]|[a-z0-9][a-z0-9\\-]*[a-z0-9])|(\\.|\\.\\.)$'
const SEGMENT = /^(?:(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/
export const RESERVED_LAST_SEGMENTS = ['restart', 'tasks', 'versions', '.', '..']
export const ROOT = '/'

/** Ids longer than this are refused before any parsing (Marathon has no limit; we want one). */
export const MAX_ID_LENGTH = 512

export class PathError extends Error {
  override name = 'PathError'
}

/**
 * `raw` resolved against the group `base` (absolute). Throws a PathError when `..` climbs above
 * the root. Empty segments (`a//b`, a trailing `/`) are dropped, as Marathon does.
 */
export function canonicalPath(raw: string, base: string = ROOT): string {
  const absolute = raw.startsWith('/')
  const out = absolute ? [] : segments(base)
  for (const seg of raw.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') {
      if (out.length === 0) throw new PathError(`'${raw}' climbs above the root group`)
      out.pop()
      continue
    }
    out.push(seg)
  }
  return '/' + out.join('/')
}

export function segments(id: string): string[] {
  return id.split('/').filter((s) => s !== '')
}

/** The problems of a canonical app or group id (empty when it is valid); `root` allows '/'. */
export function pathProblems(id: string, {allowRoot = false} = {}): string[] {
  const segs = segments(id)
  if (segs.length === 0) return allowRoot ? [] : ['Path must contain at least one path element']
  const problems: string[] = []
  if (id.length > MAX_ID_LENGTH) problems.push(`must be at most ${MAX_ID_LENGTH} characters long`)
  if (segs.some((s) => !SEGMENT.test(s))) problems.push(`must fully match regular expression '${SEGMENT_PATTERN}'`)
  if (RESERVED_LAST_SEGMENTS.includes(segs[segs.length - 1]))
    problems.push(`must not end with any of the following reserved keywords: ${RESERVED_LAST_SEGMENTS.join(', ')}`)
  return problems
}

export function parentOf(id: string): string {
  const segs = segments(id)
  return '/' + segs.slice(0, -1).join('/')
}

/** Every group above `id`, the root first: `/a/b/c` → `/`, `/a`, `/a/b`. */
export function ancestors(id: string): string[] {
  const segs = segments(id)
  const out = [ROOT]
  for (let i = 1; i < segs.length; i++) out.push('/' + segs.slice(0, i).join('/'))
  return out
}

/** Whether `id` lies inside group `group` (strictly below it). */
export function isDescendant(id: string, group: string): boolean {
  if (group === ROOT) return id !== ROOT
  return id.startsWith(group + '/')
}

/** `/a/b` → `a_b`: the prefix of instance and task ids (`PathId.safePath`). */
export function safePath(id: string): string {
  return segments(id).join('_')
}

/** `/a/b` → `b.a`: the Mesos task name and discovery name (`PathId.toHostname`). */
export function hostnameOf(id: string): string {
  return segments(id).reverse().join('.')
}
