/**
 * Where `app add`, `group add` and the update commands get a definition: a file, an http(s) URL,
 * or standard input when no location is given and stdin is not a terminal (PY ResourceReader).
 * JSON, or YAML (a superset of JSON, parsed only when JSON fails, and loaded only then).
 */
import fs from 'node:fs'
import {DcosError} from '../errors'
import type {IO} from '../io'

export interface ResourceOptions {
  /** The last line of the refusal to read a terminal, e.g. `E.g.: dcos marathon app add < app_resource.json`. */
  example: string
  /** What the terminal refusal asks for: `an application JSON`. */
  what?: string
  timeoutMs?: number
}

/** The definition at `location` (file or URL), else on stdin; always a JSON object. */
export async function readResource(location: string | undefined, io: IO, options: ResourceOptions): Promise<Record<string, unknown>> {
  if (location !== undefined) return parseDefinition(await readLocation(location, options), location)
  return parseDefinition(await readStdin(io, options), undefined)
}

/** The whole of stdin; a terminal is refused with the real CLI's words (it would wait forever). */
export async function readStdin(io: IO, options: ResourceOptions): Promise<string> {
  if (io.stdinIsTTY) {
    throw new DcosError(
      'TTY_INPUT',
      `We currently don't support reading from the TTY. Please specify ${options.what ?? 'an application JSON'}.\n${options.example}`,
    )
  }
  const chunks: Buffer[] = []
  for await (const chunk of io.input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}

async function readLocation(location: string, options: ResourceOptions): Promise<string> {
  try {
    if (fs.statSync(location, {throwIfNoEntry: false})?.isFile()) return fs.readFileSync(location, 'utf8')
    if (/^https?:\/\//i.test(location)) {
      // Someone else's server: never the cluster's token.
      const {HttpClient} = await import('../../clients/http')
      const res = await new HttpClient({baseUrl: location, timeoutMs: options.timeoutMs}).request('GET', location)
      if (res.status === 200) return res.body.toString('utf8')
    }
  } catch {
    // Unreadable or unreachable: said below, as the real CLI says it.
  }
  throw new DcosError('NOT_FOUND', `Can't read from resource: ${location}.\nPlease check that it exists.`)
}

/** JSON, else YAML; the result must be an object. A failure quotes the JSON parser (YAML's for .yaml/.yml). */
export async function parseDefinition(text: string, name: string | undefined): Promise<Record<string, unknown>> {
  if (!text.trim()) throw new DcosError('INVALID_JSON', `error loading JSON: ${name ? `${name} is empty` : 'standard input is empty'}.`)
  let jsonError: string
  try {
    return asObject(JSON.parse(text) as unknown, 'JSON')
  } catch (e) {
    if (e instanceof DcosError) throw e
    jsonError = (e as Error).message
  }
  const yamlFile = name !== undefined && /\.ya?ml$/i.test(name)
  const {parse} = await import('yaml')
  let value: unknown
  try {
    value = parse(text, {prettyErrors: false})
  } catch (e) {
    throw new DcosError('INVALID_JSON', yamlFile ? `error loading YAML: ${firstLine((e as Error).message)}` : `error loading JSON: ${jsonError}`)
  }
  // Plain text is a YAML string: only a mapping is a definition.
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DcosError('INVALID_JSON', yamlFile ? 'error loading YAML: expected a mapping (the definition object).' : `error loading JSON: ${jsonError}`)
  }
  return value as Record<string, unknown>
}

function asObject(value: unknown, format: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DcosError('INVALID_JSON', `error loading ${format}: expected an object (the definition), got ${Array.isArray(value) ? 'an array' : typeof value}.`)
  }
  return value as Record<string, unknown>
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim()
}
