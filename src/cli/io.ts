/**
 * The command's view of the terminal (gh's IOStreams): data goes to `out`, everything else
 * (notices, progress, prompts, errors) to `err`. Commands never touch process.stdout directly,
 * so tests inject an in-memory IO and never stub globals.
 */

export interface Output {
  write(chunk: string): unknown
}

export interface IO {
  out: Output
  err: Output
  input: NodeJS.ReadableStream
  /** stdout is a terminal (tables may use colour; no paging decisions depend on it yet). */
  isTTY: boolean
  /** stdin is a terminal: prompts are allowed. Without one, commands fail naming the flag (--yes). */
  stdinIsTTY: boolean
  /** Colour is allowed: a TTY, NO_COLOR unset, TERM not dumb. */
  color: boolean
}

export function processIO(env: NodeJS.ProcessEnv = process.env): IO {
  const isTTY = Boolean(process.stdout.isTTY)
  return {
    out: process.stdout,
    err: process.stderr,
    input: process.stdin,
    isTTY,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    color: isTTY && colorAllowed(env),
  }
}

export function colorAllowed(env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  return env.TERM !== 'dumb'
}

/** Writes one line (adds the newline). */
export function writeLine(o: Output, line = ''): void {
  o.write(line + '\n')
}
