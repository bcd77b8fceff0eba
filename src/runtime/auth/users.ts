/**
 * The gateway's own durable records (a Store in a 0700 directory): users (uid → password hash),
 * service accounts (uid → public key), and tokens revoked by logout until they expire. Revoked
 * tokens are kept by their SHA-256, never as tokens.
 */
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import {Store} from '../store'

export interface UserRecord {
  uid: string
  description: string
  /** A user: `hashPassword()`'s encoding. */
  password_hash?: string
  /** A service account: PEM (SPKI) of the RSA key its login tokens are signed with. */
  public_key?: string
  created: string
}

const USERS = 'users'
const REVOKED = 'revoked'

export class Users {
  #store: Store
  /** token hash → exp (epoch s). */
  #revoked = new Map<string, number>()

  private constructor(store: Store) {
    this.#store = store
    for (const [hash, exp] of store.list<number>(REVOKED)) this.#revoked.set(hash, exp)
  }

  static open(dir: string): Users {
    fs.mkdirSync(dir, {recursive: true, mode: 0o700})
    fs.chmodSync(dir, 0o700)
    return new Users(Store.open(dir, {private: true}))
  }

  get(uid: string): UserRecord | undefined {
    return this.#store.get<UserRecord>(USERS, uid)
  }

  list(): UserRecord[] {
    return this.#store.list<UserRecord>(USERS).map(([, user]) => user)
  }

  put(user: UserRecord): Promise<void> {
    return this.#store.put(USERS, user.uid, user)
  }

  delete(uid: string): Promise<void> {
    return this.#store.delete(USERS, uid)
  }

  async revoke(token: string, exp: number): Promise<void> {
    const hash = tokenHash(token)
    await this.#store.put(REVOKED, hash, exp)
    this.#revoked.set(hash, exp)
  }

  isRevoked(token: string): boolean {
    return this.#revoked.size > 0 && this.#revoked.has(tokenHash(token))
  }

  /** Forgets revocations of tokens that have expired anyway. */
  async pruneRevoked(nowS: number): Promise<void> {
    const expired = [...this.#revoked].filter(([, exp]) => exp <= nowS).map(([hash]) => hash)
    for (const hash of expired) this.#revoked.delete(hash)
    await Promise.all(expired.map((hash) => this.#store.delete(REVOKED, hash)))
  }

  close(): Promise<void> {
    return this.#store.close()
  }
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
