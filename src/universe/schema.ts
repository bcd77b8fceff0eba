/**
 * JSON Schema (draft-04) validation as Universe uses it: package config.json schemas, the
 * repository meta schemas. Validators are compiled once per schema object and kept in a
 * WeakMap, each in its own Ajv instance, so a repository reloaded with new objects leaves
 * nothing behind.
 *
 * Universe schemas are older than ajv's strictness: config.json files carry draft-3 style
 * boolean `required`, a `$schema` of `http://json-schema.org/schema#`, and formats ajv does not
 * know; some (Mesosphere's cassandra) give every subschema a documentation URI as `id`, which
 * ajv would resolve as a base URI and reject as duplicates. `compatibleSchema` strips all
 * three (they constrain nothing in draft-04) and
 * unknown formats are ignored, as fge's validator (Cosmos) ignored them.
 */
import Ajv04, {type ErrorObject, type ValidateFunction} from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import {isObject, type Json, type JsonObject} from './model'

/** One failure, in the shape of an fge json-schema-validator report entry (what Cosmos sends). */
export interface SchemaError {
  level: 'error'
  schema: {loadingURI: string; pointer: string}
  instance: {pointer: string}
  domain: 'validation'
  keyword: string
  message: string
  found?: string | Json
  expected?: string[]
  missing?: string[]
  required?: string[]
  unwanted?: string[]
  [key: string]: unknown
}

const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', 'dependencies']
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'items']
const SUBSCHEMAS = ['items', 'additionalProperties', 'additionalItems', 'not']

/** A copy of `schema` that draft-04 validators accept (see the module comment). */
export function compatibleSchema(schema: unknown, root = true): unknown {
  if (!isObject(schema)) return schema
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'required' && !Array.isArray(v)) continue
    if (k === '$schema' && root) continue
    if (k === 'id' && typeof v === 'string') continue
    if (SUBSCHEMA_MAPS.includes(k) && isObject(v)) {
      const map: JsonObject = {}
      for (const [name, sub] of Object.entries(v)) Object.defineProperty(map, name, {value: compatibleSchema(sub, false), enumerable: true, writable: true, configurable: true})
      out[k] = map
    } else if (SUBSCHEMA_LISTS.includes(k) && Array.isArray(v)) out[k] = v.map((s) => compatibleSchema(s, false) as Json)
    else if (SUBSCHEMAS.includes(k) && isObject(v)) out[k] = compatibleSchema(v, false) as Json
    else out[k] = v
  }
  return out
}

/** The JSON type names fge reports (`integer` for integral numbers). */
export function jsonType(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

/** JSON Pointer → dotted path for messages (`/kafka/mem` → `kafka.mem`). */
export function dottedPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.')
}

function toSchemaError(e: ErrorObject): SchemaError {
  const schemaPointer = e.schemaPath.replace(/^#/, '').split('/').slice(0, -1).join('/')
  const base = {level: 'error' as const, schema: {loadingURI: '#', pointer: schemaPointer}, instance: {pointer: e.instancePath}, domain: 'validation' as const, keyword: e.keyword}
  const p = e.params as Record<string, unknown>
  switch (e.keyword) {
    case 'type': {
      const expected = String(p.type).split(',')
      const found = jsonType(e.data)
      return {...base, message: `instance type (${found}) does not match any allowed primitive type (allowed: ${JSON.stringify(expected)})`, found, expected}
    }
    case 'required': {
      const missing = [String(p.missingProperty)]
      return {...base, message: `object has missing required properties (${JSON.stringify(missing)})`, missing, required: (e.schema as string[]) ?? missing}
    }
    case 'additionalProperties': {
      const unwanted = [String(p.additionalProperty)]
      return {...base, message: `object instance has properties which are not allowed by the schema: ${JSON.stringify(unwanted)}`, unwanted}
    }
    case 'minimum':
    case 'maximum':
      return {...base, message: `numeric instance is ${e.keyword === 'minimum' ? 'lower than the required minimum' : 'greater than the required maximum'} (${e.keyword}: ${String(p.limit)}, found: ${JSON.stringify(e.data)})`, [e.keyword]: p.limit, found: e.data as Json}
    case 'enum':
      return {...base, message: `instance value (${JSON.stringify(e.data)}) not found in enum (possible values: ${JSON.stringify(p.allowedValues)})`, value: e.data, enum: p.allowedValues}
    default:
      return {...base, message: `${e.instancePath ? dottedPath(e.instancePath) + ' ' : ''}${e.message ?? 'is invalid'}`}
  }
}

export class SchemaValidator {
  #compiled = new WeakMap<object, ValidateFunction | Error>()

  /**
   * The errors of `value` against `schema` (empty when valid). A schema that does not compile
   * throws an Error naming why; it is remembered, so it costs one compile.
   */
  validate(schema: object, value: unknown): SchemaError[] {
    const fn = this.#compile(schema)
    if (fn(value)) return []
    return (fn.errors ?? []).map(toSchemaError)
  }

  /** Whether `schema` compiles (a package's config.json must). */
  check(schema: object): Error | undefined {
    try {
      this.#compile(schema)
      return undefined
    } catch (error) {
      return error as Error
    }
  }

  #compile(schema: object): ValidateFunction {
    let fn = this.#compiled.get(schema)
    if (fn === undefined) {
      try {
        const ajv = new Ajv04({allErrors: true, strict: false, verbose: true, logger: false, validateSchema: true})
        addFormats(ajv)
        fn = ajv.compile(compatibleSchema(schema) as object)
      } catch (error) {
        fn = new Error(`the schema is not valid JSON Schema: ${(error as Error).message}`)
      }
      this.#compiled.set(schema, fn)
    }
    if (fn instanceof Error) throw fn
    return fn
  }
}
