import assert from 'node:assert/strict'
import {spawn, spawnSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, before, describe, test} from 'node:test'
import {UsageError, parseDuration, parseFlags, parseMaster, usage} from '../../src/frameworks/mesos-execute/flags'
import {pickResources} from '../../src/frameworks/mesos-execute/offer'
import {parseResources} from '../../src/mesos/resources'
import type {Call, Offer, Resource, TaskStatus} from '../../src/mesos/types'
import {StandInMaster} from './driver-stand-in-master'

const root = path.resolve(__dirname, '..', '..')
const cleanups: (() => unknown)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('mesos-execute flags', () => {
  test('defaults follow the real tool', () => {
    const parsed = parseFlags(['--master=127.0.0.1:5050', '--name=t', '--command=true'], {})
    assert.ok(!parsed.help)
    assert.deepEqual(parsed.flags, {
      masterUrl: 'http://127.0.0.1:5050',
      name: 't',
      command: 'true',
      shell: true,
      resources: parseResources('cpus:0.1;mem:32'),
      frameworkName: 'mesos-execute instance',
      role: '*',
      checkpoint: false,
    })
  })

  test('every flag, stout syntax', () => {
    const parsed = parseFlags(
      [
        '--name=t',
        '--command=ls -l',
        '--no-shell',
        '--env={"A":"1","B":"x y"}',
        '--resources=cpus:1;mem:128;ports:[31000-31001]',
        '--framework_name=fw',
        '--role=web',
        '--checkpoint',
        '--kill_after=1.5secs',
        '--principal=ops',
      ],
      {MESOS_MASTER: 'http://gw:8080/mesos/'},
    )
    assert.ok(!parsed.help)
    const f = parsed.flags
    assert.equal(f.masterUrl, 'http://gw:8080/mesos')
    assert.equal(f.shell, false)
    assert.deepEqual(f.env, {A: '1', B: 'x y'})
    assert.equal(f.killAfterMs, 1500)
    assert.equal(f.checkpoint, true)
    assert.equal(f.role, 'web')
    assert.equal(f.principal, 'ops')
    assert.equal(f.frameworkName, 'fw')
    assert.equal(f.resources.length, 3)
  })

  test('--env reads a file:// path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesos-execute-'))
    cleanups.push(() => fs.rmSync(dir, {recursive: true, force: true}))
    fs.writeFileSync(path.join(dir, 'env.json'), '{"K":"V"}')
    const parsed = parseFlags(['--master=m:1', '--name=t', '--command=c', `--env=file://${dir}/env.json`], {})
    assert.ok(!parsed.help)
    assert.deepEqual(parsed.flags.env, {K: 'V'})
  })

  test('--help wins over missing options', () => {
    assert.deepEqual(parseFlags(['--help'], {}), {help: true})
    assert.match(usage(), /^Usage: mesos-execute \[options\]/)
    assert.match(usage(), /--resources=VALUE +Resources for the command\. \(default: cpus:0\.1;mem:32\)/)
    assert.match(usage(), /--\[no-\]shell/)
  })

  const bad: [string[], RegExp][] = [
    [['--bogus=1'], /^Failed to load unknown flag 'bogus'$/],
    [['name=t'], /^Unexpected argument 'name=t'/],
    [['--name'], /^Failed to load non-boolean flag 'name': missing value/],
    [['--name=a', '--name=b'], /^Duplicate flag 'name'/],
    [['--shell=maybe', '--master=m:1', '--name=t', '--command=c'], /^Failed to load flag 'shell': expected true or false/],
    [['--no-shell=1'], /^Failed to load boolean flag 'shell' via 'no-shell'/],
    [['--name=t', '--command=c'], /^Missing required option --master/],
    [['--master=m:1', '--command=c'], /^Missing required option --name$/],
    [['--master=m:1', '--name=t'], /^Missing required option --command$/],
    [['--master=zk://z:2181/mesos', '--name=t', '--command=c'], /^Could not parse --master=zk:\/\/z:2181\/mesos/],
    [['--master=m:1', '--name=t', '--command=c', '--resources=cpus:x'], /^Failed to load flag 'resources': invalid value 'x' for resource 'cpus'/],
    [['--master=m:1', '--name=t', '--command=c', '--resources='], /^Failed to load flag 'resources': no resources/],
    [['--master=m:1', '--name=t', '--command=c', '--env=[1]'], /^Failed to load flag 'env': not a JSON object/],
    [['--master=m:1', '--name=t', '--command=c', '--env={"A":1}'], /^Failed to load flag 'env': the value of 'A' is not a string/],
    [['--master=m:1', '--name=t', '--command=c', '--kill_after=10'], /^Failed to load flag 'kill_after': invalid duration '10'/],
  ]
  for (const [argv, message] of bad) {
    test(`rejects ${argv.join(' ')}`, () => {
      assert.throws(() => parseFlags(argv, {}), (e: Error) => e instanceof UsageError && message.test(e.message))
    })
  }

  test('durations and master forms', () => {
    assert.equal(parseDuration('f', '10secs'), 10_000)
    assert.equal(parseDuration('f', '2mins'), 120_000)
    assert.equal(parseDuration('f', '250ms'), 250)
    assert.equal(parseDuration('f', '1hrs'), 3_600_000)
    assert.equal(parseMaster('10.0.0.1:5050'), 'http://10.0.0.1:5050')
    assert.equal(parseMaster('master.mesos:5050'), 'http://master.mesos:5050')
    assert.equal(parseMaster('http://127.0.0.1:80/mesos'), 'http://127.0.0.1/mesos')
  })
})

describe('mesos-execute offer fitting', () => {
  const scalar = (name: string, value: number, role?: string): Resource => ({
    name,
    type: 'SCALAR',
    scalar: {value},
    allocation_info: {role: role ?? '*'},
    ...(role && {reservations: [{type: 'STATIC' as const, role}]}),
  })

  test('takes from the role’s reservation first, then unreserved, keeping identities', () => {
    const offered = [scalar('cpus', 0.5, 'web'), scalar('cpus', 4), scalar('mem', 1024)]
    const picked = pickResources(offered, parseResources('cpus:1;mem:32'), 'web')
    assert.deepEqual(picked, [scalar('cpus', 0.5, 'web'), {...scalar('cpus', 0.5), allocation_info: {role: '*'}}, scalar('mem', 32)])
  })

  test('never takes other roles’ reservations, persistent volumes or revocable resources', () => {
    const volume: Resource = {name: 'disk', type: 'SCALAR', scalar: {value: 100}, disk: {persistence: {id: 'v1'}, volume: {container_path: 'data', mode: 'RW'}}}
    const revocable: Resource = {...scalar('cpus', 8), revocable: {}}
    const offered = [scalar('cpus', 4, 'other'), revocable, volume, scalar('mem', 64)]
    assert.equal(pickResources(offered, parseResources('cpus:0.1'), '*'), undefined)
    assert.equal(pickResources(offered, parseResources('disk:10'), '*'), undefined)
    assert.deepEqual(pickResources(offered, parseResources('mem:64'), '*'), [scalar('mem', 64)])
  })

  test('ranges and sets are carved out of what is offered', () => {
    const offered: Resource[] = [
      {name: 'ports', type: 'RANGES', ranges: {range: [{begin: 31000, end: 31010}]}},
      {name: 'zones', type: 'SET', set: {item: ['a', 'b']}},
    ]
    assert.deepEqual(pickResources(offered, parseResources('ports:[31002-31003];zones:{b}'), '*'), [
      {name: 'ports', type: 'RANGES', ranges: {range: [{begin: 31002, end: 31003}]}},
      {name: 'zones', type: 'SET', set: {item: ['b']}},
    ])
    assert.equal(pickResources(offered, parseResources('ports:[30000-31000]'), '*'), undefined)
    assert.equal(pickResources(offered, parseResources('zones:{c}'), '*'), undefined)
  })

  test('fractional scalars add up without float noise', () => {
    const offered = [scalar('cpus', 0.1, 'r'), scalar('cpus', 0.2)]
    assert.deepEqual(pickResources(offered, parseResources('cpus:0.3'), 'r'), [scalar('cpus', 0.1, 'r'), scalar('cpus', 0.2)])
    assert.equal(pickResources(offered, parseResources('cpus:0.31'), 'r'), undefined)
  })
})

/**
 * A stand-in master with a scripted agent: two offers on subscription (one too small), and a
 * launched command that reports STARTING, RUNNING, then FINISHED for `true`, FAILED for
 * anything else, or keeps running for a `sleep`; KILL answers TASK_KILLED.
 */
async function cluster(prefix = ''): Promise<StandInMaster> {
  const update = (m: StandInMaster, taskId: string, state: TaskStatus['state'], extra: Partial<TaskStatus> = {}) =>
    setImmediate(() => {
      if (!m.connected) return
      const uuid = Buffer.from(`${taskId}-${state}`).toString('base64')
      m.send({type: 'UPDATE', update: {status: {task_id: {value: taskId}, state, agent_id: {value: 'A1'}, source: 'SOURCE_EXECUTOR', uuid, ...extra}}})
    })
  const master = await StandInMaster.start({
    prefix,
    onSubscribe: (frameworkId, m) => {
      const offer = (n: number, agent: string, cpus: number): Offer => ({
        id: {value: `O${n}`},
        framework_id: {value: frameworkId},
        agent_id: {value: agent},
        hostname: agent,
        resources: [
          {name: 'cpus', type: 'SCALAR', scalar: {value: cpus}, allocation_info: {role: '*'}},
          {name: 'mem', type: 'SCALAR', scalar: {value: 1024}, allocation_info: {role: '*'}},
        ],
        attributes: [],
        executor_ids: [],
      })
      m.send({type: 'OFFERS', offers: {offers: [offer(0, 'A0', 0.05), offer(1, 'A1', 2)]}})
    },
    onCall: (call: Call, m) => {
      if (call.type === 'ACCEPT') {
        const task = call.accept!.operations[0].launch!.task_infos[0]
        const id = task.task_id.value
        update(m, id, 'TASK_STARTING')
        update(m, id, 'TASK_RUNNING')
        if (task.command?.value?.startsWith('sleep')) return
        if (task.command?.value === 'true') update(m, id, 'TASK_FINISHED', {message: 'Command exited with status 0'})
        else update(m, id, 'TASK_FAILED', {message: 'Command exited with status 3', reason: 'REASON_COMMAND_EXECUTOR_FAILED'})
      }
      if (call.type === 'KILL') update(m, call.kill!.task_id.value, 'TASK_KILLED', {message: 'Command terminated with signal Terminated'})
    },
  })
  cleanups.push(() => master.close())
  return master
}

interface Run {
  code: number | null
  stdout: string
  stderr: string
  ms: number
}

/** Runs the tool from source (no build needed) as a user would, optionally acting on its output. */
function execute(args: string[], opts: {env?: NodeJS.ProcessEnv; onOutput?: (stdout: string, pid: number) => void} = {}): Promise<Run> {
  const started = Date.now()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/frameworks/mesos-execute/main.ts', ...args], {
    cwd: root,
    env: {...process.env, MESOS_MASTER: '', ...opts.env},
  })
  cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'))
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d
    opts.onOutput?.(stdout, child.pid!)
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d))
  return new Promise((resolve) => child.on('close', (code) => resolve({code, stdout, stderr, ms: Date.now() - started})))
}

describe('mesos-execute against a master', () => {
  test('launches the task, prints its updates, acknowledges them and tears down (exit 0)', async () => {
    const m = await cluster('/mesos')
    const run = await execute(['--name=hello', '--command=true', '--env={"K":"V"}'], {env: {MESOS_MASTER: m.url}})
    assert.equal(run.stderr, '')
    const fid = `${m.masterId}-0000`
    assert.equal(
      run.stdout,
      [
        `Subscribed with ID ${fid}`,
        "Submitted task 'hello' to agent 'A1'",
        "Received status update TASK_STARTING for task 'hello'",
        '  source: SOURCE_EXECUTOR',
        "Received status update TASK_RUNNING for task 'hello'",
        '  source: SOURCE_EXECUTOR',
        "Received status update TASK_FINISHED for task 'hello'",
        "  message: 'Command exited with status 0'",
        '  source: SOURCE_EXECUTOR',
        '',
      ].join('\n'),
    )
    assert.equal(run.code, 0)

    assert.deepEqual(m.subscribes[0].call.subscribe?.framework_info, {
      user: os.userInfo().username,
      name: 'mesos-execute instance',
      hostname: os.hostname(),
      role: '*',
      checkpoint: false,
      capabilities: [{type: 'TASK_KILLING_STATE'}],
    })
    assert.deepEqual(m.callsOf('DECLINE')[0].decline, {offer_ids: [{value: 'O0'}], filters: {refuse_seconds: 1}})
    assert.deepEqual(m.callsOf('ACCEPT')[0].accept, {
      offer_ids: [{value: 'O1'}],
      operations: [
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [
              {
                name: 'hello',
                task_id: {value: 'hello'},
                agent_id: {value: 'A1'},
                resources: [
                  {name: 'cpus', type: 'SCALAR', scalar: {value: 0.1}, allocation_info: {role: '*'}},
                  {name: 'mem', type: 'SCALAR', scalar: {value: 32}, allocation_info: {role: '*'}},
                ],
                command: {shell: true, value: 'true', environment: {variables: [{name: 'K', value: 'V'}]}},
              },
            ],
          },
        },
      ],
    })
    await m.waitFor('the last acknowledgement', () => m.callsOf('TEARDOWN').length === 1)
    assert.deepEqual(
      m.callsOf('ACKNOWLEDGE').map((c) => Buffer.from(c.acknowledge!.uuid, 'base64').toString()),
      ['hello-TASK_STARTING', 'hello-TASK_RUNNING', 'hello-TASK_FINISHED'],
    )
    assert.equal(m.calls.at(-1)?.call.type, 'TEARDOWN')
  })

  test('a failed task prints its reason and exits 1', async () => {
    const m = await cluster()
    const run = await execute([`--master=127.0.0.1:${m.port}`, '--name=bad', '--command=exit 3'])
    assert.equal(run.code, 1)
    assert.match(run.stdout, /Received status update TASK_FAILED for task 'bad'\n  message: 'Command exited with status 3'\n  source: SOURCE_EXECUTOR\n  reason: REASON_COMMAND_EXECUTOR_FAILED\n$/)
    assert.equal(m.callsOf('TEARDOWN').length, 1)
  })

  test('--kill_after kills the running task', async () => {
    const m = await cluster()
    const run = await execute([`--master=${m.url}`, '--name=sleeper', '--command=sleep 1000', '--kill_after=100ms'])
    assert.equal(run.code, 1)
    assert.match(run.stdout, /Asked to kill task 'sleeper' on agent 'A1'\nReceived status update TASK_KILLED for task 'sleeper'/)
    assert.deepEqual(m.callsOf('KILL')[0].kill, {task_id: {value: 'sleeper'}, agent_id: {value: 'A1'}})
    assert.equal(m.calls.at(-1)?.call.type, 'TEARDOWN')
  })

  test('Ctrl-C kills the task and tears down', async () => {
    const m = await cluster()
    let signalled = false
    const run = await execute([`--master=${m.url}`, '--name=sleeper', '--command=sleep 1000'], {
      onOutput: (stdout, pid) => {
        if (!signalled && stdout.includes('TASK_RUNNING')) {
          signalled = true
          process.kill(pid, 'SIGINT')
        }
      },
    })
    assert.equal(run.code, 1)
    assert.match(run.stdout, /Received status update TASK_KILLED/)
    assert.deepEqual(
      m.calls.map((c) => c.call.type).filter((t) => t === 'KILL' || t === 'TEARDOWN'),
      ['KILL', 'TEARDOWN'],
    )
  })

  test('an unreachable master fails within a few seconds, without a stack trace', async () => {
    const m = await StandInMaster.start()
    const port = m.port
    await m.close()
    const run = await execute([`--master=127.0.0.1:${port}`, '--name=t', '--command=true'])
    assert.equal(run.code, 1)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, `Failed to connect to master at http://127.0.0.1:${port}: connection refused (127.0.0.1:${port})\n`)
    assert.ok(run.ms < 9000, `took ${run.ms} ms`)
  })

  test('a bad flag prints one line and the usage, exit 2', async () => {
    const run = await execute(['--bogus'])
    assert.equal(run.code, 2)
    const [first, blank, third] = run.stderr.split('\n')
    assert.equal(first, "Failed to load unknown flag 'bogus'")
    assert.equal(blank, '')
    assert.equal(third, 'Usage: mesos-execute [options]')
  })
})

const bundle = path.join(root, 'dist', 'mesos-execute.js')
describe('bin/mesos-execute (the built bundle)', () => {
  before(() => assert.ok(fs.existsSync(bundle), 'dist/mesos-execute.js is not built: run node scripts/build.mjs (npm test builds first)'))
  const bin = path.join(root, 'bin', 'mesos-execute')

  test('--help prints the usage and exits 0', () => {
    const r = spawnSync(bin, ['--help'], {encoding: 'utf8'})
    assert.equal(r.status, 0)
    assert.equal(r.stdout, `${usage()}\n`)
  })

  test('a bad flag exits 2 with the error and the usage', () => {
    const r = spawnSync(bin, ['--master=127.0.0.1:5050', '--name=t', '--command=true', '--resources=cpus'], {encoding: 'utf8'})
    assert.equal(r.status, 2)
    assert.match(r.stderr, /^Failed to load flag 'resources': invalid resource 'cpus'.*\n\nUsage: mesos-execute \[options\]\n/)
    assert.doesNotMatch(r.stderr, /\bat .+:\d+:\d+/)
  })
})

describe('mesos-execute on an auth-enabled cluster', () => {
  const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.MESOS-EXECUTE-MARKER.sig'

  /** A DCOS_DIR whose attached cluster has this URL and, in its dcos.toml, this token. */
  function dcosDir(url: string, token: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesos-execute-dcos-'))
    cleanups.push(() => fs.rmSync(dir, {recursive: true, force: true}))
    const cluster = path.join(dir, 'clusters', 'c1')
    fs.mkdirSync(cluster, {recursive: true})
    fs.writeFileSync(path.join(cluster, 'dcos.toml'), `[core]\ndcos_url = "${url}"\ndcos_acs_token = "${token}"\n`, {mode: 0o600})
    fs.writeFileSync(path.join(cluster, 'attached'), '')
    return dir
  }

  const authorizations = (m: StandInMaster) => [...m.subscribes, ...m.calls].map((c) => c.headers.authorization)

  test('DCOS_ACS_TOKEN goes on every call as Authorization: token=<jwt>, and in no output', async () => {
    const m = await cluster('/mesos')
    const run = await execute(['--name=hello', '--command=true'], {env: {MESOS_MASTER: m.url, DCOS_ACS_TOKEN: TOKEN, DCOS_DIR: '/nonexistent'}})
    assert.equal(run.code, 0, run.stderr)
    await m.waitFor('the teardown', () => m.callsOf('TEARDOWN').length === 1)
    const seen = authorizations(m)
    assert.ok(seen.length >= 4)
    assert.deepEqual(new Set(seen), new Set([`token=${TOKEN}`]))
    assert.ok(!(run.stdout + run.stderr).includes(TOKEN))
  })

  test("the attached cluster's stored token is sent to that cluster's URL", async () => {
    const m = await cluster('/mesos')
    const dir = dcosDir(new URL(m.url).origin, TOKEN)
    const run = await execute([`--master=127.0.0.1:${m.port}/mesos`, '--name=hello', '--command=true'], {env: {DCOS_DIR: dir, DCOS_ACS_TOKEN: ''}})
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(new Set(authorizations(m)), new Set([`token=${TOKEN}`]))
  })

  test('the stored token is never sent to a master elsewhere', async () => {
    const m = await cluster()
    const dir = dcosDir('http://127.0.0.1:1', TOKEN)
    const run = await execute([`--master=${m.url}`, '--name=hello', '--command=true'], {env: {DCOS_DIR: dir, DCOS_ACS_TOKEN: ''}})
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(new Set(authorizations(m)), new Set([undefined]))
  })

  test('a 401 fails in one line saying how to get a token', async () => {
    const m = await StandInMaster.start({refuseSubscribe: {status: 401, message: 'Unauthorized'}})
    cleanups.push(() => m.close())
    const run = await execute([`--master=${m.url}`, '--name=t', '--command=true'], {env: {DCOS_DIR: '/nonexistent', DCOS_ACS_TOKEN: ''}})
    assert.equal(run.code, 1)
    assert.equal(
      run.stderr,
      `Failed to subscribe with master at ${m.url}: SUBSCRIBE was refused (401 Unauthorized): Unauthorized (set DCOS_ACS_TOKEN, or run 'dcos auth login' for the attached cluster)\n`,
    )
  })
})
