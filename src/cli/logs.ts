/**
 * Reading logs through the Mesos files API (/files/read), as the real CLI's MesosFile does:
 * probe the size (a read without offset), read backwards until N lines are found, then, with
 * --follow, poll from the saved offset. Offsets are bytes; each read is capped by the server
 * (64 KiB), so ranges are read in a loop.
 */
import type {FileChunk} from '../clients/mesos-types'
import {DcosError} from './errors'

/** One readable file: a task's `stdout`, the master's `/master/log`, ... */
export interface LogSource {
  /** Shown in `===> ... <===` headers when several sources are printed. */
  label: string
  size(): Promise<number>
  read(offset: number, length?: number): Promise<FileChunk>
}

/** A file of a files API (master or agent). */
export function fileSource(
  files: {size(path: string): Promise<number>; read(path: string, offset: number, length?: number): Promise<FileChunk>},
  path: string,
  label: string,
): LogSource {
  return {label, size: () => files.size(path), read: (offset, length) => files.read(path, offset, length)}
}

/** Reads [start, end) in as many requests as the server's per-read cap needs. */
export async function readRange(source: LogSource, start: number, end: number): Promise<string> {
  let text = ''
  let pos = start
  while (pos < end) {
    const chunk = await source.read(pos, end - pos)
    if (!chunk.data) break
    text += chunk.data
    pos += Buffer.byteLength(chunk.data)
  }
  return text
}

/** Reads from `offset` to the current end of the file; returns the new end offset. */
export async function readToEnd(source: LogSource, offset: number): Promise<{text: string; offset: number}> {
  let text = ''
  let pos = offset
  for (;;) {
    const chunk = await source.read(pos)
    if (!chunk.data) return {text, offset: pos}
    text += chunk.data
    pos += Buffer.byteLength(chunk.data)
  }
}

/** The last `lines` lines of `text` (a final newline does not count as an empty line). */
export function lastLines(text: string, lines: number): string {
  if (lines <= 0) return ''
  const endsWithNewline = text.endsWith('\n')
  const parts = (endsWithNewline ? text.slice(0, -1) : text).split('\n')
  const kept = parts.slice(-lines).join('\n')
  return endsWithNewline ? kept + '\n' : kept
}

/**
 * The last `lines` lines of the file and the offset to follow from. Reads backwards in windows
 * of 200 bytes per wanted line (PY), widening until enough newlines are found.
 */
export async function tail(source: LogSource, lines: number): Promise<{text: string; offset: number}> {
  const size = await source.size()
  if (lines <= 0 || size === 0) return {text: '', offset: size}
  let start = size
  let text = ''
  let window = Math.max(4096, 200 * lines)
  while (start > 0) {
    const from = Math.max(0, start - window)
    text = (await readRange(source, from, start)) + text
    start = from
    const body = text.endsWith('\n') ? text.slice(0, -1) : text
    if (countNewlines(body) >= lines) break
    window *= 2
  }
  return {text: lastLines(text, lines), offset: size}
}

function countNewlines(s: string): number {
  let n = 0
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++
  return n
}

export interface FollowOptions {
  intervalMs?: number
  signal: AbortSignal
  /** Called with each new piece of text and the source it came from. */
  write: (source: LogSource, text: string) => void
}

/**
 * Polls each source from its offset until the signal aborts. A source whose file disappears
 * (404: sandbox removed) is dropped; when none remain, following ends.
 */
export async function follow(sources: {source: LogSource; offset: number}[], options: FollowOptions): Promise<void> {
  const intervalMs = options.intervalMs ?? 250
  let live = [...sources]
  while (!options.signal.aborted && live.length > 0) {
    const next: typeof live = []
    for (const s of live) {
      if (options.signal.aborted) return
      try {
        const {text, offset} = await readToEnd(s.source, s.offset)
        if (text) options.write(s.source, text)
        next.push({source: s.source, offset})
      } catch (e) {
        if (e instanceof DcosError && e.code === 'NOT_FOUND') continue
        throw e
      }
    }
    live = next
    await sleep(intervalMs, options.signal)
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, {once: true})
  })
}

export interface PrintLogsOptions {
  lines: number
  follow: boolean
  signal?: AbortSignal
  intervalMs?: number
  /** The file as users named it, for the error when no source has it. */
  fileName: string
  /** Printed on stderr when a single source is empty (PY: `No logs for this task`). */
  emptyNotice?: string
}

/**
 * Prints the last lines of each source (with `===> label <===` headers when there are several),
 * then follows them if asked. Sources whose file does not exist are skipped; if none exists,
 * it fails with `cannot access '<file>': no such file or directory`.
 */
export async function printLogs(
  out: {write(s: string): unknown},
  err: {write(s: string): unknown},
  sources: LogSource[],
  options: PrintLogsOptions,
): Promise<void> {
  const many = sources.length > 1
  const readable: {source: LogSource; offset: number}[] = []
  for (const source of sources) {
    let result: {text: string; offset: number}
    try {
      result = await tail(source, options.lines)
    } catch (e) {
      if (e instanceof DcosError && e.code === 'NOT_FOUND') continue
      throw e
    }
    readable.push({source, offset: result.offset})
    if (many) out.write(`===> ${source.label} <===\n`)
    if (result.text) out.write(result.text)
    else if (!many && !options.follow && result.offset === 0 && options.emptyNotice) err.write(options.emptyNotice + '\n')
  }
  if (readable.length === 0) {
    throw new DcosError('NOT_FOUND', `cannot access '${options.fileName}': no such file or directory`)
  }
  if (!options.follow || !options.signal) return
  let last: LogSource | undefined = many ? readable[readable.length - 1].source : readable[0].source
  await follow(readable, {
    intervalMs: options.intervalMs,
    signal: options.signal,
    write: (source, text) => {
      if (many && source !== last) out.write(`===> ${source.label} <===\n`)
      last = source
      out.write(text)
    },
  })
}
