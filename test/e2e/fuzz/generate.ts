/**
 * Turns a target and a random stream into one request. For endpoints with bodies: mutations of
 * a valid body (most of the run), the valid body itself, random JSON, nesting beyond the limit,
 * malformed JSON, empty and large bodies, wrong content types, odd methods, odd paths and
 * headers, and missing or forged tokens. For GET endpoints: garbled query parameters, extra
 * ones, odd paths, methods and tokens.
 */
import type {Random} from './random'
import type {FuzzContext, FuzzRequest, FuzzTarget, Seed} from './target'
import {TRICK_IDS, TRICK_PATHS, deepValue, malformedJson, mutate, nastyString, parsePaths, randomJson, randomText, toJsonText} from './values'

const ODD_METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'SEARCH', 'PURGE', 'FOO', 'M-SEARCH']
const ODD_CONTENT_TYPES = [
  undefined,
  'text/plain',
  'application/x-protobuf',
  'application/json; charset=utf-16',
  'application/jsonx',
  'application/json-patch+json',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  '*/*',
  'application/json, text/html',
  ';',
  'x'.repeat(4000),
]
const MAX_BODY_CHARS = 3_000_000
const ODD_NUMBERS = ['-1', '-2', '1e3', '0x10', '١٢', ' 5', '5 ', '99999999999999999999', 'NaN', 'Infinity', '', '+1', '-0', '0.5', '1,2', '9'.repeat(400)]

/** Percent-encoding that also takes lone surrogates (as the bytes of U+FFFD), which encodeURIComponent refuses. */
function percentEncode(s: string): string {
  try {
    return encodeURIComponent(s)
  } catch {
    return [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('')
  }
}

function base64url(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url')
}

/** `Authorization` values that must all be refused: none, malformed, forged, tampered. */
export function brokenAuthorization(rng: Random, good: string): string | undefined {
  const token = good.replace(/^token=/, '')
  const [header, payload, signature] = token.split('.')
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)
  return rng.weighted<() => string | undefined>([
    [2, () => undefined],
    [1, () => ''],
    [1, () => 'token='],
    [1, () => `token=${randomText(rng, rng.range(1, 60))}`.replace(/\s/g, '_')],
    [1, () => `Bearer ${token}`],
    [1, () => `token=${token}x`],
    [2, () => `token=${header}.${payload}.${flip(signature, rng.int(signature.length - 2))}`],
    [2, () => `token=${header}.${base64url({uid: 'root', exp: 4_102_444_800})}.${signature}`],
    [2, () => `token=${base64url({alg: 'none', typ: 'JWT'})}.${base64url({uid: 'admin', exp: 4_102_444_800})}.`],
    [1, () => `token=${base64url({alg: 'HS256', typ: 'JWT'})}.${payload}.${signature}`],
    [1, () => `token=${base64url({alg: 'RS256'})}.${base64url({uid: 'admin', exp: 1})}.${signature}`],
    [1, () => `token=${'a'.repeat(9000)}`],
    [1, () => `token=${token} token=${token}`],
  ])()
}

interface Draft {
  strategy: string
  steps: string[]
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Buffer
  json?: unknown
  authorization?: string
}

function contentType(target: FuzzTarget): string {
  return target.encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json'
}

/** A body value as the target's encoding sends it. */
function encode(target: FuzzTarget, value: unknown): string {
  if (target.encoding !== 'form') return toJsonText(value)
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return toJsonText(value)
  const form = new URLSearchParams()
  for (const [k, v] of Object.entries(value)) form.append(k, typeof v === 'string' ? v : toJsonText(v))
  return form.toString()
}

function bodyDraft(target: FuzzTarget, ctx: FuzzContext, rng: Random, seed: Seed): Draft {
  const path = target.path(ctx, rng)
  const headers = {...target.headers?.(ctx, rng), ...seed.headers, 'Content-Type': contentType(target)}
  const draft: Draft = {strategy: '', steps: [seed.label], method: target.method, path, headers}
  const setJson = (value: unknown) => {
    draft.json = value
    draft.body = encode(target, value)
  }
  const strategy = rng.weighted<string>([
    [42, 'mutate'],
    [5, 'valid'],
    [9, 'random-json'],
    [4, 'deep'],
    [10, 'malformed'],
    [3, 'empty'],
    [6, 'content-type'],
    [2, 'large'],
    [5, 'method'],
    [7, 'auth'],
    [3, 'headers'],
    [4, 'path'],
  ])
  draft.strategy = strategy
  switch (strategy) {
    case 'mutate': {
      const {value, steps} = mutate(rng, seed.body, seed.protect ?? [], ctx, rng.weighted([[6, 1], [3, 2], [1, 3]]))
      draft.steps.push(...steps)
      setJson(value)
      break
    }
    case 'valid':
      setJson(seed.body)
      break
    case 'random-json':
      setJson(randomJson(rng))
      break
    case 'deep': {
      const depth = rng.pick([65, 100, 1000, 20_000])
      draft.steps.push(`${depth} levels`)
      setJson(rng.chance(0.5) ? deepValue(rng, depth) : {...(seed.body as object), deep: deepValue(rng, depth)})
      break
    }
    case 'malformed': {
      const {text, how} = malformedJson(rng, encode(target, seed.body))
      draft.steps.push(how)
      draft.body = text
      break
    }
    case 'empty':
      draft.body = rng.pick(['', '{}', '[]'])
      break
    case 'content-type': {
      const type = rng.pick(ODD_CONTENT_TYPES)
      if (type === undefined) delete draft.headers['Content-Type']
      else draft.headers['Content-Type'] = type
      draft.steps.push(`Content-Type ${type === undefined ? 'absent' : JSON.stringify(type.slice(0, 40))}`)
      setJson(seed.body)
      break
    }
    case 'large': {
      const size = rng.pick([100_000, 1_100_000, 2_000_000])
      draft.steps.push(`${size} bytes`)
      if (rng.chance(0.5)) setJson({...(seed.body as object), padding: 'x'.repeat(size)})
      else draft.body = Buffer.alloc(size, rng.chance(0.5) ? 0x20 : 0x5b)
      break
    }
    case 'method':
      draft.method = rng.pick(ODD_METHODS)
      setJson(seed.body)
      break
    case 'auth':
      draft.authorization = brokenAuthorization(rng, ctx.authorization) ?? ''
      setJson(rng.chance(0.7) ? seed.body : randomJson(rng))
      break
    case 'headers':
      Object.assign(draft.headers, oddHeaders(rng))
      setJson(rng.chance(0.5) ? seed.body : mutate(rng, seed.body, seed.protect ?? [], ctx, 1).value)
      break
    case 'path':
      draft.path = oddPath(rng, path)
      draft.steps.push(`path ${JSON.stringify(draft.path.slice(0, 80))}`)
      setJson(mutate(rng, seed.body, seed.protect ?? [], ctx, 1).value)
      break
  }
  // Mutations compound (a long string in an array made long): no body beyond the largest limit tried.
  if (typeof draft.body === 'string' && draft.body.length > MAX_BODY_CHARS) {
    draft.body = draft.body.slice(0, MAX_BODY_CHARS)
    draft.steps.push(`cut at ${MAX_BODY_CHARS} chars`)
  }
  return draft
}

function oddHeaders(rng: Random): Record<string, string> {
  return rng.weighted<() => Record<string, string>>([
    [1, () => ({'X-Long': 'x'.repeat(rng.pick([4000, 20_000]))})],
    [1, () => Object.fromEntries(Array.from({length: rng.pick([50, 200])}, (_, i) => [`X-Many-${i}`, String(i)]))],
    [1, () => ({'Content-Encoding': rng.pick(['gzip', 'br', 'deflate', 'identity, gzip', 'x'])})],
    [1, () => ({Expect: '100-continue'})],
    [1, () => ({'Mesos-Stream-Id': nastyString(rng).replace(/[^\t\x20-\x7e]/g, '?')})],
    [1, () => ({Accept: rng.pick(['text/html', 'application/x-protobuf', '*/*;q=0', ';;;', 'x'.repeat(3000)])})],
    [1, () => ({'X-Forwarded-For': '1.2.3.4, 127.0.0.1', 'X-Real-IP': '10.0.0.1', Host: rng.pick(['evil.example', '', 'a'.repeat(300)])})],
    [1, () => ({'Transfer-Encoding': 'chunked'})],
  ])()
}

/** The path with a trick: traversal, doubled slashes, an encoded byte, a different case, a suffix. */
function oddPath(rng: Random, path: string): string {
  const [p, q] = path.split('?', 2)
  const query = q === undefined ? '' : `?${q}`
  const segments = p.split('/')
  const at = rng.range(1, Math.max(1, segments.length - 1))
  return rng.weighted<() => string>([
    [2, () => `${p}/..${query}`],
    [1, () => `${p}/../../..${query}`],
    [2, () => `${p}/%2e%2e/%2e%2e/etc/passwd${query}`],
    [1, () => `${segments.slice(0, at).join('/')}/%2e%2e/${segments.slice(at).join('/')}${query}`],
    [1, () => `${p}%00${query}`],
    [1, () => `${p}%${query}`],
    [1, () => `${p.replace(/\//g, '//')}${query}`],
    [1, () => `${p.toUpperCase()}${query}`],
    [1, () => `${p}/${query}`],
    [1, () => `${p}.json${query}`],
    [1, () => `${p}/${percentEncode(rng.pick(TRICK_IDS))}${query}`],
    [1, () => `${p};jsessionid=x${query}`],
    [1, () => `${p}${query}${query ? '&' : '?'}${'q='.repeat(2000)}`],
  ])()
}

function getDraft(target: FuzzTarget, ctx: FuzzContext, rng: Random): Draft {
  const params = target.query?.(ctx, rng) ?? {}
  const tricks = [...TRICK_PATHS, ...TRICK_IDS, ...ODD_NUMBERS, ...(target.queryTricks?.(ctx) ?? [])]
  const draft: Draft = {strategy: '', steps: [], method: target.method, path: target.path(ctx, rng), headers: {}}
  const entries: [string, string][] = Object.entries(params)
  const strategy = rng.weighted<string>([
    [5, 'valid'],
    [55, 'mutate-query'],
    [8, 'extra-params'],
    [10, 'path'],
    [8, 'auth'],
    [7, 'method'],
    [4, 'headers'],
    [3, 'jsonp'],
  ])
  draft.strategy = strategy
  switch (strategy) {
    case 'mutate-query':
      for (let n = rng.range(1, 3); n > 0 && entries.length; n--) {
        const i = rng.int(entries.length)
        const how = rng.weighted<string>([[6, 'trick'], [1, 'delete'], [1, 'repeat'], [1, 'long'], [1, 'append'], [1, 'double-encode']])
        draft.steps.push(`${how} ${entries[i][0]}`)
        if (how === 'trick') entries[i] = [entries[i][0], rng.pick(tricks)]
        else if (how === 'delete') entries.splice(i, 1)
        else if (how === 'repeat') entries.push([entries[i][0], rng.pick(tricks)])
        else if (how === 'long') entries[i] = [entries[i][0], 'x'.repeat(rng.pick([300, 8000]))]
        else if (how === 'append') entries[i] = [entries[i][0], entries[i][1] + rng.pick(['/../../../../etc/passwd', '/..', '\u0000', '/../', '%2f..'])]
        else entries[i] = [entries[i][0], percentEncode(entries[i][1] + '/../../etc/passwd')]
      }
      break
    case 'extra-params':
      for (let n = rng.range(1, 4); n > 0; n--) entries.push([rng.pick([nastyString(rng), 'path', 'limit', 'offset', 'order', 'jsonp', 'length', '__proto__']), rng.pick(tricks)])
      break
    case 'path':
      draft.path = oddPath(rng, draft.path)
      draft.steps.push(`path ${JSON.stringify(draft.path.slice(0, 80))}`)
      break
    case 'auth':
      draft.authorization = brokenAuthorization(rng, ctx.authorization) ?? ''
      break
    case 'method':
      draft.method = rng.pick(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'FOO'])
      draft.body = toJsonText(randomJson(rng))
      draft.headers['Content-Type'] = 'application/json'
      break
    case 'headers':
      Object.assign(draft.headers, oddHeaders(rng))
      break
    case 'jsonp':
      entries.push(['jsonp', rng.pick(['alert(1)//', 'a b', '</script><script>', '1abc', 'x'.repeat(100), 'ok_cb', nastyString(rng)])])
      break
  }
  if (entries.length) {
    const sep = draft.path.includes('?') ? '&' : '?'
    draft.path += sep + entries.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')
  }
  return draft
}

/** What a server will read (a malformed body may still parse: invalid UTF-8 becomes U+FFFD). */
function parsedAsServerWould(body: string | Buffer | undefined, target: FuzzTarget): unknown {
  if (body === undefined || target.encoding === 'form') return undefined
  try {
    return JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : body)
  } catch {
    return undefined
  }
}

/**
 * Whether the fields `seed` protects are as they were in what the server will parse, or sit
 * under an ancestor that is broken (missing, or no longer the object or array it was).
 * Malformed text can rename a key (`agen\uFFFDt_id`): that is the protected field deleted.
 */
function protectionHolds(seed: Seed, json: unknown): boolean {
  if (json === undefined) return true
  return parsePaths(seed.protect ?? []).every((path) => {
    let node: unknown = json
    let original: unknown = seed.body
    for (let i = 0; i < path.length; i++) {
      const key = path[i]
      if (node === null || typeof node !== 'object' || Array.isArray(node) !== (typeof key === 'number')) return true
      const isLast = i === path.length - 1
      const next = (node as Record<string | number, unknown>)[key]
      original = (original as Record<string | number, unknown>)[key]
      if (isLast) return Object.hasOwn(node, key) && toJsonText(next) === toJsonText(original)
      if (!Object.hasOwn(node, key)) return true
      node = next
    }
    return toJsonText(node) === toJsonText(original)
  })
}

/** Request `index` for `target`, drawn from `rng`. */
export function generate(target: FuzzTarget, ctx: FuzzContext, rng: Random, index: number): FuzzRequest {
  const seeds = target.seeds?.(ctx) ?? []
  let draft: Draft
  if (seeds.length === 0) draft = getDraft(target, ctx, rng)
  else {
    for (let attempt = 0; ; attempt++) {
      const seed = rng.pick(seeds)
      draft = bodyDraft(target, ctx, rng, seed)
      draft.json ??= parsedAsServerWould(draft.body, target)
      if (protectionHolds(seed, draft.json) || attempt >= 20) break
    }
  }
  const bases = target.bases?.(ctx) ?? ctx.bases[target.component] ?? []
  if (bases.length === 0) throw new Error(`fuzz target '${target.name}': no base URL for component '${target.component}'`)
  const base = rng.pick(bases)
  let authorization = draft.authorization
  if (authorization === undefined && target.brokenAuthOnly) authorization = brokenAuthorization(rng, ctx.authorization) ?? ''
  if (authorization === undefined) authorization = ctx.authorization
  const headers: Record<string, string> = {...draft.headers}
  if (authorization) headers.Authorization = authorization

  return {
    index,
    target: target.name,
    strategy: draft.strategy,
    steps: draft.steps,
    method: draft.method,
    url: base + (draft.path.startsWith('/') ? draft.path : `/${draft.path}`),
    headers,
    body: draft.body,
    authenticated: authorization === ctx.authorization,
    json: draft.json ?? parsedAsServerWould(draft.body, target),
  }
}
