/**
 * A local cluster's runtime directory, `<DCOS_DIR>/clusters/<id>/local/`, and the files in it:
 *
 *   cluster.json        the ClusterSpec the supervisor runs (ports, hosts, resources)
 *   config/<name>.json  each component's config, written by the supervisor (0600)
 *   logs/<name>.log     each component's stdout+stderr; logs/supervisor.log the supervisor's
 *   master/             the master's work dir (its registry)
 *   marathon/           Marathon's work dir (apps, groups, deployments, tasks, framework id)
 *   agents/<n>/         agent n's work dir (sandboxes, checkpoints)
 *   gateway/users/      the gateway's users store (users, service accounts, revoked tokens)
 *   gateway/secrets/    the gateway's secret store (0700, files 0600)
 *   auth/signing-keys.json  the cluster's RS256 key pair (0600), made at the first `up` with auth
 *   admin.json          the admin's credential `{"uid","password"}` (0600), for the CLI's login
 *   supervisor.pid      present while the supervisor runs
 *   state.json          the supervisor's view of its components, rewritten on every change
 *
 * `<DCOS_DIR>/clusters/<id>/` itself belongs to the CLI (dcos.toml, the `attached` marker).
 */
import fs from 'node:fs'
import path from 'node:path'
import type {ClusterSpec} from '../config'

export interface ComponentState {
  /** Null while the component is down (between an exit and its restart, or after a stop). */
  pid: number | null
  url: string
  /** How often the supervisor restarted it since the supervisor started. */
  restarts: number
  startedAt: string | null
}

export interface SupervisorState {
  pid: number
  components: Record<string, ComponentState>
}

export function localClusterDir(dcosDir: string, id: string): string {
  return path.resolve(dcosDir, 'clusters', id, 'local')
}

export class ClusterDir {
  constructor(readonly dir: string) {}

  get specFile(): string {
    return path.join(this.dir, 'cluster.json')
  }
  get stateFile(): string {
    return path.join(this.dir, 'state.json')
  }
  get pidFile(): string {
    return path.join(this.dir, 'supervisor.pid')
  }
  get logsDir(): string {
    return path.join(this.dir, 'logs')
  }
  get supervisorLog(): string {
    return this.log('supervisor')
  }
  get masterWorkDir(): string {
    return path.join(this.dir, 'master')
  }
  get marathonWorkDir(): string {
    return path.join(this.dir, 'marathon')
  }
  /** Every agent's work dir lies in here, so every task sandbox does. */
  get agentsDir(): string {
    return path.join(this.dir, 'agents')
  }
  get gatewayUsersDir(): string {
    return path.join(this.dir, 'gateway', 'users')
  }
  get gatewaySecretsDir(): string {
    return path.join(this.dir, 'gateway', 'secrets')
  }
  get signingKeysFile(): string {
    return path.join(this.dir, 'auth', 'signing-keys.json')
  }
  get adminCredentialFile(): string {
    return path.join(this.dir, 'admin.json')
  }
  agentWorkDir(index: number): string {
    return path.join(this.agentsDir, String(index))
  }
  config(name: string): string {
    return path.join(this.dir, 'config', `${name}.json`)
  }
  log(name: string): string {
    return path.join(this.logsDir, `${name}.log`)
  }

  readSpec(): ClusterSpec {
    return JSON.parse(fs.readFileSync(this.specFile, 'utf8')) as ClusterSpec
  }

  writeSpec(spec: ClusterSpec): void {
    writePrivate(this.specFile, spec)
  }

  readState(): SupervisorState | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.stateFile, 'utf8')) as SupervisorState
    } catch {
      return undefined
    }
  }

  writeState(state: SupervisorState): void {
    writePrivate(this.stateFile, state)
  }

  readSupervisorPid(): number | undefined {
    try {
      const pid = Number(fs.readFileSync(this.pidFile, 'utf8').trim())
      return Number.isInteger(pid) && pid > 0 ? pid : undefined
    } catch {
      return undefined
    }
  }
}

/** Writes JSON readable by the owner only, atomically (readers never see half a file). */
export function writePrivate(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), {recursive: true, mode: 0o700})
  const tmp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', {mode: 0o600})
  fs.chmodSync(tmp, 0o600)
  fs.renameSync(tmp, file)
}
