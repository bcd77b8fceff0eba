/**
 * Install options as Cosmos computes them (PackageDefinitionRenderer.mergeDefaultAndUserOptions):
 * the config schema's defaults (recursively), the user's options deep-merged over them, and the
 * result validated against the schema. A failure is Cosmos's `JsonSchemaMismatch`, whose data
 * lists every failing path with what was expected and what was found.
 */
import {CosmosError} from './errors'
import {isObject, type Json, type JsonObject, type PackageDefinition} from './model'
import {type SchemaError, type SchemaValidator} from './schema'

/** Sets an own property, whatever its name (`__proto__` included), without touching prototypes. */
function setOwn(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, {value, enumerable: true, writable: true, configurable: true})
}

/**
 * The defaults a schema declares: each property's `default`, else (recursively) the defaults of
 * its own `properties`, kept only when there is at least one. Nothing is made up for properties
 * without a default, as in Cosmos.
 */
export function schemaDefaults(schema: unknown): JsonObject {
  const out: JsonObject = {}
  const properties = isObject(schema) ? schema.properties : undefined
  if (!isObject(properties)) return out
  for (const [name, prop] of Object.entries(properties)) {
    if (!isObject(prop)) continue
    if ('default' in prop) setOwn(out, name, structuredClone(prop.default))
    else {
      const nested = schemaDefaults(prop)
      if (Object.keys(nested).length > 0) setOwn(out, name, nested)
    }
  }
  return out
}

/** `override` merged into `base`: objects recursively, anything else (arrays too) replaced. */
export function deepMerge(base: JsonObject, override: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const [k, v] of Object.entries(base)) setOwn(out, k, v)
  for (const [k, v] of Object.entries(override)) {
    const current = Object.prototype.hasOwnProperty.call(out, k) ? out[k] : undefined
    setOwn(out, k, isObject(current) && isObject(v) ? deepMerge(current, v) : v)
  }
  return out
}

export function jsonSchemaMismatch(errors: SchemaError[]): CosmosError {
  return new CosmosError('JsonSchemaMismatch', 'Options JSON failed validation', {errors})
}

/**
 * The options a package renders with: defaults ⊕ user options, validated. Options for a package
 * without a config schema are `OptionsNotAllowed` (unless empty).
 */
export function resolveOptions(pkg: PackageDefinition, userOptions: JsonObject, validator: SchemaValidator): JsonObject {
  if (pkg.config === undefined) {
    if (Object.keys(userOptions).length > 0) throw new CosmosError('OptionsNotAllowed', 'No schema available to validate the provided options')
    return {}
  }
  const merged = deepMerge(schemaDefaults(pkg.config), userOptions)
  let errors: SchemaError[]
  try {
    errors = validator.validate(pkg.config, merged)
  } catch (error) {
    throw new CosmosError('InvalidPackage', `Package [${pkg.name}] version [${pkg.version}] has an invalid config.json: ${(error as Error).message}`, {
      packageName: pkg.name,
      packageVersion: pkg.version,
    })
  }
  if (errors.length > 0) throw jsonSchemaMismatch(errors)
  return merged
}
