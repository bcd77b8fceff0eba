/**
 * Shared set-up of the `dcos marathon` contract tests: a DC/OS cluster at DCOS_URL with a token,
 * Marathon behind its admin router at /service/marathon, replayed by nock from the real responses
 * in ./fixtures/marathon-real (served byte for byte, never edited). Every recorded request must
 * be made: a test that sets up more than the command calls fails.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, afterEach, before, beforeEach} from 'node:test'
import nock from 'nock'

export const DCOS = 'http://dcos.example.com'
export const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.marathon-contract-token'
export const M = '/service/marathon'

/** The path of a real Marathon file, e.g. `examples/app_list.json`. */
export function realFile(name: string): string {
  return path.join(__dirname, 'fixtures', 'marathon-real', name)
}

/** A real Marathon file, parsed (for building expectations, never to change and re-serve). */
export function real<T = unknown>(name: string): T {
  return JSON.parse(fs.readFileSync(realFile(name), 'utf8')) as T
}

/** Marathon through the admin router, expecting the ACS token on every request. */
export function marathon(): nock.Scope {
  return nock(DCOS).matchHeader('authorization', `token=${TOKEN}`)
}

export const JSON_HEADERS = {'Content-Type': 'application/json'}

/** Registers the hooks; returns the environment of the current test (fresh DCOS_DIR each time). */
export function marathonContract(): {env: () => NodeJS.ProcessEnv; dir: () => string} {
  let dcosDir = ''
  let env: NodeJS.ProcessEnv = {}
  before(() => nock.disableNetConnect())
  after(() => nock.enableNetConnect())
  beforeEach(() => {
    dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-marathon-contract-'))
    env = {DCOS_DIR: dcosDir, DCOS_URL: DCOS, DCOS_ACS_TOKEN: TOKEN}
  })
  afterEach(() => {
    const pending = nock.pendingMocks()
    nock.cleanAll()
    fs.rmSync(dcosDir, {recursive: true, force: true})
    assert.deepEqual(pending, [], 'every recorded request was made')
  })
  return {env: () => env, dir: () => dcosDir}
}
