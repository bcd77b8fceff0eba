/**
 * Chronos's placement constraints, pure: `[attribute, operator, value]` triples checked against an
 * offer's agent attributes, as Chronos's ConstraintChecker and its Equals/Like/UnlikeConstraint do:
 *
 * - `hostname` is the offer's hostname unless the agent has an attribute of that name;
 * - EQUALS: some attribute of that name has this text value (a SCALAR/SET/RANGES attribute has
 *   no text, so it only equals '');
 * - LIKE / UNLIKE: the first attribute of that name (fully) matches / does not match the regular
 *   expression: a TEXT value, a SCALAR printed as Java does (`3.0`), any item of a SET; RANGES
 *   never match, and neither does an attribute the agent does not have (also for UNLIKE).
 *
 * Chronos ignores an unknown operator; here a job with one is refused (a dropped constraint would
 * launch the job anywhere), as is a LIKE/UNLIKE value that is not a regular expression.
 */
import {JobError} from './job'
import type {Attribute} from '../../mesos/types'

export const OPERATORS = ['EQUALS', 'LIKE', 'UNLIKE'] as const
const MAX_CONSTRAINTS = 100
const MAX_PART = 256

/** Validates a posted `constraints` list; throws a JobError naming the bad entry. */
export function parseConstraints(v: unknown): string[][] {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v) || v.length > MAX_CONSTRAINTS) throw new JobError(`constraints must be a list of at most ${MAX_CONSTRAINTS} [attribute, operator, value] triples`)
  return v.map((c, i) => {
    if (!Array.isArray(c) || c.length !== 3 || !c.every((s) => typeof s === 'string' && s.length <= MAX_PART))
      throw new JobError(`constraints[${i}] must be [attribute, "EQUALS"|"LIKE"|"UNLIKE", value] (strings of at most ${MAX_PART} characters)`)
    const [attribute, operator, value] = c as string[]
    if (attribute === '') throw new JobError(`constraints[${i}]: the attribute name must not be empty`)
    if (!(OPERATORS as readonly string[]).includes(operator)) throw new JobError(`constraints[${i}]: operator '${operator}' must be EQUALS, LIKE or UNLIKE`)
    if (operator !== 'EQUALS') {
      try {
        fullMatch(value)
      } catch (error) {
        throw new JobError(`constraints[${i}]: '${value}' is not a valid regular expression for ${operator}: ${(error as Error).message}`)
      }
    }
    return [attribute, operator, value]
  })
}

/** Java's `Pattern.matcher(s).matches()`: the whole string. A leading `(?i)` becomes the i flag. */
function fullMatch(pattern: string): RegExp {
  const ci = pattern.startsWith('(?i)')
  return new RegExp(`^(?:${ci ? pattern.slice(4) : pattern})$`, ci ? 'i' : '')
}

/** Java's Double.toString for the values attributes hold: `3` → `3.0`. */
function javaDouble(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e7 ? `${n}.0` : String(n)
}

/** The offer facts constraints look at. */
export interface Placement {
  hostname: string
  attributes: Attribute[]
}

/** Whether an offer satisfies all of a job's constraints (an empty list: any offer). */
export function satisfiesConstraints(offer: Placement, constraints: readonly string[][]): boolean {
  if (constraints.length === 0) return true
  const attributes = offer.attributes.some((a) => a.name === 'hostname') ? offer.attributes : [...offer.attributes, {name: 'hostname', type: 'TEXT' as const, text: {value: offer.hostname}}]
  return constraints.every((c) => matches(attributes, c))
}

function matches(attributes: Attribute[], [name, operator, value]: readonly string[]): boolean {
  if (operator === 'EQUALS') return attributes.some((a) => a.name === name && (a.type === 'TEXT' ? (a.text?.value ?? '') : '') === value)
  const a = attributes.find((x) => x.name === name)
  if (!a) return false
  let re: RegExp
  try {
    re = fullMatch(value)
  } catch {
    return false
  }
  let like: boolean
  if (a.type === 'TEXT') like = re.test(a.text?.value ?? '')
  else if (a.type === 'SCALAR') like = re.test(javaDouble(a.scalar?.value ?? 0))
  else if (a.type === 'SET') like = (a.set?.item ?? []).some((i) => re.test(i))
  else return false
  return operator === 'LIKE' ? like : !like
}
