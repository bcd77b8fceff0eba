/**
 * The auth module's parts on their own: tokens (sign, verify, expiry, foreign keys, forged
 * algorithms, the verified-token cache), scrypt passwords, the failed-login limiter and the
 * users store's revocations. Clocks are passed in; no sockets.
 */
import assert from 'node:assert/strict'
import {createHmac, createPublicKey} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {LoginLimiter} from '../../src/runtime/auth/login-limiter'
import {hashPassword, verifyPassword} from '../../src/runtime/auth/passwords'
import {
  generateSigningKeys,
  signToken,
  tokenFromAuthorization,
  TokenIssuer,
  TokenVerifier,
  type SigningKeys,
} from '../../src/runtime/auth/tokens'
import {Users} from '../../src/runtime/auth/users'

const T0 = Date.parse('2026-03-01T00:00:00Z')

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

describe('tokens', () => {
  let keys: SigningKeys
  let other: SigningKeys
  before(async () => {
    ;[keys, other] = await Promise.all([generateSigningKeys(), generateSigningKeys()])
  })

  it('signs {uid, exp} RS256 tokens that verify with the public key until they expire', async () => {
    let now = T0
    const token = await new TokenIssuer(keys.privateKey, () => now).sign('alice')
    const [header, payload] = token.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()))
    assert.equal(header.alg, 'RS256')
    assert.equal(payload.uid, 'alice')
    assert.equal(payload.exp, T0 / 1000 + 5 * 24 * 3600, 'DC/OS default: 5 days')

    const verifier = new TokenVerifier(keys.publicKey, {now: () => now})
    assert.deepEqual(await verifier.verify(token), {ok: true, token: {uid: 'alice', exp: payload.exp}})
    now = payload.exp * 1000 - 1
    assert.equal((await verifier.verify(token)).ok, true, 'cached, still valid')
    now = payload.exp * 1000
    assert.deepEqual(await verifier.verify(token), {ok: false, reason: 'expired'}, 'a cached token expires too')
    assert.deepEqual(await new TokenVerifier(keys.publicKey, {now: () => now}).verify(token), {ok: false, reason: 'expired'}, 'and uncached')
  })

  it('makes two tokens for two logins in the same second', async () => {
    const issuer = new TokenIssuer(keys.privateKey, () => T0)
    assert.notEqual(await issuer.sign('alice'), await issuer.sign('alice'))
  })

  it('refuses tokens of another key, tampered ones, forged algorithms and garbage', async () => {
    const verifier = new TokenVerifier(keys.publicKey, {now: () => T0})
    const exp = T0 / 1000 + 60
    assert.deepEqual(await verifier.verify(await signToken(other.privateKey, 'alice', exp)), {ok: false, reason: 'invalid'})

    const good = await signToken(keys.privateKey, 'alice', exp)
    const [h, , s] = good.split('.')
    assert.equal((await verifier.verify(`${h}.${b64url({uid: 'admin', exp})}.${s}`)).ok, false, 'payload swapped')

    assert.equal((await verifier.verify(`${b64url({alg: 'none', typ: 'JWT'})}.${b64url({uid: 'admin', exp})}.`)).ok, false, 'alg none')
    // HS256 "signed" with the public key as the HMAC secret: the classic algorithm confusion.
    const pem = createPublicKey(keys.publicKey).export({type: 'spki', format: 'pem'}) as string
    const hsInput = `${b64url({alg: 'HS256', typ: 'JWT'})}.${b64url({uid: 'admin', exp})}`
    const hs = `${hsInput}.${createHmac('sha256', pem).update(hsInput).digest('base64url')}`
    assert.equal((await verifier.verify(hs)).ok, false, 'HS256 with the public key')

    assert.equal((await verifier.verify(await signToken(keys.privateKey, '', exp))).ok, false, 'empty uid')
    for (const junk of ['', 'a.b.c', 'x'.repeat(9000), good + 'x']) assert.equal((await verifier.verify(junk)).ok, false, junk.slice(0, 20))
  })

  it('keeps at most cacheSize verified tokens, and an evicted one still verifies', async () => {
    const verifier = new TokenVerifier(keys.publicKey, {now: () => T0, cacheSize: 2})
    const tokens = await Promise.all(['a', 'b', 'c'].map((uid) => signToken(keys.privateKey, uid, T0 / 1000 + 60)))
    for (const t of tokens) assert.equal((await verifier.verify(t)).ok, true)
    assert.deepEqual(await verifier.verify(tokens[0]), {ok: true, token: {uid: 'a', exp: T0 / 1000 + 60}})
  })

  it('reads only `Authorization: token=<jwt>`', () => {
    assert.equal(tokenFromAuthorization('token=abc.def.ghi'), 'abc.def.ghi')
    assert.equal(tokenFromAuthorization('Token=abc'), 'abc')
    for (const h of [undefined, '', 'Bearer abc', 'token=', 'token=a b', 'abc']) assert.equal(tokenFromAuthorization(h), undefined, String(h))
  })
})

describe('passwords', () => {
  it('hashes with a salt, verifies the right password only, and never matches a missing or damaged hash', async () => {
    const [a, b] = await Promise.all([hashPassword('s3cret'), hashPassword('s3cret')])
    assert.match(a, /^scrypt\$16384\$8\$1\$[^$]+\$[^$]+$/)
    assert.notEqual(a, b, 'salted')
    assert.ok(!a.includes('s3cret'))
    assert.equal(await verifyPassword('s3cret', a), true)
    assert.equal(await verifyPassword('s3cret', b), true)
    assert.equal(await verifyPassword('S3cret', a), false)
    assert.equal(await verifyPassword('', a), false)
    assert.equal(await verifyPassword('s3cret', undefined), false)
    for (const damaged of ['', 'scrypt$1$1$1$x$y', a.replace('16384', '16385'), a.replace('scrypt', 'md5'), 'scrypt$1073741824$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==']) {
      assert.equal(await verifyPassword('s3cret', damaged), false, damaged)
    }
  })

  it('costs an unknown user about what a known one costs', async () => {
    const hash = await hashPassword('pw')
    const time = async (stored: string | undefined) => {
      const t = process.hrtime.bigint()
      for (let i = 0; i < 4; i++) await verifyPassword('guess', stored)
      return Number(process.hrtime.bigint() - t) / 4e6
    }
    await time(hash)
    const known = await time(hash)
    const unknown = await time(undefined)
    assert.ok(unknown > known / 3 && unknown < known * 3, `known ${known} ms, unknown ${unknown} ms`)
  })
})

describe('login limiter', () => {
  it('refuses a key after maxFailures in the window, until the oldest leaves it', () => {
    let now = T0
    const limiter = new LoginLimiter({maxFailures: 3, windowMs: 60_000}, () => now)
    const keys = ['uid:alice', 'addr:10.0.0.1']
    for (let i = 0; i < 3; i++) {
      assert.equal(limiter.retryAfterMs(keys), 0)
      limiter.charge(keys)
      now += 1000
    }
    assert.equal(limiter.retryAfterMs(keys), 57_000)
    assert.equal(limiter.retryAfterMs(['uid:bob', 'addr:10.0.0.1']), 57_000, 'the address is limited for any uid')
    assert.equal(limiter.retryAfterMs(['uid:alice', 'addr:10.0.0.2']), 57_000, 'the uid is limited from any address')
    assert.equal(limiter.retryAfterMs(['uid:bob', 'addr:10.0.0.2']), 0)
    now += 57_000
    assert.equal(limiter.retryAfterMs(keys), 0)
  })

  it('forgives a charged attempt that succeeded; a proven uid starts over, its address does not', () => {
    const now = T0
    const limiter = new LoginLimiter({maxFailures: 2, windowMs: 60_000}, () => now)
    limiter.charge(['uid:a', 'addr:x'])
    limiter.charge(['uid:a', 'addr:x']).forgive()
    assert.equal(limiter.retryAfterMs(['addr:x']), 0)
    limiter.charge(['uid:a', 'addr:x'])
    assert.ok(limiter.retryAfterMs(['addr:x']) > 0)
    limiter.succeeded('uid:a')
    assert.equal(limiter.retryAfterMs(['uid:a']), 0)
    assert.ok(limiter.retryAfterMs(['addr:x']) > 0)
  })

  it('keeps at most maxKeys keys', () => {
    const now = T0
    const limiter = new LoginLimiter({maxFailures: 1, windowMs: 60_000, maxKeys: 100}, () => now)
    for (let i = 0; i < 1000; i++) limiter.charge([`addr:${i}`])
    assert.equal(limiter.retryAfterMs(['addr:0']), 0, 'the stalest were dropped')
    assert.ok(limiter.retryAfterMs(['addr:999']) > 0)
  })
})

describe('users store', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-users-test-'))
  after(() => fs.rmSync(dir, {recursive: true, force: true}))

  it('keeps users and revocations (as hashes) across reopening, in a private directory, and prunes expired ones', async () => {
    const usersDir = path.join(dir, 'users')
    let users = Users.open(usersDir)
    assert.equal(fs.statSync(usersDir).mode & 0o777, 0o700)
    await users.put({uid: 'alice', description: 'A', password_hash: 'scrypt$x', created: 'then'})
    await users.revoke('tok-1', 100)
    await users.revoke('tok-2', 300)
    await users.close()

    users = Users.open(usersDir)
    assert.equal(users.get('alice')?.description, 'A')
    assert.equal(users.isRevoked('tok-1'), true)
    assert.equal(users.isRevoked('tok-3'), false)
    for (const file of fs.readdirSync(usersDir)) assert.ok(!fs.readFileSync(path.join(usersDir, file), 'utf8').includes('tok-1'), file)
    await users.pruneRevoked(200)
    assert.equal(users.isRevoked('tok-1'), false)
    assert.equal(users.isRevoked('tok-2'), true)
    await users.close()
  })
})
