/**
 * Password hashes: scrypt (node:crypto) with a random 16-byte salt, encoded as
 * `scrypt$<N>$<r>$<p>$<salt b64>$<hash b64>` so the cost can be raised without breaking stored
 * hashes. Comparison is constant-time, and a user that does not exist costs the same scrypt run
 * (`verifyPassword(password, undefined)`), so timing does not tell which part of a login was wrong.
 */
import {randomBytes, scrypt, timingSafeEqual} from 'node:crypto'

const COST = {N: 16_384, r: 8, p: 1}
const KEY_BYTES = 32
const SALT_BYTES = 16
/** Stored costs above these are refused rather than run (a damaged store must not hang a login). */
const MAX_N = 1 << 20
const MAX_RP = 16

/** Stands in for a user that does not exist: same cost, never matches (no password hashes to it). */
const NO_USER_HASH = `scrypt$${COST.N}$${COST.r}$${COST.p}$${Buffer.alloc(SALT_BYTES).toString('base64')}$${Buffer.alloc(KEY_BYTES).toString('base64')}`

function derive(password: string, salt: Buffer, N: number, r: number, p: number, bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, bytes, {N, r, p, maxmem: 256 * N * r}, (error, key) => (error ? reject(error) : resolve(key))),
  )
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES)
  const key = await derive(password, salt, COST.N, COST.r, COST.p, KEY_BYTES)
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${key.toString('base64')}`
}

/** Whether `password` matches `stored`; an absent or malformed `stored` never matches. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = parseHash(stored ?? NO_USER_HASH) ?? parseHash(NO_USER_HASH)!
  const key = await derive(password, parsed.salt, parsed.N, parsed.r, parsed.p, parsed.hash.length)
  return timingSafeEqual(key, parsed.hash) && stored !== undefined
}

function parseHash(stored: string): {N: number; r: number; p: number; salt: Buffer; hash: Buffer} | undefined {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined
  const [N, r, p] = parts.slice(1, 4).map(Number)
  const valid = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max
  if (!valid(N, MAX_N) || (N & (N - 1)) !== 0 || N < 2 || !valid(r, MAX_RP) || !valid(p, MAX_RP)) return undefined
  const salt = Buffer.from(parts[4], 'base64')
  const hash = Buffer.from(parts[5], 'base64')
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined
  return {N, r, p, salt, hash}
}
