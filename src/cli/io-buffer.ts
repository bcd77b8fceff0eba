/**
 * An in-memory IO for tests (gh's iostreams.Test()): what a command wrote is read back with
 * stdout()/stderr(). Kept out of io.ts so the CLI never loads node:stream's public module.
 */
import {Readable} from 'node:stream'
import type {IO} from './io'

/** An in-memory IO for tests: what was written is read back with stdout()/stderr(). */
export interface BufferIO extends IO {
  stdout(): string
  stderr(): string
}

export function bufferIO(options: {isTTY?: boolean; input?: string} = {}): BufferIO {
  const out: string[] = []
  const err: string[] = []
  return {
    out: {write: (s: string) => out.push(s)},
    err: {write: (s: string) => err.push(s)},
    input: Readable.from(options.input === undefined ? [] : [options.input]),
    isTTY: options.isTTY ?? false,
    stdinIsTTY: options.isTTY ?? false,
    color: false,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  }
}
