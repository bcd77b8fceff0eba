/**
 * The one error family users ever see. Everything that can fail (HTTP, config, matching, usage)
 * is turned into a DcosError before it reaches the base command, which prints
 * `Error: <message>` on stderr (or `{"error":{"code","message"}}` with --json) and exits with
 * `exit`. A DcosError carries no request, response, headers or token: only what is safe to show.
 *
 * It is a plain Error (not oclif's CLIError) so clients stay independent of oclif; the `oclif`
 * property is what oclif's top-level handler reads for the exit status.
 */

/** Exit statuses (gh-style): 0 ok, 1 error, 2 usage, 4 authentication required. */
export const ExitCode = {ok: 0, error: 1, usage: 2, auth: 4} as const

/** Stable machine-readable codes. Scripts may match on these; never on message text. */
export type ErrorCode =
  | 'AMBIGUOUS'
  | 'AUTH_REQUIRED'
  | 'BAD_RESPONSE'
  | 'CANCELLED'
  | 'CLUSTER_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'CONFIG_MISSING'
  | 'CONFIRMATION_REQUIRED'
  | 'FORBIDDEN'
  | 'HTTP_ERROR'
  | 'INTERNAL'
  | 'NOT_ATTACHED'
  | 'NOT_FOUND'
  | 'NO_MATCH'
  | 'TIMEOUT'
  | 'TLS'
  | 'UNREACHABLE'
  | 'USAGE'
  | (string & {})

export interface DcosErrorOptions {
  /** Exit status; defaults to 1. */
  exit?: number
  /** What to do about it; appended to the message users see. */
  hint?: string
  /** The HTTP status when the error comes from a response. */
  status?: number
}

export class DcosError extends Error {
  override readonly name = 'DcosError'
  readonly code: ErrorCode
  readonly exit: number
  readonly hint?: string
  readonly status?: number
  /** What failed, without the hint. */
  readonly detail: string
  /** Read by oclif's top-level handler. */
  readonly oclif: {exit: number}

  constructor(code: ErrorCode, detail: string, options: DcosErrorOptions = {}) {
    super(options.hint ? `${/[.!?:]$/.test(detail) ? detail : `${detail}.`} ${options.hint}` : detail)
    this.code = code
    this.detail = detail
    this.exit = options.exit ?? ExitCode.error
    this.hint = options.hint
    this.status = options.status
    this.oclif = {exit: this.exit}
  }
}

export function notAttachedError(): DcosError {
  return new DcosError('NOT_ATTACHED', 'no cluster is attached.', {
    hint: "Run 'dcos cluster up' to start a local cluster, or 'dcos cluster setup <url>' to use an existing one.",
  })
}

export function missingDcosUrlError(): DcosError {
  return new DcosError('CONFIG_MISSING', 'Missing required config parameter: "core.dcos_url".', {
    hint: "Please run 'dcos config set core.dcos_url <value>'.",
  })
}

export function usageError(message: string): DcosError {
  return new DcosError('USAGE', message, {exit: ExitCode.usage})
}

/** An oclif error that is not ours: parse errors carry oclif.exit 2, ExitError code EEXIT. */
interface OclifLikeError {
  code?: unknown
  message?: unknown
  oclif?: {exit?: unknown}
}

/** True for oclif's ExitError (thrown by this.exit()); it must pass through untouched. */
export function isExitError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as OclifLikeError).code === 'EEXIT'
}

/**
 * Normalises anything thrown into a DcosError. Parse errors (oclif, exit 2) keep their message;
 * anything else that is not ours is a bug: it gets a one-line message, never a stack.
 */
export function toDcosError(err: unknown, command?: string): DcosError {
  if (err instanceof DcosError) return err
  if (typeof err === 'object' && err !== null) {
    const e = err as OclifLikeError
    const message = typeof e.message === 'string' && e.message ? firstLine(e.message) : 'unknown error'
    if (typeof e.oclif?.exit === 'number') {
      const exit = e.oclif.exit
      return new DcosError(exit === ExitCode.usage ? 'USAGE' : 'INTERNAL', message, {
        exit,
        hint: exit === ExitCode.usage ? `See 'dcos ${command ? command.replaceAll(':', ' ') : '<command>'} --help'.` : undefined,
      })
    }
    return new DcosError('INTERNAL', `unexpected error: ${message}`, {
      hint: 'Set DCOS_DEBUG=1 for details.',
    })
  }
  return new DcosError('INTERNAL', `unexpected error: ${String(err)}`)
}

/** Replaces every occurrence of each secret with ********. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('********')
  return out
}

function firstLine(s: string): string {
  // oclif parse errors are multi-line ("Nonexistent flag: --x\nSee more help with --help").
  const lines = s.split('\n').map((l) => l.trim()).filter(Boolean)
  return lines[0] ?? s
}
