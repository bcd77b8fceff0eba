/**
 * Where the CLI keeps a cluster's ACS token: the OS keychain when one answers, else the
 * cluster's `dcos.toml` as `core.dcos_acs_token` (0600 in a 0700 dir), as the real CLI kept it.
 * `DCOS_ACS_TOKEN` overrides both.
 *
 * The keychain is `@napi-rs/keyring` (an optional dependency with a native binary). It is
 * imported only when a token is read, written or removed, never on the start-up path of a
 * command that needs no token (`--help`, `--version`, `config set`). Any failure to load or use
 * it means "no keychain": headless Linux answers `Couldn't access platform storage:
 * AccessDenied`, and the keyutils fallback keeps secrets per login session only, so on Linux the
 * Secret Service is the only store accepted. Before the first write a probe entry is written,
 * read back and deleted; the verdict holds for the life of the store (one per process).
 *
 * Read order: environment, then the file (a token set with `dcos config set` or stored where no
 * keychain answered), then the keychain. Saving to the keychain removes a file copy, so the two
 * never disagree.
 */
import type {ClusterConfig} from './config'

export const TOKEN_KEY = 'core.dcos_acs_token'
/** The keychain service name; the account is the cluster's config dir (unique per DCOS_DIR). */
export const KEYCHAIN_SERVICE = 'dcos-cli'

/** A secret store keyed by account name. Implementations may throw on any call. */
export interface Keychain {
  get(account: string): Promise<string | undefined>
  set(account: string, secret: string): Promise<void>
  /** True when something was deleted. */
  delete(account: string): Promise<boolean>
}

/** Loads the keychain; throws when there is none (module missing, no platform store). */
export type KeychainLoader = () => Promise<Keychain>

export type TokenSource = 'env' | 'file' | 'keychain'

export interface StoredToken {
  token: string
  source: TokenSource
}

/** The OS keychain through @napi-rs/keyring, loaded on first use. */
export const osKeychain: KeychainLoader = async () => {
  const {AsyncEntry} = await import('@napi-rs/keyring')
  // On Linux only the Secret Service persists: keyutils keys die with the login session.
  const options = process.platform === 'linux' ? {linux: {store: 'secret-service' as const}} : undefined
  const entry = (account: string) => new AsyncEntry(KEYCHAIN_SERVICE, account, options)
  return {
    get: async (account) => (await entry(account).getPassword()) ?? undefined,
    set: (account, secret) => entry(account).setPassword(secret),
    delete: (account) => entry(account).deleteCredential(),
  }
}

/** No keychain at all (tests, and `DCOS_DIR`-only environments that want none). */
export const noKeychain: KeychainLoader = async () => {
  throw new Error('no keychain')
}

export class CredentialStore {
  readonly #load: KeychainLoader
  #keychain?: Promise<Keychain | undefined>
  #verified?: Promise<boolean>

  constructor(load: KeychainLoader = osKeychain) {
    this.#load = load
  }

  /** The token commands send to this cluster, and where it came from; undefined when none. */
  async read(cluster: ClusterConfig): Promise<StoredToken | undefined> {
    if (cluster.overriddenBy(TOKEN_KEY)) return {token: String(cluster.get(TOKEN_KEY)), source: 'env'}
    return this.readStored(cluster)
  }

  /** The stored token only (file, then keychain), ignoring `DCOS_ACS_TOKEN`. */
  async readStored(cluster: ClusterConfig): Promise<StoredToken | undefined> {
    const file = cluster.fileValue(TOKEN_KEY)
    if (typeof file === 'string' && file) return {token: file, source: 'file'}
    const keychain = await this.#keychainOrNone()
    if (!keychain) return undefined
    try {
      const token = await keychain.get(account(cluster))
      return token ? {token, source: 'keychain'} : undefined
    } catch {
      // A keychain that cannot read is no keychain, for the rest of this process.
      this.#keychain = Promise.resolve(undefined)
      return undefined
    }
  }

  /** Stores the token: in the keychain when it proved to work, else in dcos.toml (0600). */
  async save(cluster: ClusterConfig, token: string): Promise<Exclude<TokenSource, 'env'>> {
    if (await this.#keychainWorks()) {
      const keychain = (await this.#keychainOrNone())!
      try {
        await keychain.set(account(cluster), token)
        if ((await keychain.get(account(cluster))) === token) {
          removeFromFile(cluster)
          return 'keychain'
        }
      } catch {
        // fall through to the file
      }
    }
    cluster.assign({[TOKEN_KEY]: token})
    cluster.persist()
    return 'file'
  }

  /** Removes the stored token from the keychain and the file; true when there was one. */
  async clear(cluster: ClusterConfig): Promise<boolean> {
    let removed = removeFromFile(cluster)
    const keychain = await this.#keychainOrNone()
    if (keychain) {
      try {
        removed = (await keychain.delete(account(cluster))) || removed
      } catch {
        // nothing there, or no keychain after all
      }
    }
    return removed
  }

  #keychainOrNone(): Promise<Keychain | undefined> {
    this.#keychain ??= this.#load().catch(() => undefined)
    return this.#keychain
  }

  /** A write, read back and delete of a probe entry, once per store. */
  #keychainWorks(): Promise<boolean> {
    this.#verified ??= (async () => {
      const keychain = await this.#keychainOrNone()
      if (!keychain) return false
      const probe = `probe-${process.pid}-${Date.now().toString(36)}`
      const value = `dcos-cli-probe-${Math.random().toString(36).slice(2)}`
      try {
        await keychain.set(probe, value)
        const ok = (await keychain.get(probe)) === value
        await keychain.delete(probe)
        return ok
      } catch {
        return false
      }
    })()
    return this.#verified
  }
}

function account(cluster: ClusterConfig): string {
  return cluster.dir
}

/** Deletes core.dcos_acs_token from the cluster's dcos.toml; true when it was there. */
function removeFromFile(cluster: ClusterConfig): boolean {
  if (cluster.fileValue(TOKEN_KEY) === undefined) return false
  cluster.unset(TOKEN_KEY)
  cluster.persist()
  return true
}
