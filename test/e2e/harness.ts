/**
 * End-to-end harness: every test gets its own DCOS_DIR (and HOME) in a temp dir, runs bin/dcos
 * and bin/mesos-execute as a user would, and ends every process it started: `dcos cluster down`
 * first, then anything still running from inside its temp dir, found through /proc.
 *
 * Clusters run with authentication (the default): `dcos cluster up` logs the CLI in, so commands
 * need nothing more; raw requests use `sb.get()`, which sends the stored token. Every command's
 * output is kept in `sb.transcript`, so tests can check that no secret was ever printed.
 */
import {execFile, spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import {type UserCredential, readAdminCredential} from '../../src/cli/auth'
import {ConfigManager} from '../../src/cli/config'
import {CredentialStore, noKeychain} from '../../src/cli/credentials'
import {listLocalClusters} from '../../src/runtime/cluster'

export const ROOT = path.resolve(__dirname, '..', '..')
export const DCOS = path.join(ROOT, 'bin', 'dcos')
export const MESOS_EXECUTE = path.join(ROOT, 'bin', 'mesos-execute')

export interface RunResult {
  code: number
  stdout: string
  stderr: string
}

/** One command run in the sandbox and what it printed (a started one's output grows until it ends). */
export interface TranscriptEntry {
  args: string[]
  code?: number
  stdout: string
  stderr: string
}

export class Sandbox {
  readonly dir: string
  readonly env: NodeJS.ProcessEnv
  /** Every command run or started here, with its stdout and stderr. */
  readonly transcript: TranscriptEntry[] = []
  #children = new Set<ChildProcess>()

  constructor(prefix = 'dcos-e2e-') {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
    this.env = {
      PATH: process.env.PATH,
      HOME: path.join(this.dir, 'home'),
      DCOS_DIR: path.join(this.dir, 'dcos'),
      XDG_DATA_HOME: path.join(this.dir, 'xdg'),
      NO_COLOR: '1',
      LANG: 'C.UTF-8',
    }
    fs.mkdirSync(this.env.HOME!, {recursive: true})
  }

  /** Runs a command to completion (never rejects: the exit code is in the result). */
  run(cmd: string, args: string[], opts: {env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number} = {}): Promise<RunResult> {
    return new Promise((resolve) => {
      const child = execFile(
        cmd,
        args,
        {env: {...this.env, ...opts.env}, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024},
        (error, stdout, stderr) => {
          this.#children.delete(child)
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
          const result = {code, stdout: String(stdout), stderr: String(stderr)}
          this.transcript.push({args: [path.basename(cmd), ...args], ...result})
          this.#collectSecrets()
          resolve(result)
        },
      )
      this.#children.add(child)
      if (opts.input !== undefined) child.stdin?.end(opts.input)
      else child.stdin?.end()
    })
  }

  dcos(...args: string[]): Promise<RunResult> {
    return this.run(DCOS, args)
  }

  /** A long-running command (e.g. `task log --follow`); the caller kills it. */
  start(cmd: string, args: string[]): ChildProcess & {output: () => string} {
    const child = spawn(cmd, args, {env: this.env, stdio: ['ignore', 'pipe', 'pipe']}) as ChildProcess & {output: () => string}
    const entry: TranscriptEntry = {args: [path.basename(cmd), ...args], stdout: '', stderr: ''}
    this.transcript.push(entry)
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      entry.stdout += d
    })
    child.stderr!.on('data', (d) => {
      out += d
      entry.stderr += d
    })
    child.output = () => out
    this.#children.add(child)
    child.on('exit', (code) => {
      entry.code = code ?? undefined
      this.#children.delete(child)
    })
    return child
  }

  /** Starts a local cluster on free ports and returns its gateway URL. */
  async up(agents = 1, extra: string[] = []): Promise<string> {
    const r = await this.dcos('cluster', 'up', '--agents', String(agents), '--random-ports', ...extra)
    if (r.code !== 0) throw new Error(`cluster up failed (${r.code}):\n${r.stdout}\n${r.stderr}\n${this.logs()}`)
    const url = await this.dcos('config', 'show', 'core.dcos_url')
    return url.stdout.trim()
  }

  /**
   * The token the CLI stored for the attached cluster, read from the store itself (never through
   * the CLI, so it is in no transcript). The sandbox has no keychain: it is in dcos.toml.
   */
  async storedToken(): Promise<string | undefined> {
    const cluster = ConfigManager.fromEnv(this.env).tryCurrent()
    return cluster && (await new CredentialStore(noKeychain).readStored(cluster))?.token
  }

  /** The admin credential the local cluster wrote at its first `up`. */
  adminCredential(): UserCredential {
    const local = listLocalClusters(this.env.DCOS_DIR!)[0]
    const credential = readAdminCredential(local?.adminCredentialFile)
    if (!credential) throw new Error(`no admin credential for the local cluster in ${this.env.DCOS_DIR}`)
    return credential
  }

  /** `Authorization: token=<stored token>`, or nothing when there is none. */
  async authHeaders(): Promise<Record<string, string>> {
    const token = await this.storedToken()
    return token ? {Authorization: `token=${token}`} : {}
  }

  /** The headers a component sends: its service token from the cluster's 0600 config (e.g. 'master'). */
  serviceAuthHeaders(component: string): Record<string, string> {
    const config = JSON.parse(fs.readFileSync(path.join(this.clusterDir(), 'config', `${component}.json`), 'utf8'))
    return config.auth?.token ? {Authorization: `token=${config.auth.token}`} : {}
  }

  /** A plain GET with the stored token, as a script holding the token would send it. */
  async get(url: string, headers: Record<string, string> = {}): Promise<{status: number; body: string; headers: http.IncomingHttpHeaders}> {
    return get(url, {...(await this.authHeaders()), ...headers})
  }

  /** The local cluster's runtime dir (the only cluster in this sandbox). */
  clusterDir(): string {
    const clusters = path.join(this.env.DCOS_DIR!, 'clusters')
    for (const id of fs.readdirSync(clusters)) {
      const local = path.join(clusters, id, 'local')
      if (fs.existsSync(local)) return local
    }
    throw new Error('no local cluster in this sandbox')
  }

  /** The supervisor's view: component name → {pid, url, restarts}. */
  components(): Record<string, {pid: number; url: string; restarts: number}> {
    const state = JSON.parse(fs.readFileSync(path.join(this.clusterDir(), 'state.json'), 'utf8'))
    return state.components
  }

  logs(): string {
    try {
      const dir = path.join(this.clusterDir(), 'logs')
      return fs
        .readdirSync(dir)
        .map((f) => `--- ${f}\n${fs.readFileSync(path.join(dir, f), 'utf8').split('\n').slice(-30).join('\n')}`)
        .join('\n')
    } catch {
      return ''
    }
  }

  /** Pids of live processes whose command line or working directory lies in this sandbox. */
  strayProcesses(): number[] {
    const found: number[] = []
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      const pid = Number(entry)
      if (pid === process.pid) continue
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
        let cwd = ''
        try {
          cwd = fs.readlinkSync(`/proc/${pid}/cwd`)
        } catch {
          /* exited or not ours */
        }
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
        if (/\) Z /.test(stat)) continue // zombie: already dead, waiting for its parent
        if (cmdline.includes(this.dir) || cwd.startsWith(this.dir)) found.push(pid)
      } catch {
        /* raced with exit */
      }
    }
    return found
  }

  /**
   * Every token the CLI stored and every admin password in this sandbox, so far. Collected after
   * each command, so tokens replaced by a later login are checked too.
   */
  #secrets = new Set<string>()

  #collectSecrets(): void {
    const clusters = path.join(this.env.DCOS_DIR!, 'clusters')
    if (!fs.existsSync(clusters)) return
    for (const id of fs.readdirSync(clusters)) {
      const toml = path.join(clusters, id, 'dcos.toml')
      const token = fs.existsSync(toml) && /^dcos_acs_token\s*=\s*"([^"]+)"/m.exec(fs.readFileSync(toml, 'utf8'))?.[1]
      if (token) this.#secrets.add(token)
      const admin = path.join(clusters, id, 'local', 'admin.json')
      if (fs.existsSync(admin)) this.#secrets.add((JSON.parse(fs.readFileSync(admin, 'utf8')) as {password: string}).password)
    }
  }

  /**
   * The marker check of the whole end-to-end run: no stored token and no admin password appears
   * in any command's output (but where a test asked for the token by name and dropped that entry)
   * or in any component log. Throws, failing the test file, when one does.
   */
  #assertNoSecretLeaked(): void {
    this.#collectSecrets()
    const leaks: string[] = []
    for (const entry of this.transcript) {
      for (const secret of this.#secrets) {
        if (entry.stdout.includes(secret) || entry.stderr.includes(secret)) leaks.push(`the output of '${entry.args.join(' ')}'`)
      }
    }
    const clusters = path.join(this.env.DCOS_DIR!, 'clusters')
    const logDirs = fs.existsSync(clusters) ? fs.readdirSync(clusters).map((id) => path.join(clusters, id, 'local', 'logs')) : []
    for (const dir of logDirs.filter((d) => fs.existsSync(d))) {
      for (const f of fs.readdirSync(dir)) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8')
        for (const secret of this.#secrets) if (text.includes(secret)) leaks.push(path.join(dir, f))
      }
    }
    if (leaks.length) throw new Error(`a token or password leaked into: ${[...new Set(leaks)].join(', ')}`)
  }

  async cleanup(): Promise<void> {
    if (fs.existsSync(path.join(this.env.DCOS_DIR!, 'clusters'))) {
      await this.run(DCOS, ['cluster', 'down'], {timeoutMs: 30_000})
    }
    let leak: unknown
    try {
      this.#assertNoSecretLeaked()
    } catch (error) {
      leak = error
    }
    for (const c of this.#children) c.kill('SIGKILL')
    for (const pid of this.strayProcesses()) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        /* gone */
      }
    }
    fs.rmSync(this.dir, {recursive: true, force: true})
    if (leak) throw leak
  }
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** A plain GET (no CLI) returning status and body, for checking endpoints directly. */
export function get(url: string, headers: Record<string, string> = {}): Promise<{status: number; body: string; headers: http.IncomingHttpHeaders}> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, {headers}, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({status: res.statusCode ?? 0, body, headers: res.headers}))
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')))
  })
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/\) Z /.test(stat)
  } catch {
    return false
  }
}

/** Cosmos's media type of an RPC's request or response body, as the DC/OS CLI sends and accepts them. */
export const cosmosMedia = (rpc: string, kind: 'request' | 'response', v = 1) => `application/vnd.dcos.package.${rpc}-${kind}+json;charset=utf-8;version=v${v}`

/** POSTs Cosmos RPC `rpc` (`search`, `repository.list`, ...) to `<base>/package/...` with its media types; the answer's status and parsed body. */
export async function cosmosCall(base: string, rpc: string, body: unknown, headers: Record<string, string> = {}, version = 1): Promise<{status: number; body: any}> {
  const res = await fetch(`${base}/package/${rpc.replace('.', '/')}`, {
    method: 'POST',
    headers: {...headers, 'Content-Type': cosmosMedia(rpc, 'request'), Accept: cosmosMedia(rpc, 'response', version)},
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  })
  const text = await res.text()
  return {status: res.status, body: text ? JSON.parse(text) : undefined}
}
