/**
 * What the fuzzer puts in requests: hostile strings (path tricks, control bytes, odd unicode,
 * shell and template syntax), random JSON, one-field mutations of a valid body, and malformed
 * JSON text. Everything is drawn from a `Random`, so a seed replays it exactly.
 *
 * Bodies are built as values and serialised with `toJsonText`; a `RawLiteral` stands for JSON
 * that `JSON.stringify` cannot produce (`1e999`, a 400-digit integer, `-0`).
 */
import type {Random} from './random'

/**
 * The file a shell payload in a request would create if anything ran it: the fuzz test checks it
 * never appears. (Payloads are harmless on purpose, should a bug ever run one.)
 */
export const INJECTED = '/tmp/dcos-fuzz-injected'

/** Ids and names with path tricks, control bytes and other things no id may hold. */
export const TRICK_IDS: readonly string[] = [
  '../x',
  '..',
  '.',
  'a/b',
  '/abs',
  '\\',
  'a\\..\\b',
  'x\u0000y',
  '\u0000',
  '%2e%2e',
  '..%2fetc',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'a\nb',
  'tab\there',
  '\r\n\r\nX-Injected: 1',
  '\u007f',
  '\u001b[31mred',
  '\u202eevil',
  '\ud800',
  '😀',
  '',
  ' ',
  '*',
  '~root',
  `$(touch ${INJECTED})`,
  `\`touch ${INJECTED}\``,
  `; touch ${INJECTED}`,
  '"quote',
  "'",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '%00',
  'a?b#c',
  '__proto__',
  'constructor',
]

/** Paths for file APIs: traversal, encodings, absolute paths outside sandboxes, odd bytes. */
export const TRICK_PATHS: readonly string[] = [
  '/etc/passwd',
  '/etc/shadow',
  '/proc/self/environ',
  '/proc/self/cmdline',
  '/dev/zero',
  '/dev/urandom',
  '/',
  '//',
  '/..',
  '../../../../etc/passwd',
  '..',
  'etc/passwd',
  '%2e%2e/%2e%2e/etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/etc/passwd\u0000.txt',
  '\u0000',
  '/tmp\n/x',
  '/slave/log/../../../etc/passwd',
  '/master/log/../../etc/passwd',
  '/master/../etc/passwd',
  '~',
  '~root/.ssh/id_rsa',
  '\\..\\..\\etc\\passwd',
]

const UNICODE = ['é', 'ß', '中', '𝔘', '😀', '\u200b', '\ufeff', '\u202e', '\u0301', '\uffff', '\ud800', '\udfff']
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf']

/** A JSON literal that `JSON.stringify` cannot write; `toJsonText` puts it in verbatim. */
export class RawLiteral {
  constructor(readonly text: string) {}
}

const RAW_NUMBERS = ['1e999', '-1e999', '-0', '1' + '0'.repeat(400), '0.' + '0'.repeat(400) + '1', '1E+2', '9007199254740993', '-9007199254740993', '123456789012345678901234567890']

export const EDGE_NUMBERS: readonly number[] = [0, -1, 1.5, -1.5, 0.0001, 1e308, -1e308, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 65536, 1e-300]

/** A string of length `n` from printable ASCII, or anything (`wild`). */
export function randomText(rng: Random, n: number, wild = false): string {
  let s = ''
  for (let i = 0; i < n; i++) {
    if (wild && rng.chance(0.15)) s += rng.chance(0.5) ? String.fromCharCode(rng.int(32)) : rng.pick(UNICODE)
    else s += String.fromCharCode(rng.range(0x20, 0x7e))
  }
  return s
}

/** A hostile string: a trick, a long or wild one, or a trick glued to ordinary text. */
export function nastyString(rng: Random): string {
  return rng.weighted<() => string>([
    [5, () => rng.pick(TRICK_IDS)],
    [2, () => randomText(rng, rng.range(1, 40), true)],
    [1, () => 'x'.repeat(rng.pick([256, 1024, 70_000]))],
    [2, () => `${randomText(rng, rng.range(1, 8))}${rng.pick(TRICK_IDS)}${randomText(rng, rng.range(0, 4))}`],
  ])()
}

/** An object without a prototype whose own keys may include `__proto__` and friends. */
function bareObject(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>
}

/** Sets an own property, even `__proto__` (plain assignment would change the prototype). */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, {value, enumerable: true, writable: true, configurable: true})
}

export function randomJson(rng: Random, depth = 0): unknown {
  const leaf = depth > 4 || rng.chance(0.45)
  if (leaf) {
    return rng.weighted<() => unknown>([
      [1, () => null],
      [1, () => rng.chance(0.5)],
      [2, () => rng.pick(EDGE_NUMBERS)],
      [1, () => new RawLiteral(rng.pick(RAW_NUMBERS))],
      [3, () => nastyString(rng)],
      [2, () => randomText(rng, rng.range(0, 20))],
    ])()
  }
  if (rng.chance(0.4)) return Array.from({length: rng.range(0, 6)}, () => randomJson(rng, depth + 1))
  const o = bareObject()
  for (let i = rng.range(0, 6); i > 0; i--) {
    const key = rng.weighted<() => string>([
      [3, () => randomText(rng, rng.range(1, 12))],
      [1, () => rng.pick(PROTO_KEYS)],
      [1, () => rng.pick(['type', 'id', 'value', 'framework_id', 'task_id', 'agent_id', 'uid', 'password', 'operations', 'resources', 'name'])],
      [1, () => nastyString(rng)],
    ])()
    setOwn(o, key, randomJson(rng, depth + 1))
  }
  return o
}

/** `[[[...]]]` or `{"a":{"a":...}}` `depth` levels deep, as text (too deep for JSON.stringify). */
export function deepValue(rng: Random, depth: number): RawLiteral {
  const leaf = rng.chance(0.5) ? '1' : '"x"'
  return rng.chance(0.5) ? new RawLiteral('['.repeat(depth) + leaf + ']'.repeat(depth)) : new RawLiteral('{"a":'.repeat(depth) + leaf + '}'.repeat(depth))
}

/** JSON text of `value`, with `RawLiteral`s written verbatim. */
export function toJsonText(value: unknown): string {
  const raws: string[] = []
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawLiteral) {
      raws.push(v.text)
      return `\u0000RAW${raws.length - 1}\u0000`
    }
    return v
  })
  if (text === undefined) return ''
  return raws.length ? text.replace(/"\\u0000RAW(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]) : text
}

// ---- mutations of a valid body ----

type Key = string | number
type JsonPath = Key[]

/** Dotted paths (`task.agent_id`, `operations.0.type`) to key lists. */
export function parsePaths(paths: readonly string[] = []): JsonPath[] {
  return paths.map((p) => (p === '' ? [] : p.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k))))
}

const startsWith = (path: JsonPath, prefix: JsonPath) => prefix.length <= path.length && prefix.every((k, i) => path[i] === k)

function nodes(value: unknown, at: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(at)
  if (Array.isArray(value)) value.forEach((v, i) => nodes(v, [...at, i], out))
  else if (value !== null && typeof value === 'object' && !(value instanceof RawLiteral))
    for (const k of Object.keys(value)) nodes((value as Record<string, unknown>)[k], [...at, k], out)
  return out
}

function getAt(root: unknown, path: JsonPath): unknown {
  let v = root
  for (const k of path) v = (v as Record<Key, unknown>)[k]
  return v
}

/** A deep copy that keeps own `__proto__` keys and raw literals. */
export function cloneJson<T>(value: T): T {
  if (value instanceof RawLiteral) return value
  if (Array.isArray(value)) return value.map((v) => cloneJson(v)) as T
  if (value !== null && typeof value === 'object') {
    const o = bareObject()
    for (const k of Object.keys(value)) setOwn(o, k, cloneJson((value as Record<string, unknown>)[k]))
    return o as T
  }
  return value
}

/** What the mutator may do to a node: anything, or (an ancestor of a protected field) only break it. */
type Freedom = 'any' | 'break'

/** A value of another JSON type than `v`. */
function retype(rng: Random, v: unknown): unknown {
  const options: unknown[] = [null, true, false, 0, -1, 1.5, '', 'str', [], {}, [v], {value: v}, new RawLiteral('1e999')]
  const others = options.filter((o) => typeof o !== typeof v || Array.isArray(o) !== Array.isArray(v) || (o === null) !== (v === null))
  return rng.pick(others)
}

/** A scalar replacement that cannot be the container it replaces (for ancestors of protected fields). */
function breakValue(rng: Random, v: unknown): unknown {
  const options: unknown[] = [true, 0, -1, 'str', '', new RawLiteral('1e999')]
  if (!Array.isArray(v)) options.push([])
  return rng.pick(options)
}

function oversize(rng: Random, v: unknown): unknown {
  if (typeof v === 'string') return v + 'x'.repeat(rng.pick([300, 5000, 100_000]))
  if (typeof v === 'number') return rng.chance(0.3) ? new RawLiteral(rng.pick(RAW_NUMBERS)) : rng.pick(EDGE_NUMBERS)
  if (Array.isArray(v)) {
    // Copies, never shared references (a later mutation of one must not grow them all), within ~1.5 MB.
    const each = v.length ? Math.ceil(toJsonText(v).length / v.length) : 1
    const n = Math.min(rng.pick([100, 2000, 20_000]), Math.max(2, Math.floor(1_500_000 / each)))
    return Array.from({length: n}, (_, i) => (v.length ? cloneJson(v[i % v.length]) : i))
  }
  if (v !== null && typeof v === 'object') {
    const o = cloneJson(v) as Record<string, unknown>
    for (let i = rng.pick([100, 2000]); i > 0; i--) setOwn(o, `k${i}`, i)
    return o
  }
  return 'x'.repeat(10_000)
}

function empty(v: unknown): unknown {
  if (typeof v === 'string') return ''
  if (typeof v === 'number') return 0
  if (Array.isArray(v)) return []
  if (v !== null && typeof v === 'object') return {}
  return null
}

export interface MutationContext {
  /** Ids of the cluster (real framework, agent and task ids): swapped in for other ids. */
  knownIds: readonly string[]
}

/**
 * One mutation of `body` (already a private copy): delete, retype, empty, oversize, a trick in a
 * string, a known id in its place, a prototype key, an unknown field, deep nesting. Protected
 * fields are left alone; their ancestors may only be deleted or broken. Returns a description.
 */
export function mutateOnce(rng: Random, body: {root: unknown}, protect: JsonPath[], ctx: MutationContext): string {
  const all = nodes(body.root).filter((p) => !protect.some((q) => startsWith(p, q)))
  if (all.length === 0) return 'nothing to mutate'
  const path = rng.pick(all)
  const freedom: Freedom = protect.some((q) => startsWith(q, path)) ? 'break' : 'any'
  const current = getAt(body.root, path)
  const parent = path.length ? (getAt(body.root, path.slice(0, -1)) as Record<Key, unknown>) : undefined
  const key = path[path.length - 1]
  const where = path.length ? path.join('.') : '(body)'
  const put = (v: unknown) => {
    if (!parent) body.root = v
    else if (Array.isArray(parent)) parent[key as number] = v
    else setOwn(parent, String(key), v)
  }

  if (freedom === 'break') {
    if (parent && rng.chance(0.5)) {
      if (Array.isArray(parent)) parent.splice(key as number, 1)
      else delete parent[key]
      return `delete ${where}`
    }
    put(breakValue(rng, current))
    return `break ${where}`
  }

  const isObject = current !== null && typeof current === 'object' && !Array.isArray(current) && !(current instanceof RawLiteral)
  const ops: [number, () => string][] = [
    [3, () => {
      if (!parent) {
        put(undefined)
        return 'empty body'
      }
      if (Array.isArray(parent)) parent.splice(key as number, 1)
      else delete parent[key]
      return `delete ${where}`
    }],
    [3, () => (put(retype(rng, current)), `retype ${where}`)],
    [1, () => (put(empty(current)), `empty ${where}`)],
    [2, () => (put(oversize(rng, current)), `oversize ${where}`)],
    [typeof current === 'string' ? 6 : 1, () => (put(nastyString(rng)), `trick ${where}`)],
    [typeof current === 'string' ? 2 : 0, () => (put(`${current as string}${rng.pick(['/../x', '\u0000', '/', '..', '\n'])}`), `append trick to ${where}`)],
    [typeof current === 'string' && ctx.knownIds.length ? 2 : 0, () => (put(rng.pick(ctx.knownIds)), `known id at ${where}`)],
    [isObject ? 2 : 0, () => {
      setOwn(current as Record<string, unknown>, rng.pick(PROTO_KEYS), rng.chance(0.5) ? {polluted: true, isAdmin: true} : 'polluted')
      return `prototype key in ${where}`
    }],
    [isObject ? 1 : 0, () => {
      setOwn(current as Record<string, unknown>, randomText(rng, rng.range(1, 10)), randomJson(rng))
      return `unknown field in ${where}`
    }],
    [1, () => (put(deepValue(rng, rng.pick([20, 63, 65, 200, 3000]))), `deep value at ${where}`)],
    [1, () => (put(randomJson(rng)), `random value at ${where}`)],
  ]
  return rng.weighted(ops.filter(([w]) => w > 0))()
}

/** `count` mutations of a copy of `valid`. */
export function mutate(rng: Random, valid: unknown, protect: readonly string[], ctx: MutationContext, count: number): {value: unknown; steps: string[]} {
  const body = {root: cloneJson(valid)}
  const paths = parsePaths(protect)
  const steps: string[] = []
  for (let i = 0; i < count; i++) steps.push(mutateOnce(rng, body, paths, ctx))
  return {value: body.root, steps}
}

// ---- malformed text ----

/** JSON text that no parser should accept (or accept as something else), from a valid text. */
export function malformedJson(rng: Random, valid: string): {text: string | Buffer; how: string} {
  const cut = rng.int(Math.max(1, valid.length))
  return rng.weighted<() => {text: string | Buffer; how: string}>([
    [3, () => ({text: valid.slice(0, cut), how: 'truncated'})],
    [1, () => ({text: valid + rng.pick(['}', ',', 'x', ']]', '\u0000', ' {}']), how: 'trailing garbage'})],
    [1, () => ({text: valid.replace(/"/g, "'"), how: 'single quotes'})],
    [1, () => ({text: valid.replace(/}$/, ',}'), how: 'trailing comma'})],
    [1, () => ({text: `/* c */${valid}`, how: 'comment'})],
    [1, () => ({text: valid.replace(/:(\s*)("[^"]*"|\d+)/, ':$1NaN'), how: 'NaN literal'})],
    [1, () => ({text: `\ufeff${valid}`, how: 'byte order mark'})],
    [1, () => ({text: Buffer.concat([Buffer.from(valid.slice(0, cut)), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from(valid.slice(cut))]), how: 'invalid UTF-8'})],
    [1, () => ({text: valid.replace(/^\{/, '{"type":"SUBSCRIBE","type":'), how: 'duplicate key'})],
    [1, () => ({text: valid.slice(0, cut) + '"unterminated', how: 'unterminated string'})],
    [1, () => ({text: `${valid.slice(0, cut)}\u0000${valid.slice(cut)}`, how: 'NUL byte'})],
    [1, () => ({text: 'null', how: 'null'})],
    [1, () => ({text: rng.pick(['[]', '""', '0', 'true', '"{}"', '[{}]']), how: 'not an object'})],
    [1, () => ({text: '['.repeat(100_000), how: 'unclosed deep array'})],
    [1, () => ({text: ' \t\r\n ', how: 'whitespace only'})],
  ])()
}
