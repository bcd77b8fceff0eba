/**
 * Checking package files against Universe's own meta schemas (repo/meta/schema of
 * mesosphere/universe), as its CI does (scripts/validate_packages.py): package.json against
 * package-schema.json, config.json against the draft-04 meta-schema (config-schema.json),
 * resource.json against v2- (2.0) or v3-resource-schema.json (3.0+), command.json against
 * command-schema.json (forbidden from 4.0), and a generated index against vN-repo-schema.json.
 *
 * The schemas are read from a directory given by the caller (the build passes universe/meta/schema),
 * so nothing here depends on where the code runs.
 */
import fs from 'node:fs'
import path from 'node:path'
import Ajv04, {type ValidateFunction} from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import {isObject, type PackageDefinition, type RevisionFiles} from './model'
import {compatibleSchema, dottedPath, SchemaValidator} from './schema'

const SCHEMA_FILES = ['package-schema.json', 'config-schema.json', 'v2-resource-schema.json', 'v3-resource-schema.json', 'command-schema.json', 'v4-repo-schema.json', 'vX-repo-definitions.json'] as const

export class UniverseSchemas {
  #fns: Record<string, ValidateFunction>
  #options = new SchemaValidator()

  private constructor(fns: Record<string, ValidateFunction>) {
    this.#fns = fns
  }

  /** Reads and compiles the schemas in `dir` (a copy of repo/meta/schema). */
  static load(dir: string): UniverseSchemas {
    const read = (f: string) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as object
    const ajv = new Ajv04({allErrors: true, strict: false, logger: false})
    addFormats(ajv)
    ajv.addSchema(read('vX-repo-definitions.json'), 'vX-repo-definitions.json')
    const fns: Record<string, ValidateFunction> = {}
    for (const f of SCHEMA_FILES) if (f !== 'vX-repo-definitions.json') fns[f] = ajv.compile(compatibleSchema(read(f)) as object)
    return new UniverseSchemas(fns)
  }

  #check(schema: string, what: string, value: unknown): string[] {
    const fn = this.#fns[schema]
    if (fn(value)) return []
    return (fn.errors ?? []).map((e) => `${what}${e.instancePath ? ' ' + dottedPath(e.instancePath) : ''}: ${e.message}${e.keyword === 'additionalProperties' ? ` (${String((e.params as {additionalProperty: string}).additionalProperty)})` : ''}`)
  }

  /**
   * Every problem of one revision's files (empty when valid). The pre-2.0 form has no schema in
   * this set: it is checked as the 2.0 package it is read as.
   */
  revisionProblems(files: RevisionFiles, definition: PackageDefinition): string[] {
    const pkg = JSON.parse(files['package.json']) as Record<string, unknown>
    const legacy = pkg.packagingVersion === undefined
    const problems: string[] = []
    if (!legacy) problems.push(...this.#check('package-schema.json', 'package.json', pkg))
    const v = definition.packagingVersion
    if (!files['marathon.json.mustache'] && !(legacy && files['marathon.json']) && v === '2.0') problems.push('marathon.json.mustache is required for packagingVersion 2.0')
    if (files['command.json'] !== undefined) {
      if (v === '4.0' || v === '5.0') problems.push(`command.json is not allowed for packagingVersion ${v}`)
      else problems.push(...this.#check('command-schema.json', 'command.json', definition.command))
    }
    if (definition.config !== undefined) {
      problems.push(...this.#check('config-schema.json', 'config.json', definition.config))
      const compiles = this.#options.check(definition.config)
      if (compiles) problems.push(`config.json: ${compiles.message}`)
      if (isObject(definition.config) && definition.config.type !== undefined && definition.config.type !== 'object') problems.push('config.json: the top-level type must be "object"')
    }
    if (definition.resource !== undefined) {
      const resource = legacy ? {...definition.resource} : definition.resource
      problems.push(...this.#check(v === '2.0' ? 'v2-resource-schema.json' : 'v3-resource-schema.json', 'resource.json', resource))
    }
    return problems
  }

  /** Problems of a generated index against v4-repo-schema.json (the version our server sends). */
  indexProblems(index: unknown): string[] {
    return this.#check('v4-repo-schema.json', 'index', index)
  }
}
