/**
 * `dcos marathon debug list|summary|details` against Marathon's real /v2/queue example
 * (fixtures marathon-real/examples/queue.json), with the tables of the Python CLI's tables.py
 * (queued_apps_table, queued_app_table, queued_app_details_table).
 */
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import DebugDetails from '../../commands/marathon/debug/details'
import DebugList from '../../commands/marathon/debug/list'
import DebugSummary from '../../commands/marathon/debug/summary'
import {runCommand} from './harness'
import {JSON_HEADERS, M, marathon, marathonContract, realFile} from './marathon-setup'

const ctx = marathonContract()
const env = () => ctx.env()

describe('dcos marathon debug (real /v2/queue)', () => {
  test('list', async () => {
    marathon().get(`${M}/v2/queue`).replyWithFile(200, realFile('examples/queue.json'), JSON_HEADERS)
    const run = await runCommand(DebugList, [], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(
      run.stdout,
      [
        'ID                    SINCE                     INSTANCES TO LAUNCH  WAITING  PROCESSED OFFERS  UNUSED OFFERS  LAST UNUSED OFFER         LAST USED OFFER',
        '/foo                  2016-02-28T16:41:41.090Z  2                    True     123               123            2016-02-28T16:41:41.090Z  2016-02-28T16:41:41.090Z',
        '/tools/datadog-agent  2016-02-28T16:41:41.090Z  1                    True     123               0              ---                       ---',
        '',
      ].join('\n'),
    )
  })
  test('summary', async () => {
    marathon().get(`${M}/v2/queue`).replyWithFile(200, realFile('examples/queue.json'), JSON_HEADERS)
    const run = await runCommand(DebugSummary, ['foo'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    // MATCHED is processed − declined of processed, per reason of rejectSummaryLastOffers.
    assert.equal(
      run.stdout,
      [
        'RESOURCE     REQUESTED                MATCHED    PERCENTAGE',
        'ROLE         [*]                      123 / 123  100.00%',
        'CONSTRAINTS  [["hostname","UNIQUE"]]  123 / 123  100.00%',
        'CPUS         0.5                      48 / 123   39.02%',
        'MEM          128                      33 / 48    68.75%',
        'DISK         0                        23 / 33    69.70%',
        'PORTS        [10010]                  0 / 0      ---',
        '',
      ].join('\n'),
    )
  })
  test('details', async () => {
    marathon().get(`${M}/v2/queue?embed=lastUnusedOffers`).replyWithFile(200, realFile('examples/queue.json'), JSON_HEADERS)
    const run = await runCommand(DebugDetails, ['/foo'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(
      run.stdout,
      [
        'HOSTNAME  ROLE  CONSTRAINTS  CPUS  MEM  DISK  PORTS  RECEIVED',
        '1.2.3.4   ok    ok           ok    -    ok    ok     2016-02-28T16:41:41.090Z',
        '',
      ].join('\n'),
    )
  })

  test('an app that does not wait: a clear error', async () => {
    marathon().get(`${M}/v2/queue`).replyWithFile(200, realFile('examples/queue.json'), JSON_HEADERS)
    const run = await runCommand(DebugSummary, ['/web'], {env: env()})
    assert.equal(run.exit, 1)
    assert.match(run.stderr, /app or pod '\/web' is not in Marathon's launch queue/)
  })
})
