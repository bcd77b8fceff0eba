/**
 * The pure parts of `dcos package`: table cells (CORE's truncation rules), the merge of Cosmos's
 * installs with the installed package CLIs, Cosmos's schema errors as option paths, describe's
 * older response versions; and the package-CLI store: what an artifact may contain, where it
 * lands, and what may ever be run.
 */
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, before, beforeEach, describe, test} from 'node:test'
import {zipSync} from 'fflate'
import {describedPackage, fromCosmosBody, optionPath, schemaErrorLines} from '../../src/clients/packages'
import type {CliBinary, InstalledPackage} from '../../src/clients/package-types'
import {findPluginCommand, installPlugin, listPlugins, removePlugin, runPluginCommand, selectBinary} from '../../src/cli/subcommands'
import {filterInstalled, installedEntries, installedTable, listDescription, searchDescription, versionsNewestFirst} from '../../src/cli/views/packages'

describe('package views', () => {
  test('search: 80 characters or more become 76 + ...; list: the first line, then 66 + ... past 70', () => {
    assert.equal(searchDescription('x'.repeat(79)), 'x'.repeat(79))
    assert.equal(searchDescription('x'.repeat(80)), 'x'.repeat(76) + '...')
    assert.equal(listDescription('one\ntwo'), 'one...')
    assert.equal(listDescription('y'.repeat(70)), 'y'.repeat(70))
    assert.equal(listDescription('y'.repeat(71)), 'y'.repeat(66) + '...')
  })

  test('installs group by name and version; a CLI-only package gets no app; the filter matches names and apps', () => {
    const def = (name: string, version: string) => ({packagingVersion: '4.0', name, version, description: name, tags: []})
    const installs: InstalledPackage[] = [
      {appId: '/b', packageInformation: {packageDefinition: def('hello', '1.1.0')}},
      {appId: '/a', packageInformation: {packageDefinition: def('hello', '1.1.0')}},
      {appId: '/old', packageInformation: {packageDefinition: def('hello', '1.0.0')}},
    ]
    const plugin = (name: string) => ({name, dir: '', commands: [{name, path: '', plugin: name, envDir: ''}], package: def(name, '2.0.0')})
    const entries = installedEntries(installs, [plugin('hello'), plugin('tool')])
    assert.deepEqual(
      entries.map((e) => [e.name, e.version, e.apps, e.command?.name]),
      [
        ['hello', '1.0.0', ['/old'], 'hello'],
        ['hello', '1.1.0', ['/a', '/b'], 'hello'],
        ['tool', '2.0.0', [], 'tool'],
      ],
    )
    assert.deepEqual(filterInstalled(entries, undefined, 'a').map((e) => e.apps), [['/a']])
    assert.deepEqual(filterInstalled(entries, 'too').map((e) => e.name), ['tool'])
    assert.ok(installedTable(entries).endsWith('\ntool   2.0.0    false      ---   tool     tool\n'))
  })

  test('versions newest first by releaseVersion, not by text', () => {
    assert.deepEqual(versionsNewestFirst({'1.9.0': '9', '1.10.0': '10', '0.1.0': 0}), ['1.10.0', '1.9.0', '0.1.0'])
  })
})

describe('Cosmos errors and responses', () => {
  test('schema errors: fge and ajv shapes as `path: what`, warnings skipped', () => {
    assert.deepEqual(
      schemaErrorLines([
        {level: 'error', keyword: 'type', instance: {pointer: '/hello/port'}, found: 'string', expected: ['integer', 'number']},
        {level: 'error', keyword: 'required', instance: {pointer: ''}, missing: ['service']},
        {level: 'warning', keyword: 'format', instance: {pointer: '/x'}, message: 'ignored'},
        {keyword: 'type', instancePath: '/a~1b', params: {type: 'boolean'}},
        {level: 'error', keyword: 'minimum', instance: {pointer: '/service/mem'}, message: 'numeric instance is lower than the required minimum (minimum: 32, found: 1)'},
      ]),
      [
        '  hello.port: expected integer or number, found string',
        '  (root): required parameter missing: service',
        '  a/b: expected boolean',
        '  service.mem: numeric instance is lower than the required minimum (minimum: 32, found: 1)',
      ],
    )
    assert.equal(optionPath(''), '(root)')
    assert.deepEqual(schemaErrorLines(undefined), [])
  })

  test('an unknown error type keeps its message; 404s are NOT_FOUND', () => {
    const e = fromCosmosBody({type: 'MarathonBadGateway', message: 'Received response status code 502 from Marathon'}, 502)
    assert.equal(e.message, 'Received response status code 502 from Marathon')
    assert.equal(e.status, 502)
    assert.equal(fromCosmosBody({type: 'X', message: 'gone'}, 404).code, 'NOT_FOUND')
  })

  test('describe v2 (the flat definition) and v1 (package + marathonMustache) read as v3', () => {
    const flat = {packagingVersion: '3.0', name: 'a', version: '1', description: 'd'}
    assert.deepEqual(describedPackage(flat), flat)
    const v1 = describedPackage({package: {packagingVersion: '2.0', name: 'a', version: '1', description: 'd'}, marathonMustache: '{"id":"a"}', config: {type: 'object'}})
    assert.equal(Buffer.from(v1.marathon!.v2AppMustacheTemplate, 'base64').toString(), '{"id":"a"}')
    assert.deepEqual(v1.config, {type: 'object'})
  })
})

describe('package CLI store', () => {
  let dir: string
  const pkg = {packagingVersion: '4.0', name: 'hello', version: '1.0.0', description: 'd'}
  const binary = (bytes: Buffer, kind = 'zip'): CliBinary => ({kind, url: 'http://x/a', contentHash: [{algo: 'sha256', value: createHash('sha256').update(bytes).digest('hex')}]})
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-subcommands-'))
  })
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  test('the platform picks linux/darwin/windows x86-64', () => {
    const b = {kind: 'zip', url: 'u', contentHash: []}
    const cli = {binaries: {linux: {'x86-64': b}}}
    assert.equal(selectBinary(cli, 'linux'), b)
    assert.equal(selectBinary(cli, 'darwin'), undefined)
    assert.equal(selectBinary(undefined, 'linux'), undefined)
  })

  for (const entry of ['../evil.cjs', '/etc/evil', 'bin/../../evil', 'bin\\..\\evil']) {
    test(`a zip entry '${entry}' is refused and nothing is left behind`, async () => {
      const zip = Buffer.from(zipSync({'plugin.toml': Buffer.from('schema_version = 1\n'), [entry]: Buffer.from('x')}))
      await assert.rejects(installPlugin(dir, pkg, binary(zip), zip), /unsafe entry/)
      assert.deepEqual(fs.readdirSync(path.join(dir, 'subcommands')), [])
      assert.equal(fs.existsSync(path.join(path.dirname(dir), 'evil.cjs')), false)
    })
  }

  test('a hash that does not match, or none at all, installs nothing', async () => {
    const zip = Buffer.from(zipSync({'bin/dcos-hello': Buffer.from('x')}))
    await assert.rejects(installPlugin(dir, pkg, {...binary(zip), contentHash: [{algo: 'sha256', value: '0'.repeat(64)}]}, zip), /does not match/)
    await assert.rejects(installPlugin(dir, pkg, {...binary(zip), contentHash: [{algo: 'md5', value: 'x'}]}, zip), /no sha256/)
    assert.equal(fs.existsSync(path.join(dir, 'subcommands')), false)
  })

  test('an executable is saved as env/bin/dcos-<pkg>; without plugin.toml its commands come from bin/dcos-*', async () => {
    const bytes = Buffer.from('#!/bin/sh\necho "args: $*"\n')
    const plugin = await installPlugin(dir, pkg, binary(bytes, 'executable'), bytes)
    assert.deepEqual(plugin.commands.map((c) => c.name), ['hello'])
    assert.equal(findPluginCommand(dir, 'hello')?.path, path.join(dir, 'subcommands', 'hello', 'env', 'bin', 'dcos-hello'))
    assert.equal(findPluginCommand(dir, '..'), undefined)
    assert.deepEqual(listPlugins(dir).map((p) => p.package?.version), ['1.0.0'])
    assert.equal(removePlugin(dir, 'hello'), true)
    assert.equal(removePlugin(dir, 'hello'), false)
    assert.equal(findPluginCommand(dir, 'hello'), undefined)
  })

  test('a command named by another plugin is found; a manifest path leaving env/ is dropped', async () => {
    const toml = [
      'schema_version = 1',
      'name = "tools"',
      '[[commands]]',
      'name = "greet"',
      'path = "bin/greet.cjs"',
      '[[commands]]',
      'name = "escape"',
      'path = "../../../escape.cjs"',
    ].join('\n')
    const zip = Buffer.from(zipSync({'plugin.toml': Buffer.from(toml), 'bin/greet.cjs': Buffer.from('process.exit(3)')}))
    await installPlugin(dir, {...pkg, name: 'tools'}, binary(zip), zip)
    const greet = findPluginCommand(dir, 'greet')
    assert.equal(greet?.plugin, 'tools')
    assert.equal(findPluginCommand(dir, 'escape'), undefined)
    assert.equal(await runPluginCommand(greet!, ['greet'], process.env), 3, "the child's exit status")
  })

  test('a program replaced by a symlink leading outside env/ is never run', async () => {
    const zip = Buffer.from(zipSync({'bin/dcos-hello.cjs': Buffer.from('process.exit(0)')}))
    await installPlugin(dir, pkg, binary(zip), zip)
    const command = findPluginCommand(dir, 'hello')!
    const outside = path.join(dir, 'outside.cjs')
    fs.writeFileSync(outside, 'require("fs").writeFileSync(process.argv[1] + ".ran", "")')
    fs.rmSync(command.path)
    fs.symlinkSync(outside, command.path)
    await assert.rejects(runPluginCommand(command, ['hello'], process.env), /refusing to run/)
    assert.equal(fs.existsSync(outside + '.ran'), false)
  })

  test('an env/ that is a symlink to another directory is never run from', async () => {
    const zip = Buffer.from(zipSync({'bin/dcos-hello.cjs': Buffer.from('process.exit(0)')}))
    await installPlugin(dir, pkg, binary(zip), zip)
    const env = path.join(dir, 'subcommands', 'hello', 'env')
    const elsewhere = path.join(dir, 'elsewhere')
    fs.renameSync(env, elsewhere)
    fs.symlinkSync(elsewhere, env)
    const command = findPluginCommand(dir, 'hello')!
    await assert.rejects(runPluginCommand(command, ['hello'], process.env), /refusing to run/)
  })
})

describe('bin/dcos and installed package commands', () => {
  before(() => assert.ok(fs.existsSync(path.join(__dirname, '..', '..', 'dist', 'cli.js')), 'dist/cli.js is not built: run node scripts/build.mjs (npm test builds first)'))
  const bin = path.join(__dirname, '..', '..', 'bin', 'dcos')
  let dcosDir: string
  let clusterDir: string
  const TOKEN = 'plugin-env-token-7f3a'
  beforeEach(async () => {
    dcosDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-plugin-bin-'))
    clusterDir = path.join(dcosDir, 'clusters', 'c0ffee')
    fs.mkdirSync(clusterDir, {recursive: true, mode: 0o700})
    fs.writeFileSync(path.join(clusterDir, 'dcos.toml'), `[core]\ndcos_url = "http://127.0.0.1:9"\ndcos_acs_token = "${TOKEN}"\n`, {mode: 0o600})
    fs.writeFileSync(path.join(clusterDir, 'attached'), '')
    const script = (name: string, body: string) => {
      const bytes = Buffer.from(body)
      return installPlugin(clusterDir, {...{packagingVersion: '4.0', version: '1.0.0', description: 'd'}, name}, {kind: 'executable', url: 'http://x/a', contentHash: [{algo: 'sha256', value: createHash('sha256').update(bytes).digest('hex')}]}, bytes)
    }
    await script('greet', '#!/bin/sh\necho "argv: $*"\necho "url: $DCOS_URL cluster: $DCOS_CLUSTER token: ${DCOS_ACS_TOKEN:+set}"\nexit 7\n')
    await script('task', `#!/bin/sh\ntouch "${dcosDir}/hijacked"\n`)
  })
  afterEach(() => fs.rmSync(dcosDir, {recursive: true, force: true}))

  const dcos = async (...args: string[]) => {
    const {spawnSync} = await import('node:child_process')
    return spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', env: {PATH: process.env.PATH, HOME: dcosDir, DCOS_DIR: dcosDir}, timeout: 30_000})
  }

  test('an unknown command runs the installed program with its words, the cluster in its environment, and its exit status', async () => {
    const r = await dcos('greet', 'a', '--b')
    assert.equal(r.status, 7, r.stderr)
    assert.equal(r.stdout, 'argv: greet a --b\nurl: http://127.0.0.1:9 cluster: c0ffee token: set\n')
  })

  test('a built-in command is never shadowed by a package command of the same name', async () => {
    const r = await dcos('task', '--help')
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /Manage DC\/OS tasks|USAGE/)
    assert.equal(fs.existsSync(path.join(dcosDir, 'hijacked')), false)
  })

  test('the root help lists the installed commands (not shadowed ones); after removal the word is no command', async () => {
    assert.match((await dcos('--help')).stdout, /PACKAGE COMMANDS \(installed for the attached cluster\)\n {2}greet\n$/)
    removePlugin(clusterDir, 'greet')
    const r = await dcos('greet')
    assert.equal(r.status, 2)
    assert.equal(r.stderr, "Error: 'greet' is not a dcos command. Run 'dcos --help' to see the available commands.\n")
  })
})

describe('package arguments', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcos-package-args-'))
  })
  afterEach(() => fs.rmSync(dir, {recursive: true, force: true}))

  test('a repository argument: URLs as given, a directory as its file:// URL ending in /, a file without one', async () => {
    const {repositoryUri} = await import('../../src/cli/package-repos')
    assert.equal(repositoryUri('https://universe.example.com/repo'), 'https://universe.example.com/repo')
    assert.equal(repositoryUri('file:///srv/universe'), 'file:///srv/universe')
    assert.equal(repositoryUri(dir), `file://${dir}/`)
    fs.writeFileSync(path.join(dir, 'index.json'), '{"packages":[]}')
    assert.equal(repositoryUri(path.join(dir, 'index.json')), `file://${dir}/index.json`)
    assert.throws(() => repositoryUri(path.join(dir, 'missing')), /is neither a URL nor an existing path/)
  })

  test('an options file: a JSON object, else an error naming the file', async () => {
    const {readOptionsFile} = await import('../../src/cli/package-install')
    const file = path.join(dir, 'o.json')
    fs.writeFileSync(file, '{"hello": {"port": 8080}}')
    assert.deepEqual(readOptionsFile(file), {hello: {port: 8080}})
    assert.throws(() => readOptionsFile(dir), new RegExp(`cannot read the options file '${dir}': it is a directory`))
    fs.writeFileSync(file, 'null')
    assert.throws(() => readOptionsFile(file), /must hold a JSON object/)
  })
})
