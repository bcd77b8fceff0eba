/**
 * Marathon's label selector (`GET /v2/apps?label=`, `apps.raml`): comma-separated terms, all of
 * which must hold: `key` (exists), `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`.
 * Names and values are `[-A-Za-z0-9_.]`; any other character is backslash-escaped. Pure.
 */
export type LabelSelector = (labels: Record<string, string>) => boolean

export class LabelSelectorError extends Error {
  override name = 'LabelSelectorError'
}

/** Splits on unescaped `sep` outside parentheses. */
function split(text: string, sep: string): string[] {
  const out: string[] = []
  let depth = 0
  let cur = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[++i]
      continue
    }
    if (c === '(') depth++
    if (c === ')') depth--
    if (c === sep && depth === 0) {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out
}

function unescape(s: string): string {
  return s.trim().replace(/\\(.)/g, '$1')
}

function term(raw: string): LabelSelector {
  const t = raw.trim()
  if (t === '') throw new LabelSelectorError('empty term')
  let m = /^((?:\\.|[^\s=!\\])+)\s*(==|!=)\s*((?:\\.|[^\\])*)$/.exec(t)
  if (m) {
    const [, k, op, v] = m
    const key = unescape(k)
    const value = unescape(v)
    return op === '==' ? (l) => l[key] === value : (l) => l[key] !== value
  }
  m = /^((?:\\.|[^\s\\])+)\s+(in|notin)\s*\(((?:\\.|[^\\])*)\)$/.exec(t)
  if (m) {
    const [, k, op, list] = m
    const key = unescape(k)
    const values = new Set(split(list, ',').map(unescape))
    return op === 'in' ? (l) => key in l && values.has(l[key]) : (l) => !(key in l) || !values.has(l[key])
  }
  m = /^((?:\\.|[-A-Za-z0-9_.])+)$/.exec(t)
  if (m) {
    const key = unescape(m[1])
    return (l) => key in l
  }
  throw new LabelSelectorError(`'${t}' is not a label selector term (key, key==value, key!=value, key in (a,b), key notin (a,b))`)
}

export function parseLabelSelector(text: string): LabelSelector {
  const terms = split(text, ',').map(term)
  return (labels) => terms.every((t) => t(labels))
}
