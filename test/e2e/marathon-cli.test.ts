/**
 * `dcos marathon ...` as a user runs it against a local cluster's Marathon: apps added from a
 * file and from stdin, listed and shown, scaled with --wait until the tasks run, tasks listed and
 * killed with --scale, removed with --wait; deployments, ping and about.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {DCOS, Sandbox, waitFor} from './harness'

describe('dcos marathon on a running cluster', () => {
  const sb = new Sandbox()

  before(async () => {
    await sb.up(1)
  })
  after(() => sb.cleanup())

  it('answers ping and about', async () => {
    const ping = await sb.dcos('marathon', 'ping', '--once')
    assert.equal(ping.code, 0, ping.stderr + sb.logs())
    assert.equal(ping.stdout, 'Marathon ping response[1x]: "pong"\n')
    const about = await sb.dcos('marathon', 'about')
    assert.equal(about.code, 0, about.stderr)
    assert.equal(JSON.parse(about.stdout).name, 'marathon')
  })

  it('adds an app from a file and one from stdin, lists and shows them', async () => {
    const file = path.join(sb.dir, 'sleeper.json')
    fs.writeFileSync(file, JSON.stringify({id: '/sleeper', cmd: 'sleep 1000', cpus: 0.1, mem: 32, instances: 1}))
    const fromFile = await sb.dcos('marathon', 'app', 'add', file)
    assert.equal(fromFile.code, 0, fromFile.stderr)
    assert.match(fromFile.stdout, /^Created deployment \S+\n$/)

    const yaml = 'id: /napper\ncmd: sleep 1000\ncpus: 0.1\nmem: 32\ninstances: 1\n'
    const fromStdin = await sb.run(DCOS, ['marathon', 'app', 'add'], {input: yaml})
    assert.equal(fromStdin.code, 0, fromStdin.stderr)
    assert.match(fromStdin.stdout, /^Created deployment \S+\n$/)

    const again = await sb.dcos('marathon', 'app', 'add', file)
    assert.equal(again.code, 1)
    assert.equal(again.stderr, "Error: Application '/sleeper' already exists\n")

    const list = await sb.dcos('marathon', 'app', 'list')
    assert.equal(list.code, 0, list.stderr)
    const lines = list.stdout.trimEnd().split('\n')
    assert.match(lines[0], /^ID\s+MEM\s+CPUS\s+TASKS\s+HEALTH\s+DEPLOYMENT\s+WAITING\s+CONTAINER\s+CMD\s+ROLE$/)
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s+/)[0]),
      ['/napper', '/sleeper'],
    )
    assert.match(lines[2], /^\/sleeper\s+32\s+0\.1\s+\d\/1\s+---\s+\S+\s+(true|false)\s+MESOS\s+sleep 1000/)

    const show = await sb.dcos('marathon', 'app', 'show', 'sleeper')
    assert.equal(show.code, 0, show.stderr)
    const app = JSON.parse(show.stdout)
    assert.equal(app.id, '/sleeper')
    assert.equal(app.cmd, 'sleep 1000')

    const missing = await sb.dcos('marathon', 'app', 'show', 'missing-id')
    assert.equal(missing.code, 1)
    assert.equal(missing.stderr, "Error: App '/missing-id' does not exist\n")
  })

  it('scales with update instances=3 --wait: it returns when the three tasks run', async () => {
    const update = await sb.dcos('marathon', 'app', 'update', 'sleeper', 'instances=3', '--wait')
    assert.equal(update.code, 0, update.stderr + sb.logs())
    const id = /^Created deployment (\S+)\n$/.exec(update.stdout)?.[1]
    assert.ok(id, update.stdout)
    assert.equal(update.stderr, `Waiting for deployment ${id}...\nDeployment ${id} finished\n`)

    const tasks = await sb.dcos('marathon', 'task', 'list', '/sleeper')
    assert.equal(tasks.code, 0, tasks.stderr)
    const rows = tasks.stdout.trimEnd().split('\n')
    assert.match(rows[0], /^APP\s+HEALTHY\s+STARTED\s+HOST\s+ID$/)
    assert.equal(rows.length, 4, tasks.stdout)
    for (const row of rows.slice(1)) assert.match(row, /^\/sleeper\s+True\s+\d{4}-\d\d-\d\dT\S+Z\s+\S+\s+sleeper\./)
    const json = JSON.parse((await sb.dcos('marathon', 'task', 'list', '--json', 'sleeper')).stdout) as {state: string}[]
    assert.deepEqual(
      json.map((t) => t.state),
      ['TASK_RUNNING', 'TASK_RUNNING', 'TASK_RUNNING'],
    )
  })

  it('kills the tasks with --scale (a deployment) and lists the deployments', async () => {
    const kill = await sb.dcos('marathon', 'app', 'kill', '--scale', '--wait', 'sleeper')
    assert.equal(kill.code, 0, kill.stderr + sb.logs())
    const started = /^Started deployment: (\{.*\})\n$/.exec(kill.stdout)
    assert.ok(started, kill.stdout)
    const {deploymentId} = JSON.parse(started[1]) as {deploymentId: string}
    assert.equal(kill.stderr, `Waiting for deployment ${deploymentId}...\nDeployment ${deploymentId} finished\n`)
    await waitFor('the sleeper to have no task', async () => {
      const t = await sb.dcos('marathon', 'task', 'list', '--quiet', 'sleeper')
      return t.code === 0 && t.stdout === ''
    })
    const app = JSON.parse((await sb.dcos('marathon', 'app', 'show', 'sleeper')).stdout) as {instances: number}
    assert.equal(app.instances, 0)

    const none = await sb.dcos('marathon', 'deployment', 'list', 'sleeper')
    assert.equal(none.code, 1)
    assert.equal(none.stderr, "Error: There are no deployments for 'sleeper'\n")
    const json = await sb.dcos('marathon', 'deployment', 'list', '--json')
    assert.equal(json.code, 0, json.stderr)
    assert.ok(Array.isArray(JSON.parse(json.stdout)))
  })

  it('removes an app with --wait, after which it is gone', async () => {
    const remove = await sb.dcos('marathon', 'app', 'remove', '--wait', 'napper')
    assert.equal(remove.code, 0, remove.stderr + sb.logs())
    assert.equal(remove.stdout, '')
    assert.match(remove.stderr, /^Waiting for deployment (\S+)\.\.\.\nDeployment \1 finished\n$/)
    const ids = await sb.dcos('marathon', 'app', 'list', '--quiet')
    assert.equal(ids.stdout, '/sleeper\n')
    const gone = await sb.dcos('marathon', 'app', 'show', 'napper')
    assert.equal(gone.stderr, "Error: App '/napper' does not exist\n")
  })
})
