/**
 * A local cluster's credentials, kept in its runtime dir and readable by the user only:
 *
 * - the RS256 key pair every token is signed with (auth/signing-keys.json), made at the first
 *   `up` with auth and kept, so tokens survive restarts;
 * - the admin's credential (admin.json, `{"uid","password"}`), made once, from which the CLI
 *   logs in after `cluster up`; the gateway gets only its scrypt hash;
 * - one service token per kind of component (`dcos_master`, `dcos_agent`, `dcos_gateway`,
 *   `dcos_marathon`),
 *   signed afresh at each `up` and written only into the components' 0600 configs.
 */
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import {hashPassword} from '../auth/passwords'
import {generateSigningKeys, TokenIssuer, type SigningKeys} from '../auth/tokens'
import {writePrivate, type ClusterDir} from './cluster-dir'
import type {ClusterAuth} from './spec'

export const ADMIN_UID = 'admin'
import {SERVICE_UIDS} from '../config'

export {SERVICE_UIDS}
/** Components' own tokens: re-signed at every `up`, so a long life costs nothing. */
const SERVICE_TOKEN_LIFETIME_S = 10 * 365 * 24 * 60 * 60

export interface AdminCredential {
  uid: string
  password: string
}

/** Everything the spec's auth fields need; makes the keys and the admin on first use. */
export async function clusterCredentials(dir: ClusterDir): Promise<ClusterAuth> {
  const keys = readJson<SigningKeys>(dir.signingKeysFile, (v) => typeof v.privateKey === 'string' && typeof v.publicKey === 'string') ?? (await newKeys(dir))
  const admin = readAdminCredential(dir.adminCredentialFile) ?? newAdmin(dir)
  const issuer = new TokenIssuer(keys.privateKey)
  const [passwordHash, master, agent, gateway, marathon] = await Promise.all([
    hashPassword(admin.password),
    issuer.sign(SERVICE_UIDS.master, SERVICE_TOKEN_LIFETIME_S),
    issuer.sign(SERVICE_UIDS.agent, SERVICE_TOKEN_LIFETIME_S),
    issuer.sign(SERVICE_UIDS.gateway, SERVICE_TOKEN_LIFETIME_S),
    issuer.sign(SERVICE_UIDS.marathon, SERVICE_TOKEN_LIFETIME_S),
  ])
  return {
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
    usersDir: dir.gatewayUsersDir,
    admin: {uid: admin.uid, description: 'The cluster administrator (created by dcos cluster up)', passwordHash},
    tokens: {master, agent, gateway, marathon},
  }
}

/** The admin credential in `file`, or undefined when it is missing or damaged. */
export function readAdminCredential(file: string): AdminCredential | undefined {
  return readJson<AdminCredential>(file, (v) => typeof v.uid === 'string' && v.uid !== '' && typeof v.password === 'string' && v.password !== '')
}

async function newKeys(dir: ClusterDir): Promise<SigningKeys> {
  const keys = await generateSigningKeys()
  writePrivate(dir.signingKeysFile, keys)
  return keys
}

function newAdmin(dir: ClusterDir): AdminCredential {
  const admin = {uid: ADMIN_UID, password: randomBytes(24).toString('base64url')}
  writePrivate(dir.adminCredentialFile, admin)
  // Only this user may even list the cluster's directory.
  fs.chmodSync(dir.dir, 0o700)
  return admin
}

function readJson<T>(file: string, valid: (value: Record<string, unknown>) => boolean): T | undefined {
  let value: unknown
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return undefined
  }
  return typeof value === 'object' && value !== null && valid(value as Record<string, unknown>) ? (value as T) : undefined
}
