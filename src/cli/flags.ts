/**
 * Flags shared by several commands, spelled and described as the real CLI does.
 */
import {Flags} from '@oclif/core'

/** `--completed` / `--all` of `task list|log|ls` (both include finished tasks, as in PY). */
export const taskStateFlags = {
  completed: Flags.boolean({description: 'include completed tasks'}),
  all: Flags.boolean({description: 'include completed and in-progress tasks'}),
}

/** `--lines=N`: a negative N is taken as positive (CORE). */
export const linesFlag = Flags.custom<number>({
  description: 'print the last N lines',
  default: 10,
  parse: async (input) => {
    if (!/^-?\d+$/.test(input)) throw new Error(`expected an integer but received: ${input}`)
    return Math.abs(Number.parseInt(input, 10))
  },
})

/** A positive decimal, e.g. `--cpus 1.5`. */
export const positiveNumberFlag = Flags.custom<number>({
  parse: async (input) => {
    const n = Number(input)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number but received: ${input}`)
    return n
  },
})
