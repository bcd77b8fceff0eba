/**
 * Yes/no confirmation for destructive commands. Never prompts without a terminal: it fails
 * naming the flag that answers the question (e.g. --yes), so scripts never hang.
 */
import {DcosError} from './errors'
import type {IO} from './io'

const ATTEMPTS = 3

/** Asks `question` on stderr until the answer is yes/no (3 tries, like the real CLI). */
export async function confirm(io: IO, question: string, flag: string): Promise<boolean> {
  if (!io.stdinIsTTY) {
    throw new DcosError('CONFIRMATION_REQUIRED', 'cannot ask for confirmation: standard input is not a terminal.', {
      hint: `Pass ${flag} to confirm.`,
    })
  }
  // Loaded on use: only a confirmation needs readline.
  const {createInterface} = await import('node:readline')
  const rl = createInterface({input: io.input, terminal: false})
  const lines = rl[Symbol.asyncIterator]()
  try {
    for (let i = 0; i < ATTEMPTS; i++) {
      io.err.write(question)
      const next = await lines.next()
      if (next.done) break
      const answer = String(next.value).trim().toLowerCase()
      if (answer === 'y' || answer === 'yes') return true
      if (answer === 'n' || answer === 'no') return false
      io.err.write(`'${next.value}' is not a valid response.\n`)
    }
  } finally {
    rl.close()
  }
  throw new DcosError('CANCELLED', "couldn't get confirmation", {hint: `Pass ${flag} to confirm.`})
}

/** Questions asked on the terminal, within one session (see withPrompts). */
export interface Prompter {
  /** Asks with the answer echoed, e.g. `Username: `. */
  ask(question: string): Promise<string>
  /** Asks without echoing the answer, e.g. `Password: `. */
  askSecret(question: string): Promise<string>
}

/**
 * Runs `use` with a prompter over the terminal: one readline session in terminal mode, prompts
 * and echo on stderr. Echo is on only while an ask() waits: it goes off at the end of each line,
 * so a secret is never echoed, even when typed ahead of its prompt. Ctrl-C or the end of input
 * cancels. Never called without a terminal on stdin: callers fail naming the flag instead.
 */
export async function withPrompts<T>(io: IO, use: (prompter: Prompter) => Promise<T>): Promise<T> {
  const [{createInterface}, {Writable}] = await Promise.all([import('node:readline'), import('node:stream')])
  let muted = true
  const output = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      if (!muted) io.err.write(chunk.toString())
      done()
    },
  })
  const rl = createInterface({input: io.input, output, terminal: true})
  rl.on('SIGINT', () => rl.close())
  rl.on('line', () => (muted = true))
  const lines = rl[Symbol.asyncIterator]()
  const next = async (): Promise<string> => {
    const line = await lines.next()
    if (line.done) throw new DcosError('CANCELLED', 'cancelled: no answer was given.')
    return String(line.value)
  }
  try {
    return await use({
      ask: async (question) => {
        muted = false
        rl.setPrompt(question)
        rl.prompt()
        try {
          return (await next()).trim()
        } catch (e) {
          io.err.write('\n')
          throw e
        }
      },
      askSecret: async (question) => {
        io.err.write(question)
        rl.setPrompt('')
        muted = true
        try {
          return await next()
        } finally {
          io.err.write('\n')
        }
      },
    })
  } finally {
    rl.close()
  }
}
