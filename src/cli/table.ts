/**
 * DC/OS-style tables (dcos-cli design/style.md, PY tables.py): no borders, UPPERCASE headers,
 * two spaces between columns, the first column the identifier, `---` for an empty cell.
 * Strings are left-aligned, numbers right-aligned. Lines carry no trailing whitespace.
 * Tables the real CLI still renders with Python's prettytable (the `marathon` task, deployment
 * and group lists) centre their other columns, header included: `center` does it the same way.
 */

export const EMPTY_CELL = '---'

export type Cell = string | number | boolean | null | undefined

export interface Column<R> {
  header: string
  value: (row: R) => Cell
  /** Defaults to left; use right for counts and sizes, center for prettytable's default. */
  align?: Align
}

export type Align = 'left' | 'right' | 'center'

const GAP = '  '

/** A cell as text: empty values become `---`, booleans True/False as the real CLI prints them. */
export function cellText(v: Cell): string {
  if (v === undefined || v === null || v === '') return EMPTY_CELL
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  return String(v)
}

/**
 * Renders rows under their headers; always prints the header line. A cell may span several
 * lines (a list of app ids): the row then takes that many lines, other columns blank below.
 */
export function renderTable<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const header = columns.map((c) => [c.header.toUpperCase()])
  const body = rows.map((r) => columns.map((c) => cellText(c.value(r)).split('\n')))
  const widths = columns.map((_, i) =>
    Math.max(header[i][0].length, ...body.map((cells) => Math.max(...cells[i].map((l) => l.length)))),
  )
  const lines: string[] = []
  for (const cells of [header, ...body]) {
    const height = Math.max(...cells.map((c) => c.length))
    for (let l = 0; l < height; l++) {
      const parts = cells.map((c, i) => pad(c[l] ?? '', widths[i], columns[i].align ?? 'left'))
      lines.push(parts.join(GAP).trimEnd())
    }
  }
  return lines.join('\n') + '\n'
}

function pad(text: string, width: number, align: Align): string {
  if (align === 'right') return text.padStart(width)
  if (align === 'left') return text.padEnd(width)
  // prettytable's _justify: an odd excess goes right of odd-length text, left of even-length text.
  const excess = width - text.length
  const half = Math.floor(excess / 2)
  const left = excess % 2 === 1 && text.length % 2 === 0 ? half + 1 : half
  return ' '.repeat(left) + text + ' '.repeat(excess - left)
}
