/**
 * Cosmos's JSON schemas of the /package/* RPC bodies (dcos/cosmos docs/schemas, copied as they
 * are to /work/shared/fixtures/universe-real/cosmos-rpc-schemas), compiled with ajv: the contract
 * the package service's answers are checked against, in unit and e2e tests.
 */
import fs from 'node:fs'
import path from 'node:path'
import Ajv04 from 'ajv-draft-04'
import addFormats from 'ajv-formats'

const SCHEMAS = '/work/shared/fixtures/universe-real/cosmos-rpc-schemas'
const ajv = new Ajv04({allErrors: true, strict: false, logger: false})
addFormats(ajv)

/** Errors of `body` against `<version>/model/<name>-schema.json` (empty: valid). */
export function schemaErrors(version: string, name: string, body: unknown): string[] {
  const schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS, version, 'model', `${name}-schema.json`), 'utf8'))
  delete schema.$schema
  // Upstream's v1 DescribeResponse refers to #/definitions/license without defining it; the
  // definition is the one its sibling ListResponse has (the fixture file is left as it is).
  if (JSON.stringify(schema).includes('#/definitions/license') && !schema.definitions?.license)
    schema.definitions.license = {type: 'object', properties: {name: {type: 'string'}, url: {$ref: '#/definitions/url'}}, required: ['name', 'url'], additionalProperties: false}
  const fn = ajv.compile(schema)
  return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)
}
