/**
 * `key=value` properties of `app update` and `group update`, typed as the Python CLI's jsonitem
 * does without a schema (dcos/jsonitem.py `parse_json_item(item, None)`): after one pair of
 * matching outer quotes is dropped, the value is the first of integer, number, boolean, JSON
 * array, JSON object, string that parses, and `null` is null. So `instances=3` is 3,
 * `cpus=0.5` is 0.5, `requirePorts=TRUE` is true, `env='{"A":"b"}'` an object and
 * `cmd='sleep 100'` the string.
 */
import {DcosError} from '../errors'

/** The properties as one JSON object; a key given twice is refused (PY). */
export function parseProperties(items: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const item of items) {
    const [key, value] = parseJsonItem(item)
    if (Object.hasOwn(out, key)) throw invalid(`Key ${pyRepr(key)} was specified more than once`)
    out[key] = value
  }
  return out
}

/** One `key=value` (split at the first `=`), the key and value unquoted, the value typed. */
export function parseJsonItem(item: string): [string, unknown] {
  const at = item.indexOf('=')
  if (at < 0) throw invalid(`${pyRepr(item)} is not a valid json-item`, "Properties are 'key=value', e.g. instances=3.")
  return [cleanValue(item.slice(0, at)), guessValue(cleanValue(item.slice(at + 1)))]
}

/** Drops one pair of matching outer quotes, single or double. */
export function cleanValue(value: string): string {
  if (value.length > 1 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) {
    return value.slice(1, -1)
  }
  return value
}

/** jsonitem._find_type: integer, number, boolean, array, object, then string. */
export function guessValue(value: string): unknown {
  if (value === 'null') return null
  const number = value.trim().replace(/(?<=\d)_(?=\d)/g, '')
  // Python's int() and float(), minus inf and nan (JSON has no such numbers).
  if (/^[+-]?\d+$/.test(number)) return Number(number)
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(number)) return Number(number)
  const lower = value.trim().toLowerCase()
  if (lower === 'true' || lower === 'false') return lower === 'true'
  const json = parseJson(value)
  // A JSON string is a Python Sequence too: jsonitem's array parser returns it.
  if (json !== undefined && (Array.isArray(json) || typeof json === 'string' || (json !== null && typeof json === 'object'))) return json
  return value
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value) as unknown
  } catch {
    return undefined
  }
}

/** Python's repr() of a str, as the real messages quote keys and items. */
function pyRepr(s: string): string {
  return s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replaceAll("'", "\\'")}'`
}

function invalid(message: string, hint?: string): DcosError {
  return new DcosError('INVALID_PROPERTY', message, {hint})
}
