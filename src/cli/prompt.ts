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
