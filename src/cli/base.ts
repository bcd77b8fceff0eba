/**
 * The base of every `dcos` command (heroku's APIClient-holding base + sf's typed JSON + gh's
 * IOStreams). A command parses its flags, calls a client or a src/cli function, renders to
 * `this.io`, and returns its JSON value: with --json oclif prints what run() returns, so run()
 * must return a truthy value (`[]`, `{}`), never undefined.
 *
 * Errors: whatever a command throws is normalised to a DcosError and printed as one line,
 * `Error: <message>`, on stderr (with --json also `{"error":{"code","message"}}` on stdout);
 * never a stack, never a header or a token. The exit status comes from the error.
 *
 * Clients are built lazily with dynamic imports, so `dcos <cmd> --help` never loads node:https
 * or the runtime. The ACS token comes from DCOS_ACS_TOKEN, the cluster's dcos.toml, else the OS
 * keychain (./credentials), which is loaded only when a client is built and no other token is
 * there.
 */
import {format} from 'node:util'
import {Command, Errors, type Interfaces} from '@oclif/core'
import type {HttpClient} from '../clients/http'
import type {ClusterEndpoints} from '../clients/endpoints'
import type {MarathonClient} from '../clients/marathon'
import type {MesosClient} from '../clients/mesos'
import type {PackagesClient} from '../clients/packages'
import {type ClusterConfig, ConfigManager, endpointsFromEnv, envEndpoints} from './config'
import {CredentialStore, type KeychainLoader, osKeychain} from './credentials'
import {DcosError, isExitError, missingDcosUrlError, notAttachedError, redact, toDcosError} from './errors'
import {type IO, processIO, writeLine} from './io'

export abstract class DcosCommand<T = unknown> extends Command {
  /** The terminal; tests replace it with bufferIO() before running the command. */
  io: IO = processIO()
  /** The environment (DCOS_DIR, DCOS_CLUSTER, DCOS_URL, DCOS_ACS_TOKEN, NO_COLOR ...). */
  env: NodeJS.ProcessEnv = process.env
  /** Aborted on Ctrl-C; long-running commands (--follow) stop cleanly on it. Injectable. */
  interrupt?: AbortSignal
  /** The OS keychain; tests inject a fake (never the real one). */
  keychain: KeychainLoader = osKeychain

  #configManager?: ConfigManager
  #credentials?: CredentialStore
  #endpoints?: ClusterEndpoints
  #authenticated?: Promise<ClusterEndpoints>
  #mesos?: Promise<MesosClient>
  #marathon?: Promise<MarathonClient>
  #packages?: Promise<PackagesClient>
  /** Secrets this command handled besides the token (a password): redacted from every error. */
  #extraSecrets: string[] = []

  abstract override run(): Promise<T>

  /**
   * oclif reads piped stdin into a missing argument (a 10 ms probe): `echo x | dcos task list`
   * would filter on `x`, and `dcos marathon app add < app.json` would take the JSON for a path.
   * No dcos argument comes from stdin; the commands that read stdin do so themselves.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- oclif's own constraint (FlagOutput/ArgOutput)
  protected override parse<F extends Record<string, any>, B extends Record<string, any>, A extends Record<string, any>>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const input = options ?? (this.ctor as unknown as Interfaces.Input<F, B, A>)
    const args = Object.fromEntries(Object.entries(input.args ?? {}).map(([name, arg]) => [name, {...(arg as object), ignoreStdin: true}]))
    return super.parse({...input, args} as Interfaces.Input<F, B, A>, argv)
  }

  /** The repository of configured clusters under DCOS_DIR. */
  protected get configManager(): ConfigManager {
    this.#configManager ??= ConfigManager.fromEnv(this.env)
    return this.#configManager
  }

  /** The current cluster's config (DCOS_CLUSTER, else the attached one). */
  protected currentCluster(): ClusterConfig {
    return this.configManager.current()
  }

  /**
   * Where to connect: the current cluster, or DCOS_URL alone when nothing is configured
   * (scripts against an existing cluster). Throws the not-attached error otherwise.
   */
  protected endpoints(): ClusterEndpoints {
    if (this.#endpoints) return this.#endpoints
    const cluster = this.configManager.tryCurrent()
    const endpoints = cluster?.endpoints() ?? endpointsFromEnv(this.env)
    if (!endpoints) throw notAttachedError()
    this.#endpoints = endpoints
    return endpoints
  }

  /** Where the cluster's token is stored (keychain or dcos.toml). */
  protected get credentials(): CredentialStore {
    this.#credentials ??= new CredentialStore(this.keychain)
    return this.#credentials
  }

  /**
   * endpoints() with the token: when neither the environment nor dcos.toml has one, the
   * keychain's. Without any, requests go out bare and an auth-enabled cluster answers 401
   * (exit 4, "please run 'dcos auth login'").
   */
  protected authenticatedEndpoints(): Promise<ClusterEndpoints> {
    this.#authenticated ??= (async () => {
      const e = this.endpoints()
      if (e.token) return e
      const cluster = this.configManager.tryCurrent()
      const stored = cluster && (await this.credentials.readStored(cluster))
      if (stored) this.#endpoints = {...e, token: stored.token}
      return this.#endpoints!
    })()
    return this.#authenticated
  }

  /** The Mesos master/agent client of the current cluster. */
  protected mesos(): Promise<MesosClient> {
    this.#mesos ??= Promise.all([import('../clients/mesos'), this.authenticatedEndpoints()]).then(
      ([{MesosClient}, endpoints]) => new MesosClient(endpoints),
    )
    return this.#mesos
  }

  /** The Marathon client of the current cluster (marathon.url, else <dcos_url>/service/marathon). */
  protected marathon(): Promise<MarathonClient> {
    this.#marathon ??= Promise.all([import('../clients/marathon'), this.authenticatedEndpoints()]).then(
      ([{MarathonClient}, endpoints]) => new MarathonClient(endpoints),
    )
    return this.#marathon
  }

  /** The Cosmos package service client of the current cluster (package.cosmos_url, else core.dcos_url). */
  protected packages(): Promise<PackagesClient> {
    this.#packages ??= Promise.all([import('../clients/packages'), this.authenticatedEndpoints()]).then(
      ([{PackagesClient}, endpoints]) => new PackagesClient(endpoints),
    )
    return this.#packages
  }

  /** A bare HTTP client for `baseUrl` (default core.dcos_url) with the cluster's token and timeouts. */
  protected async http(baseUrl?: string, options: {timeoutMs?: number} = {}): Promise<HttpClient> {
    const {HttpClient} = await import('../clients/http')
    if (baseUrl) {
      const e = this.configManager.tryCurrent() || endpointsFromEnv(this.env) ? await this.authenticatedEndpoints() : envEndpoints(this.env)
      return new HttpClient({baseUrl, token: e.token, timeoutMs: options.timeoutMs ?? e.timeoutMs, sslVerify: e.sslVerify})
    }
    const e = await this.authenticatedEndpoints()
    if (!e.dcosUrl) throw missingDcosUrlError()
    return new HttpClient({baseUrl: e.dcosUrl, token: e.token, timeoutMs: options.timeoutMs ?? e.timeoutMs, sslVerify: e.sslVerify})
  }

  /** Keeps `secret` (a password read from a flag, file or prompt) out of every error message. */
  protected secret(secret: string): void {
    this.#extraSecrets.push(secret)
  }

  /** The abort signal of Ctrl-C (installs the SIGINT handler on first use). */
  protected interruptSignal(): AbortSignal {
    if (!this.interrupt) {
      const controller = new AbortController()
      process.once('SIGINT', () => controller.abort())
      this.interrupt = controller.signal
    }
    return this.interrupt
  }

  /** Data on stdout (a trailing newline is added when missing). */
  protected print(text: string): void {
    this.io.out.write(text.endsWith('\n') ? text : text + '\n')
  }

  /** One item per line on stdout (`--quiet` lists); nothing at all for an empty list. */
  protected printLines(lines: readonly string[]): void {
    for (const line of lines) writeLine(this.io.out, line)
  }

  /** A notice, progress line or note on stderr. */
  protected notice(text: string): void {
    writeLine(this.io.err, text)
  }

  override log(message = '', ...args: unknown[]): void {
    if (this.jsonEnabled()) return
    writeLine(this.io.out, format(message, ...args))
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    writeLine(this.io.err, format(message, ...args))
  }

  override warn(input: string | Error): string | Error {
    writeLine(this.io.err, `Warning: ${typeof input === 'string' ? input : input.message}`)
    return input
  }

  /** JSON as the real CLI prints it: indented, one document, on stdout. */
  protected override logJson(json: unknown): void {
    writeLine(this.io.out, JSON.stringify(json, null, 2))
  }

  /** Only a code and a message: never the error object (oclif would serialise its headers). */
  protected override toErrorJson(err: unknown): {error: {code: string; message: string}} {
    const e = toDcosError(err, this.id)
    return {error: {code: e.code, message: redact(e.message, this.#secrets())}}
  }

  protected override async catch(err: Error): Promise<never> {
    if (isExitError(err)) throw err
    const e = toDcosError(err, this.id)
    const message = redact(e.message, this.#secrets())
    if (this.env.DCOS_DEBUG && !(err instanceof DcosError) && err?.stack) {
      writeLine(this.io.err, redact(err.stack, this.#secrets()))
    }
    if (this.jsonEnabled()) this.logJson({error: {code: e.code, message}})
    writeLine(this.io.err, `Error: ${message}`)
    throw new Errors.ExitError(e.exit)
  }

  /** Secrets that must never be printed: the env override, the token in use, passwords. */
  #secrets(): string[] {
    const out: string[] = [...this.#extraSecrets]
    if (this.env.DCOS_ACS_TOKEN) out.push(this.env.DCOS_ACS_TOKEN)
    if (this.#endpoints?.token) out.push(this.#endpoints.token)
    return out
  }
}
