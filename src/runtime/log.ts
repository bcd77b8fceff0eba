/**
 * Component logging: one line per event on stdout, which the supervisor sends to the
 * component's log file. Never log a token or a credential.
 */
export interface Logger {
  info(msg: string): void
  warn(msg: string): void
  error(msg: string): void
}

export function createLogger(component: string, write: (line: string) => void = (l) => process.stdout.write(l)): Logger {
  const line = (level: string, msg: string) => write(`${new Date().toISOString()} ${level} ${component}: ${msg}\n`)
  return {
    info: (m) => line('I', m),
    warn: (m) => line('W', m),
    error: (m) => line('E', m),
  }
}

export const silentLogger: Logger = {info() {}, warn() {}, error() {}}
