/**
 * The token store: a fake keychain (never the machine's), the real file store (dcos.toml 0600),
 * DCOS_ACS_TOKEN on top, and keychains that fail the way real ones do on headless machines.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, test} from 'node:test'
import {ConfigManager} from '../../src/cli/config'
import {CredentialStore, type Keychain, type KeychainLoader, TOKEN_KEY} from '../../src/cli/credentials'

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.MARKER-token.sig'

/** A keychain in a Map, counting its calls; `fail` makes every call throw like AccessDenied. */
function fakeKeychain(options: {fail?: boolean; forgets?: boolean} = {}) {
  const entries = new Map<string, string>()
  const calls: string[] = []
  const keychain: Keychain = {
    async get(account) {
      calls.push(`get ${account}`)
      if (options.fail) throw new Error("Couldn't access platform storage: AccessDenied")
      return entries.get(account)
    },
    async set(account, secret) {
      calls.push(`set ${account}`)
      if (options.fail) throw new Error("Couldn't access platform storage: AccessDenied")
      // A store that accepts writes and keeps nothing (keyutils outside its session).
      if (!options.forgets) entries.set(account, secret)
    },
    async delete(account) {
      calls.push(`delete ${account}`)
      if (options.fail) throw new Error("Couldn't access platform storage: AccessDenied")
      return entries.delete(account)
    },
  }
  let loads = 0
  const load: KeychainLoader = async () => {
    loads++
    return keychain
  }
  return {entries, calls, load, loads: () => loads}
}

let dir: string
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-credentials-'))
})
afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

function cluster(env: NodeJS.ProcessEnv = {}, values: Record<string, string> = {}) {
  const manager = new ConfigManager(dir, env)
  manager.save('c1', {'core.dcos_url': 'http://127.0.0.1:1', ...values})
  return {manager, config: () => manager.load('c1')!}
}

function fileText(): string {
  return fs.readFileSync(path.join(dir, 'clusters', 'c1', 'dcos.toml'), 'utf8')
}

describe('the credential store', () => {
  test('a working keychain holds the token; the file never sees it', async () => {
    const kc = fakeKeychain()
    const store = new CredentialStore(kc.load)
    const {config} = cluster()
    assert.equal(await store.save(config(), TOKEN), 'keychain')
    assert.ok(!fileText().includes(TOKEN))
    assert.deepEqual(await store.read(config()), {token: TOKEN, source: 'keychain'})
    assert.deepEqual([...kc.entries.keys()], [path.join(dir, 'clusters', 'c1')])
    // A probe was written, read back and deleted before the first write, and left nothing.
    assert.match(kc.calls[0], /^set probe-/)
    assert.match(kc.calls[2], /^delete probe-/)
    assert.equal(await store.clear(config()), true)
    assert.equal(await store.read(config()), undefined)
    assert.equal(kc.entries.size, 0)
  })

  test('the probe runs once per store, and the keychain is loaded once', async () => {
    const kc = fakeKeychain()
    const store = new CredentialStore(kc.load)
    const {config} = cluster()
    await store.save(config(), TOKEN)
    await store.save(config(), TOKEN + '2')
    assert.equal(kc.calls.filter((c) => c.startsWith('set probe-')).length, 1)
    assert.equal(kc.loads(), 1)
    assert.equal((await store.read(config()))?.token, TOKEN + '2')
  })

  for (const [name, load] of [
    ['a keychain that refuses every call (AccessDenied)', fakeKeychain({fail: true}).load],
    ['a keychain that accepts writes and keeps nothing', fakeKeychain({forgets: true}).load],
    ['no keychain module at all', (async () => {
      throw Object.assign(new Error("Cannot find module '@napi-rs/keyring'"), {code: 'MODULE_NOT_FOUND'})
    }) as KeychainLoader],
  ] as const) {
    test(`${name}: the token goes to dcos.toml, mode 0600`, async () => {
      const store = new CredentialStore(load)
      const {config} = cluster()
      assert.equal(await store.save(config(), TOKEN), 'file')
      const file = path.join(dir, 'clusters', 'c1', 'dcos.toml')
      assert.equal(fs.statSync(file).mode & 0o777, 0o600)
      assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700)
      assert.match(fileText(), new RegExp(`dcos_acs_token = "${TOKEN.replaceAll('.', '\\.')}"`))
      assert.deepEqual(await new CredentialStore(load).read(config()), {token: TOKEN, source: 'file'})
      assert.equal(await store.clear(config()), true)
      assert.ok(!fileText().includes(TOKEN))
      assert.equal(await store.clear(config()), false)
    })
  }

  test('a token in the file is read without loading the keychain', async () => {
    const kc = fakeKeychain()
    const {config} = cluster({}, {[TOKEN_KEY]: TOKEN})
    assert.deepEqual(await new CredentialStore(kc.load).read(config()), {token: TOKEN, source: 'file'})
    assert.equal(kc.loads(), 0)
  })

  test('saving to the keychain removes an older copy from the file', async () => {
    const kc = fakeKeychain()
    const {config} = cluster({}, {[TOKEN_KEY]: 'old-token'})
    assert.equal(await new CredentialStore(kc.load).save(config(), TOKEN), 'keychain')
    assert.equal(config().fileValue(TOKEN_KEY), undefined)
    assert.equal(config().fileValue('core.dcos_url'), 'http://127.0.0.1:1')
  })

  test('DCOS_ACS_TOKEN overrides the stored token; readStored ignores it', async () => {
    const kc = fakeKeychain()
    const {config} = cluster({DCOS_ACS_TOKEN: 'env-token'})
    const store = new CredentialStore(kc.load)
    await store.save(config(), TOKEN)
    assert.deepEqual(await store.read(config()), {token: 'env-token', source: 'env'})
    assert.deepEqual(await store.readStored(config()), {token: TOKEN, source: 'keychain'})
  })

  test('clusters in different DCOS_DIRs never share a keychain entry', async () => {
    const kc = fakeKeychain()
    const store = new CredentialStore(kc.load)
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-credentials-other-'))
    try {
      const {config} = cluster()
      const elsewhere = new ConfigManager(other, {}).save('c1', {'core.dcos_url': 'http://127.0.0.1:1'})
      await store.save(config(), TOKEN)
      assert.equal(await store.read(elsewhere), undefined)
    } finally {
      fs.rmSync(other, {recursive: true, force: true})
    }
  })

  test('a keychain that fails on read counts as none for the rest of the process', async () => {
    const kc = fakeKeychain({fail: true})
    const store = new CredentialStore(kc.load)
    const {config} = cluster()
    assert.equal(await store.read(config()), undefined)
    assert.equal(await store.read(config()), undefined)
    assert.equal(kc.calls.length, 1)
  })
})
