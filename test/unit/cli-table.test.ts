import assert from 'node:assert/strict'
import {test} from 'node:test'
import {cellText, EMPTY_CELL, renderTable} from '../../src/cli/table'

interface Row {
  name: string
  tasks: number
  host?: string
  active: boolean
}

const columns = [
  {header: 'name', value: (r: Row) => r.name},
  {header: 'host', value: (r: Row) => r.host},
  {header: 'active', value: (r: Row) => r.active},
  {header: 'tasks', value: (r: Row) => r.tasks, align: 'right' as const},
]

test('borderless, UPPERCASE headers, two spaces between columns, numbers right-aligned', () => {
  const out = renderTable(columns, [
    {name: 'marathon', host: 'mesos.vm', active: true, tasks: 12},
    {name: 'kafka', active: false, tasks: 3},
  ])
  assert.equal(
    out,
    ['NAME      HOST      ACTIVE  TASKS', 'marathon  mesos.vm  True       12', 'kafka     ---       False       3', ''].join('\n'),
  )
})

test('no line carries trailing whitespace, even when the last column is empty or short', () => {
  const out = renderTable([{header: 'id', value: (r: {id: string; note?: string}) => r.id}, {header: 'note', value: (r) => r.note}], [
    {id: 'a-long-identifier', note: 'x'},
    {id: 'b', note: 'a much longer note'},
  ])
  for (const line of out.split('\n')) assert.equal(line, line.trimEnd())
})

test('an empty list still prints the header', () => {
  assert.equal(renderTable(columns, []), 'NAME  HOST  ACTIVE  TASKS\n')
})

test('empty cells are ---; booleans True/False; multi-line cells take several lines', () => {
  assert.equal(cellText(undefined), EMPTY_CELL)
  assert.equal(cellText(null), EMPTY_CELL)
  assert.equal(cellText(''), EMPTY_CELL)
  assert.equal(cellText(0), '0')
  assert.equal(cellText(false), 'False')
  const out = renderTable([{header: 'name', value: (r: {n: string; apps: string}) => r.n}, {header: 'app', value: (r) => r.apps}], [
    {n: 'pkg', apps: '/a\n/b'},
  ])
  assert.equal(out, ['NAME  APP', 'pkg   /a', '      /b', ''].join('\n'))
})

test("center pads as prettytable does: an odd excess goes right of odd-length text, left of even-length text", () => {
  const out = renderTable(
    [
      {header: 'id', value: (r: {id: string; n: string; w: string}) => r.id},
      {header: 'tasks', value: (r) => r.n, align: 'center' as const},
      {header: 'health', value: (r) => r.w, align: 'center' as const},
      {header: 'x', value: () => 'end'},
    ],
    [{id: '/a', n: '1/1', w: 'True'}],
  )
  // TASKS (5): '1/1' gets 1+1; HEALTH (6): 'True' (even) gets 1+1, 'HEALTH' fits; X (3).
  assert.equal(out, ['ID  TASKS  HEALTH  X', '/a   1/1    True   end', ''].join('\n'))
  const odd = renderTable([{header: 'deployment', value: (r: {d: string}) => r.d, align: 'center' as const}, {header: 'z', value: () => 'z'}], [
    {d: '---'},
    {d: 'scale'},
    {d: 'stop'},
  ])
  // width 10: '---' (odd, excess 7) 3 left 4 right; 'scale' (odd, excess 5) 2+3; 'stop' (even, excess 6) 3+3.
  assert.equal(odd, ['DEPLOYMENT  Z', '   ---      z', '  scale     z', '   stop     z', ''].join('\n'))
})
