/**
 * Shared set-up of the `dcos package` contract tests: Cosmos behind a DC/OS admin router at
 * DCOS_URL, replayed by nock. Every body replayed here is checked against Cosmos's own RPC
 * schemas (./fixtures/cosmos-rpc-schemas, draft-04, with ajv) before it is served, so the
 * fixtures cannot drift from the real shapes; every request is checked for the vendor media
 * types the real CLI sends and for the token.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, afterEach, before, beforeEach} from 'node:test'
import Ajv from 'ajv-draft-04'
import addFormats from 'ajv-formats'
import nock from 'nock'

export const DCOS = 'http://dcos.example.com'
export const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.package-contract-token'
export const CLUSTER_ID = '3a5e7a4c-1f0e-4c1b-9d0b-5c0f1b2d3e4f'

const SCHEMAS = path.join(__dirname, 'fixtures', 'cosmos-rpc-schemas')
const ajv = new Ajv({strict: false, allErrors: true})
addFormats(ajv)
const compiled = new Map<string, ReturnType<typeof ajv.compile>>()

/** Throws unless `body` satisfies `<version>/model/<name>-schema.json`. */
export function assertSchema(version: 'v1' | 'v2' | 'v3', name: string, body: unknown): void {
  const file = path.join(SCHEMAS, version, 'model', `${name}-schema.json`)
  let validate = compiled.get(file)
  if (!validate) {
    validate = ajv.compile(JSON.parse(fs.readFileSync(file, 'utf8')))
    compiled.set(file, validate)
  }
  assert.ok(validate(body), `${version}/${name}: ${ajv.errorsText(validate.errors)}`)
}

const MEDIA = 'application/vnd.dcos.package'
const ERROR = `${MEDIA}.error+json;charset=utf-8;version=v1`

/** The request and response schema names and response version of each RPC. */
const RPCS: Record<string, {request: string; response: string; version: 'v1' | 'v2' | 'v3'}> = {
  search: {request: 'SearchRequest', response: 'SearchResponse', version: 'v1'},
  describe: {request: 'DescribeRequest', response: 'DescribeResponse', version: 'v3'},
  'list-versions': {request: 'ListVersionsRequest', response: 'ListVersionsResponse', version: 'v1'},
  render: {request: 'RenderRequest', response: 'RenderResponse', version: 'v1'},
  install: {request: 'InstallRequest', response: 'InstallResponse', version: 'v2'},
  uninstall: {request: 'UninstallRequest', response: 'UninstallResponse', version: 'v1'},
  list: {request: 'ListRequest', response: 'ListResponse', version: 'v1'},
  'repository/list': {request: 'PackageRepositoryListRequest', response: 'PackageRepositoryListResponse', version: 'v1'},
  'repository/add': {request: 'PackageRepositoryAddRequest', response: 'PackageRepositoryAddResponse', version: 'v1'},
  'repository/delete': {request: 'PackageRepositoryDeleteRequest', response: 'PackageRepositoryDeleteResponse', version: 'v1'},
}

/**
 * Expects `POST /package/<rpc>` with the real media types and the token, a request body equal to
 * `request` (and valid for Cosmos), and answers `response` (valid for Cosmos) with Cosmos's
 * response media type.
 */
export function cosmos(rpc: keyof typeof RPCS, request: unknown, response: unknown): nock.Scope {
  const {request: reqSchema, response: resSchema, version} = RPCS[rpc]
  assertSchema('v1', reqSchema, request)
  assertSchema(version, resSchema, response)
  const op = rpc.replaceAll('/', '.')
  return scope(rpc, version)
    .post(`/package/${rpc}`, (body) => {
      assert.deepEqual(body, request)
      return true
    })
    .reply(200, JSON.stringify(response), {'Content-Type': `${MEDIA}.${op}-response+json;charset=utf-8;version=${version}`})
}

/** Expects the RPC and answers a Cosmos error body `{type, message, data}`. */
export function cosmosError(rpc: keyof typeof RPCS, status: number, error: {type: string; message: string; data?: unknown}): nock.Scope {
  return scope(rpc, RPCS[rpc].version)
    .post(`/package/${rpc}`)
    .reply(status, JSON.stringify(error), {'Content-Type': ERROR})
}

function scope(rpc: string, version: string): nock.Scope {
  const op = rpc.replaceAll('/', '.')
  return nock(DCOS)
    .matchHeader('authorization', `token=${TOKEN}`)
    .matchHeader('content-type', `${MEDIA}.${op}-request+json;charset=utf-8;version=v1`)
    .matchHeader('accept', `${MEDIA}.${op}-response+json;charset=utf-8;version=${version},${ERROR}`)
}

/** The hello package (packagingVersion 4.0) as describe v3 returns it. */
export function helloPackage(overrides: Record<string, unknown> = {}) {
  const template = JSON.stringify({id: '/{{service.name}}', instances: '{{service.instances}}', cmd: 'node hello.js'})
  return {
    packagingVersion: '4.0',
    name: 'hello',
    version: '1.1.0',
    releaseVersion: 1,
    maintainer: 'dcos@localhost',
    description: 'A small HTTP hello service on Node: answers with a configurable message and echoes requests back at /echo.',
    tags: ['http', 'hello'],
    framework: false,
    selected: true,
    preInstallNotes: 'This installs the hello service.',
    postInstallNotes: 'The hello service is starting: see dcos marathon app list.',
    postUninstallNotes: 'The hello service is gone.',
    marathon: {v2AppMustacheTemplate: Buffer.from(template).toString('base64')},
    config: {
      type: 'object',
      properties: {service: {type: 'object', properties: {name: {type: 'string', default: 'hello'}, instances: {type: 'integer', default: 1}}}},
    },
    resource: {assets: {uris: {'hello-js': `${DCOS}/package/universe/artifacts/hello.js`}}},
    ...overrides,
  }
}

export interface PackageContract {
  env: () => NodeJS.ProcessEnv
  dir: () => string
  /** `<DCOS_DIR>/clusters/<id>`: a configured, attached cluster for the CLI-install tests. */
  clusterDir: () => string
}

/** Registers the hooks; every test gets a fresh DCOS_DIR with an attached cluster at DCOS. */
export function packageContract(): PackageContract {
  let dcosDir = ''
  before(() => nock.disableNetConnect())
  after(() => nock.enableNetConnect())
  beforeEach(() => {
    dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-package-contract-'))
    const cluster = path.join(dcosDir, 'clusters', CLUSTER_ID)
    fs.mkdirSync(cluster, {recursive: true, mode: 0o700})
    fs.writeFileSync(path.join(cluster, 'dcos.toml'), `[core]\ndcos_url = "${DCOS}"\n\n[cluster]\nname = "contract"\n`, {mode: 0o600})
    fs.writeFileSync(path.join(cluster, 'attached'), '', {mode: 0o600})
  })
  afterEach(() => {
    const pending = nock.pendingMocks()
    nock.cleanAll()
    fs.rmSync(dcosDir, {recursive: true, force: true})
    assert.deepEqual(pending, [], 'every recorded request was made')
  })
  return {
    env: () => ({DCOS_DIR: dcosDir, DCOS_ACS_TOKEN: TOKEN}),
    dir: () => dcosDir,
    clusterDir: () => path.join(dcosDir, 'clusters', CLUSTER_ID),
  }
}
