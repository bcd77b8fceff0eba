/**
 * The cluster's tokens, as DC/OS's: RS256 JWTs with claims `{uid, exp}` (plus a random `jti`, so
 * two logins in one second are two tokens and logging out of one leaves the other), sent as
 * `Authorization: token=<jwt>`. The gateway (the ACS) signs them with the cluster's private key;
 * every component verifies them with the public key alone.
 *
 * Revocation: only the issuer knows about logouts. The gateway keeps a list of revoked tokens
 * until they expire (./users); a component that is called directly accepts a token until its
 * `exp`. Tokens are short enough (5 days, DC/OS's default) for that to be the accepted trade.
 */
import {createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject} from 'node:crypto'
import {jwtVerify, SignJWT} from 'jose'

export const TOKEN_ALGORITHM = 'RS256'
/** DC/OS's default lifetime of a login token. */
export const DEFAULT_TOKEN_LIFETIME_S = 5 * 24 * 60 * 60
/** Far larger than any token we sign; longer strings are not even parsed. */
export const MAX_TOKEN_CHARS = 8 * 1024
const DEFAULT_CACHE_SIZE = 1024

export interface SigningKeys {
  /** PEM, PKCS#8. */
  privateKey: string
  /** PEM, SPKI. */
  publicKey: string
}

/** A fresh RSA-2048 key pair (about 50-400 ms, off the main thread). */
export function generateSigningKeys(): Promise<SigningKeys> {
  return new Promise((resolve, reject) =>
    generateKeyPair(
      'rsa',
      {modulusLength: 2048, publicKeyEncoding: {type: 'spki', format: 'pem'}, privateKeyEncoding: {type: 'pkcs8', format: 'pem'}},
      (error, publicKey, privateKey) => (error ? reject(error) : resolve({publicKey, privateKey})),
    ),
  )
}

/** The RSA public key in `pem`; anything else (another key type, not a key) throws. */
export function rsaPublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem)
  if (key.asymmetricKeyType !== 'rsa') throw new Error('not an RSA public key')
  return key
}

function rsaPrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem)
  if (key.asymmetricKeyType !== 'rsa') throw new Error('not an RSA private key')
  return key
}

/** Signs the cluster's tokens. */
export class TokenIssuer {
  #key: KeyObject
  #now: () => number

  constructor(privateKeyPem: string, now: () => number = Date.now) {
    this.#key = rsaPrivateKey(privateKeyPem)
    this.#now = now
  }

  /** A token for `uid` that expires `lifetimeS` from now. */
  sign(uid: string, lifetimeS = DEFAULT_TOKEN_LIFETIME_S): Promise<string> {
    return signToken(this.#key, uid, Math.floor(this.#now() / 1000) + lifetimeS)
  }
}

/** A `{uid, exp}` RS256 JWT signed with `key`: the shape of tokens and of service login tokens. */
export function signToken(key: KeyObject | string, uid: string, exp: number): Promise<string> {
  const k = typeof key === 'string' ? rsaPrivateKey(key) : key
  return new SignJWT({uid})
    .setProtectedHeader({alg: TOKEN_ALGORITHM, typ: 'JWT'})
    .setJti(randomBytes(12).toString('base64url'))
    .setExpirationTime(exp)
    .sign(k)
}

export interface VerifiedToken {
  uid: string
  /** Expiry, epoch seconds. */
  exp: number
}

export type Verification = {ok: true; token: VerifiedToken} | {ok: false; reason: 'invalid' | 'expired'}

/**
 * Checks a JWT's signature (RS256 only: no `alg` confusion), its `exp` and its `uid`. Verified
 * tokens are remembered (token → uid, exp; at most `cacheSize`, oldest dropped) so a component's
 * hot path costs a map lookup, not an RSA verification; a remembered token still stops being
 * accepted at its `exp`.
 */
export class TokenVerifier {
  #key: KeyObject
  #now: () => number
  #cacheSize: number
  #cache = new Map<string, VerifiedToken>()

  constructor(publicKey: string | KeyObject, opts: {now?: () => number; cacheSize?: number} = {}) {
    this.#key = typeof publicKey === 'string' ? rsaPublicKey(publicKey) : publicKey
    this.#now = opts.now ?? Date.now
    this.#cacheSize = opts.cacheSize ?? DEFAULT_CACHE_SIZE
  }

  async verify(token: string): Promise<Verification> {
    const now = this.#now()
    const hit = this.#cache.get(token)
    if (hit) {
      if (hit.exp * 1000 > now) return {ok: true, token: hit}
      this.#cache.delete(token)
      return {ok: false, reason: 'expired'}
    }
    const checked = await verifyJwt(token, this.#key, now)
    if (!checked.ok) return checked
    if (this.#cache.size >= this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value as string)
    this.#cache.set(token, checked.token)
    return checked
  }
}

/** One uncached verification of a `{uid, exp}` RS256 JWT against `key` at time `now` (ms). */
export async function verifyJwt(token: string, key: KeyObject, now: number): Promise<Verification> {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS) return {ok: false, reason: 'invalid'}
  let payload
  try {
    ;({payload} = await jwtVerify(token, key, {algorithms: [TOKEN_ALGORITHM], requiredClaims: ['exp'], currentDate: new Date(now)}))
  } catch (error) {
    return {ok: false, reason: (error as {code?: string}).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid'}
  }
  const {uid, exp} = payload
  if (typeof uid !== 'string' || uid === '' || typeof exp !== 'number') return {ok: false, reason: 'invalid'}
  return {ok: true, token: {uid, exp}}
}

/** The token of an `Authorization: token=<jwt>` header (DC/OS's scheme), or undefined. */
export function tokenFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined
  const match = /^token=(\S+)$/i.exec(header.trim())
  return match ? match[1] : undefined
}

/** The header that carries `token`. */
export function authorization(token: string): string {
  return `token=${token}`
}
