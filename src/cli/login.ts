/**
 * How the CLI logs in (`dcos auth login`, and `dcos cluster up` for its own admin): gather a
 * username and password, trade them for a token at the cluster's ACS, store the token
 * (./credentials).
 *
 * Where the credential comes from, first match wins:
 * - username: --username, DCOS_USERNAME, a prompt on a terminal, else a local cluster's admin uid;
 * - password: --password, --password-file, --password-env VAR, DCOS_PASSWORD, a prompt without
 *   echo on a terminal, else the admin password of a local cluster (for its admin uid only).
 * Without a terminal and without a password it fails naming the flags: it never reads a
 * password from a pipe it was not told about.
 */
import {
  type UserCredential,
  USER_PROVIDER,
  fetchProviders,
  readAdminCredential,
  readPasswordEnv,
  readPasswordFile,
  requestToken,
  revokeToken,
} from './auth'
import type {ClusterConfig} from './config'
import type {CredentialStore} from './credentials'
import {DcosError, missingDcosUrlError} from './errors'
import type {IO} from './io'
import {withPrompts} from './prompt'

export interface CredentialFlags {
  username?: string
  password?: string
  passwordFile?: string
  passwordEnv?: string
}

export interface LoginContext {
  cluster: ClusterConfig
  store: CredentialStore
  io: IO
  env: NodeJS.ProcessEnv
  dcosDir: string
  /** Called with the password as soon as it is known, so errors can redact it. */
  keep: (secret: string) => void
  /** A note for the user (stderr). */
  notice: (message: string) => void
}

export type LoginResult = {disabled: true} | {disabled: false; storedIn: 'keychain' | 'file'}

/** `dcos auth login`: nothing is asked when the cluster has no ACS (auth disabled). */
export async function login(ctx: LoginContext, flags: CredentialFlags): Promise<LoginResult> {
  const http = await loginClient(ctx.cluster)
  const providers = await fetchProviders(http)
  if (!providers) return {disabled: true}
  if (!providers[USER_PROVIDER]) {
    throw new DcosError('LOGIN_UNSUPPORTED', `the cluster offers no username and password login (its providers: ${Object.keys(providers).join(', ') || 'none'}).`)
  }
  const credential = await gatherCredential(ctx, flags)
  const token = await requestToken(http, credential)
  return {disabled: false, storedIn: await ctx.store.save(ctx.cluster, token)}
}

/**
 * `dcos cluster up`: logs in as the local cluster's admin with the credential it wrote, so
 * every command works with no login step. Returns false when there is no such credential.
 */
export async function loginLocalAdmin(cluster: ClusterConfig, adminCredentialFile: string | undefined, store: CredentialStore): Promise<boolean> {
  const admin = readAdminCredential(adminCredentialFile)
  if (!admin) return false
  const token = await requestToken(await loginClient(cluster), admin)
  await store.save(cluster, token)
  return true
}

/** A client of the cluster's URL that sends no token (login needs none). */
async function loginClient(cluster: ClusterConfig) {
  const e = cluster.endpoints()
  if (!e.dcosUrl) throw missingDcosUrlError()
  const {HttpClient} = await import('../clients/http')
  return new HttpClient({baseUrl: e.dcosUrl, timeoutMs: e.timeoutMs, sslVerify: e.sslVerify})
}

async function gatherCredential(ctx: LoginContext, flags: CredentialFlags): Promise<UserCredential> {
  let uid = flags.username ?? (ctx.env.DCOS_USERNAME || undefined)
  let password =
    flags.password ??
    (flags.passwordFile !== undefined ? readPasswordFile(flags.passwordFile) : undefined) ??
    (flags.passwordEnv !== undefined ? readPasswordEnv(ctx.env, flags.passwordEnv) : undefined) ??
    (ctx.env.DCOS_PASSWORD || undefined)
  if (password) ctx.keep(password)
  if (uid && password) return {uid, password}

  const adminFile = await localAdminCredentialFile(ctx.dcosDir, ctx.cluster.id)
  if (ctx.io.stdinIsTTY) {
    if (adminFile && readAdminCredential(adminFile)) {
      ctx.notice(`The admin credential of local cluster '${ctx.cluster.name}' is in ${adminFile}.`)
    }
    await withPrompts(ctx.io, async (prompter) => {
      uid ??= (await prompter.ask('Username: ')) || undefined
      if (uid && !password) {
        password = (await prompter.askSecret('Password: ')) || undefined
        if (password) ctx.keep(password)
      }
    })
  } else {
    const admin = readAdminCredential(adminFile)
    if (admin) {
      uid ??= admin.uid
      if (uid === admin.uid) password ??= admin.password
    }
  }
  if (!uid) throw new DcosError('CREDENTIALS_MISSING', 'no username given: use --username or run on a terminal.')
  if (!password) throw new DcosError('CREDENTIALS_MISSING', 'no password given: use --password-file, --password-env or run on a terminal.')
  return {uid, password}
}

/** The admin credential file of the local cluster with this id, if it is one. */
async function localAdminCredentialFile(dcosDir: string, clusterId: string): Promise<string | undefined> {
  const {findLocalCluster} = await import('../runtime/cluster')
  return findLocalCluster(dcosDir, clusterId)?.adminCredentialFile
}

/**
 * `dcos auth logout`: asks the cluster to revoke the stored token (best effort: an unreachable
 * cluster does not keep the token on this machine), then forgets it.
 */
export async function logout(cluster: ClusterConfig, store: CredentialStore): Promise<void> {
  const stored = await store.readStored(cluster)
  if (stored) {
    const e = cluster.endpoints()
    if (e.dcosUrl) {
      const {HttpClient} = await import('../clients/http')
      await revokeToken(new HttpClient({baseUrl: e.dcosUrl, token: stored.token, timeoutMs: e.timeoutMs, sslVerify: e.sslVerify}))
    }
  }
  await store.clear(cluster)
}
