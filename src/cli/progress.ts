/**
 * Progress of a long wait, on stderr. On a terminal a one-line spinner with the latest status,
 * redrawn in place; without one (pipes, CI, logs) no animation and no redraws: the title as one
 * line when the wait starts and the outcome as one line when it ends.
 */
import type {IO} from './io'

export interface Progress {
  /** The current state, shown after the title on a terminal (nothing is printed without one). */
  update(status: string): void
  /** Ends the wait with a line (e.g. `Deployment <id> finished`). */
  done(line: string): void
  /** Ends the wait without a line (the error that follows says what happened). */
  stop(): void
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']
const FRAME_MS = 80
const CLEAR_LINE = '\r\x1b[2K'

export function startProgress(io: IO, title: string): Progress {
  if (!io.isTTY) {
    io.err.write(`${title}\n`)
    return {update: () => {}, done: (line) => io.err.write(`${line}\n`), stop: () => {}}
  }
  let frame = 0
  let status = ''
  const draw = () => io.err.write(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${title}${status ? ` ${status}` : ''}`)
  draw()
  const timer = setInterval(draw, FRAME_MS)
  // A spinner never keeps the process alive.
  timer.unref()
  let running = true
  const stop = () => {
    if (!running) return
    running = false
    clearInterval(timer)
    io.err.write(CLEAR_LINE)
  }
  return {
    update: (s) => {
      status = s
    },
    done: (line) => {
      stop()
      io.err.write(`${line}\n`)
    },
    stop,
  }
}
