/**
 * bin/dcos as a user runs it: exit codes, the stdout/stderr split, no stacks, --version at
 * bare-node speed. Needs the bundle (`node scripts/build.mjs`); skipped when it is not built.
 */
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'

const root = path.join(__dirname, '..', '..')
const bin = path.join(root, 'bin', 'dcos')
const built = fs.existsSync(path.join(root, 'dist', 'cli.js'))
const MARKER = 'MARKER-TOKEN-bin-4c2e'

let dcosDir: string

function dcos(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: {PATH: process.env.PATH, HOME: dcosDir, DCOS_DIR: dcosDir, ...env},
    timeout: 30_000,
  })
  return {status: r.status, stdout: r.stdout, stderr: r.stderr}
}

async function closedPort(): Promise<number> {
  const s = http.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const {port} = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return port
}

describe('bin/dcos', () => {
  before(() => {
    assert.ok(built, 'dist/cli.js is not built: run node scripts/build.mjs (npm test builds first)')
    dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-bin-'))
  })
  after(() => fs.rmSync(dcosDir, {recursive: true, force: true}))

  test('--version prints dcoscli.version=<package version>', () => {
    const {version} = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
    const r = dcos(['--version'])
    assert.equal(r.status, 0)
    assert.equal(r.stdout, `dcoscli.version=${version}\n`)
    assert.equal(r.stderr, '')
  })

  test('help for a command, exit 0', () => {
    const r = dcos(['task', 'log', '--help'])
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /USAGE\n {2}\$ dcos task log TASK \[FILE\]/)
  })

  test('no cluster attached: one line on stderr, exit 1, nothing on stdout', () => {
    const r = dcos(['node', 'list'])
    assert.equal(r.status, 1)
    assert.equal(r.stdout, '')
    assert.equal(
      r.stderr,
      "Error: no cluster is attached. Run 'dcos cluster up' to start a local cluster, or 'dcos cluster setup <url>' to use an existing one.\n",
    )
  })

  test('unreachable cluster with --json: the error object on stdout, no token, no stack', async () => {
    const port = await closedPort()
    const r = dcos(['task', 'list', '--json'], {DCOS_URL: `http://127.0.0.1:${port}`, DCOS_ACS_TOKEN: MARKER})
    assert.equal(r.status, 1)
    assert.deepEqual(JSON.parse(r.stdout), {
      error: {code: 'UNREACHABLE', message: `cannot reach http://127.0.0.1:${port} (connection refused). Is the cluster up? Try 'dcos cluster up'.`},
    })
    assert.equal(r.stderr.split('\n').length, 2)
    assert.ok(!r.stdout.includes(MARKER) && !r.stderr.includes(MARKER))
    assert.ok(!/\n\s+at /.test(r.stderr))
  })

  test('an unknown command and an unknown flag are usage errors (exit 2)', () => {
    const cmd = dcos(['frobnicate'])
    assert.equal(cmd.status, 2)
    assert.equal(cmd.stderr, "Error: 'frobnicate' is not a dcos command. Run 'dcos --help' to see the available commands.\n")
    const flag = dcos(['task', 'list', '--bogus'])
    assert.equal(flag.status, 2)
    assert.equal(flag.stderr, "Error: Nonexistent flag: --bogus. See 'dcos task list --help'.\n")
  })

  test('config set/show through the binary, on a cluster set up by hand', () => {
    const dir = path.join(dcosDir, 'clusters', 'c1')
    fs.mkdirSync(dir, {recursive: true})
    fs.writeFileSync(path.join(dir, 'dcos.toml'), '[core]\ndcos_url = "http://127.0.0.1:1"\n')
    fs.writeFileSync(path.join(dir, 'attached'), '')
    const set = dcos(['config', 'set', 'core.timeout', '7'])
    assert.equal(set.status, 0, set.stderr)
    assert.equal(set.stderr, "[core.timeout]: set to '7'\n")
    const show = dcos(['config', 'show'])
    assert.equal(show.stdout, 'core.dcos_url http://127.0.0.1:1\ncore.timeout 7\n')
  })
})
