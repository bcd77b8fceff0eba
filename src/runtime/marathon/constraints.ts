/**
 * Placement constraints (`mesos/Constraints.scala`, `api/v2/validation/SchedulingValidation.scala`,
 * docs/constraints.md): validation of `[[field, OPERATOR, value?]]` and a pure matcher that says
 * whether one more instance may go to an agent, given where the app's other instances are.
 *
 * Fields: `hostname` / `@hostname` (the offer's hostname), `@region` / `@zone` (the agent's fault
 * domain; ours have none), otherwise an agent attribute: text as is, scalars as numbers, ranges
 * as `[a-b,c-d]`, sets as `{a,b}`. An agent without the field fails every operator but UNLIKE.
 */
import type {Attribute} from '../../mesos/types'
import type {Violations} from './errors'

export type Constraint = [string, string] | [string, string, string]

const OPERATORS = ['UNIQUE', 'CLUSTER', 'GROUP_BY', 'LIKE', 'UNLIKE', 'MAX_PER', 'IS'] as const
type Operator = (typeof OPERATORS)[number]

/** Where an instance runs, as far as constraints care. */
export interface Placement {
  hostname: string
  attributes: Attribute[]
}

/**
 * Validates and normalises constraints (operators upper-cased; an empty value, as old Marathons
 * wrote for UNIQUE, is no value). Problems go to `v` under `path(i)`.
 */
export function normalizeConstraints(input: unknown, path: string, v: Violations): Constraint[] {
  if (!Array.isArray(input)) {
    v.typeError(path, 'jsarray')
    return []
  }
  const out: Constraint[] = []
  input.forEach((raw, i) => {
    const at = `${path}(${i})`
    if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) {
      if (Array.isArray(raw)) v.typeError(at, 'jsstring')
      else v.typeError(at, 'jsarray')
      return
    }
    if (raw.length < 2 || raw.length > 3) {
      v.add(at, 'Each constraint must have either 2 or 3 fields')
      return
    }
    const [field, rawOp, rawValue] = raw as string[]
    if (field === '') {
      v.add(at, 'missing field for constraint declaration')
      return
    }
    const op = rawOp.toUpperCase()
    const value = rawValue === undefined || rawValue === '' ? undefined : rawValue
    const problem = operatorProblem(op, value)
    if (problem) {
      v.add(at, problem)
      return
    }
    out.push(value === undefined ? [field, op] : [field, op, value])
  })
  return out
}

function operatorProblem(op: string, value: string | undefined): string | undefined {
  if (!(OPERATORS as readonly string[]).includes(op))
    return 'operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS'
  switch (op as Operator) {
    case 'UNIQUE':
      return value === undefined ? undefined : 'UNIQUE does not accept a value'
    case 'CLUSTER':
      return undefined
    case 'GROUP_BY':
      return value === undefined || /^\d+$/.test(value) ? undefined : 'GROUP BY must define an integer value or else no value at all'
    case 'MAX_PER':
      return value !== undefined && /^\d+$/.test(value) ? undefined : 'MAX_PER requires an integer value'
    case 'LIKE':
    case 'UNLIKE':
      if (value === undefined) return 'LIKE and UNLIKE require a non-empty, regular expression value'
      try {
        new RegExp(`^(?:${value})$`)
        return undefined
      } catch {
        return `'${value}' is not a valid regular expression`
      }
    case 'IS':
      return value !== undefined && /^[a-zA-Z0-9_/.-]*$/.test(value) ? undefined : 'IS requires a value matching ^[a-zA-Z0-9_/.-]*$'
  }
}

/** The constraint field's value on an agent, or undefined when the agent lacks it. */
export function fieldValue(field: string, placement: Placement): string | undefined {
  if (field === 'hostname' || field === '@hostname') return placement.hostname
  if (field.startsWith('@')) return undefined
  const attribute = placement.attributes.find((a) => a.name === field)
  return attribute ? attributeText(attribute) : undefined
}

export function attributeText(a: Attribute): string {
  switch (a.type) {
    case 'SCALAR':
      return String(a.scalar?.value ?? 0)
    case 'RANGES':
      return `[${(a.ranges?.range ?? []).map((r) => `${r.begin}-${r.end}`).join(',')}]`
    case 'SET':
      return `{${(a.set?.item ?? []).join(',')}}`
    default:
      return a.text?.value ?? ''
  }
}

/**
 * Whether one more instance may run on `candidate`, where `placed` are the app's instances that
 * run (or are being launched) now. Pure.
 */
export function meetsConstraints(constraints: readonly Constraint[], candidate: Placement, placed: readonly Placement[]): boolean {
  return constraints.every((c) => meetsConstraint(c, candidate, placed))
}

export function meetsConstraint([field, op, value]: Constraint, candidate: Placement, placed: readonly Placement[]): boolean {
  const mine = fieldValue(field, candidate)
  if (mine === undefined) return op === 'UNLIKE'
  const others = () => placed.map((p) => fieldValue(field, p)).filter((x): x is string => x !== undefined)
  switch (op as Operator) {
    case 'UNIQUE':
      return !others().includes(mine)
    case 'CLUSTER': {
      if (value !== undefined) return mine === value
      const seen = others()
      return seen.length === 0 || seen[0] === mine
    }
    case 'GROUP_BY': {
      const counts = new Map<string, number>()
      for (const x of others()) counts.set(x, (counts.get(x) ?? 0) + 1)
      const mineCount = counts.get(mine) ?? 0
      if (mineCount === 0) return true
      const groups = value === undefined ? 1 : Number(value)
      const min = Math.min(...counts.values())
      return counts.size >= groups && mineCount === min
    }
    case 'LIKE':
      return new RegExp(`^(?:${value})$`).test(mine)
    case 'UNLIKE':
      return !new RegExp(`^(?:${value})$`).test(mine)
    case 'MAX_PER':
      return others().filter((x) => x === mine).length < Number(value)
    case 'IS': {
      const a = Number(mine)
      const b = Number(value)
      if (value !== undefined && value !== '' && Number.isFinite(a) && Number.isFinite(b)) return Math.round(a * 1000) === Math.round(b * 1000)
      return mine === value
    }
    default:
      return false
  }
}
