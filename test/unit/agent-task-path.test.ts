/** Tasks find `node` (packages run `node <artifact>.js`) whatever PATH the agent was started with. */
import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {taskPath} from '../../src/runtime/agent/executor'

describe('task PATH', () => {
  it("ends with the directory of the agent's node binary when it is missing", () => {
    assert.equal(taskPath('/usr/bin:/bin', '/opt/node/bin/node'), '/usr/bin:/bin:/opt/node/bin')
    assert.equal(taskPath(undefined, '/opt/node/bin/node'), '/usr/local/bin:/usr/bin:/bin:/opt/node/bin')
  })

  it('is left as it is when the directory is on it already', () => {
    assert.equal(taskPath('/opt/node/bin:/usr/bin', '/opt/node/bin/node'), '/opt/node/bin:/usr/bin')
  })
})
