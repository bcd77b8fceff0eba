/**
 * `dcos package ...` against Cosmos's real RPC shapes (bodies validated against Cosmos's own
 * schemas before they are served; vendor media types and the token checked on every request):
 * the exact requests, the real CLI's texts and tables (PY cli/dcoscli/package/main.py, CORE
 * pkg/cmd/pkg), the --yes rule, options files, Cosmos's errors as the CLI prints them, and
 * package CLIs downloaded, verified and installed into the cluster's subcommands dir.
 */
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {describe, test} from 'node:test'
import {zipSync} from 'fflate'
import nock from 'nock'
import Describe from '../../commands/package/describe'
import Install from '../../commands/package/install'
import List from '../../commands/package/list'
import RepoAdd from '../../commands/package/repo/add'
import RepoImport from '../../commands/package/repo/import'
import RepoList from '../../commands/package/repo/list'
import RepoRemove from '../../commands/package/repo/remove'
import Search from '../../commands/package/search'
import Uninstall from '../../commands/package/uninstall'
import {runCommand} from './harness'
import {cosmos, cosmosError, DCOS, helloPackage, packageContract} from './package-setup'

const ctx = packageContract()
const env = () => ctx.env()

const SEARCH = {
  packages: [
    {
      name: 'hello',
      currentVersion: '1.1.0',
      versions: {'1.1.0': 1, '1.0.0': 0},
      description: 'A small HTTP hello service on Node: answers with a configurable message and echoes requests back at /echo.',
      framework: false,
      selected: true,
      tags: ['http', 'hello'],
    },
    {name: 'static-server', currentVersion: '1.0.0', versions: {'1.0.0': 0}, description: 'Serves a directory over HTTP', framework: false, tags: ['http']},
  ],
}

describe('dcos package search', () => {
  test("CORE's table: CERTIFIED is selected, a description of 80 characters or more cut to 76 + '...'", async () => {
    cosmos('search', {}, SEARCH)
    const run = await runCommand(Search, [], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(
      run.stdout,
      [
        'NAME           VERSION  CERTIFIED  FRAMEWORK  DESCRIPTION',
        'hello          1.1.0    true       false      A small HTTP hello service on Node: answers with a configurable message and ...',
        'static-server  1.0.0    false      false      Serves a directory over HTTP',
        '',
      ].join('\n'),
    )
    assert.equal(run.stderr, '')
  })

  test('--json prints what Cosmos answered; the query is sent', async () => {
    cosmos('search', {query: 'hel*'}, {packages: [SEARCH.packages[0]]})
    const run = await runCommand(Search, ['hel*', '--json'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), {packages: [SEARCH.packages[0]]})
  })

  test('no match for a query: `no packages found`, exit 1; with --json `{"packages": []}`, exit 0', async () => {
    cosmos('search', {query: 'nothing'}, {packages: []})
    const run = await runCommand(Search, ['nothing'], {env: env()})
    assert.equal(run.exit, 1)
    assert.match(run.stderr, /^Error: no packages found\. /)
    cosmos('search', {query: 'nothing'}, {packages: []})
    const json = await runCommand(Search, ['nothing', '--json'], {env: env()})
    assert.equal(json.exit, 0)
    assert.deepEqual(JSON.parse(json.stdout), {packages: []})
  })
})

describe('dcos package describe', () => {
  test('prints the describe response as JSON (CORE), notes, versions and config included', async () => {
    const pkg = helloPackage()
    cosmos('describe', {packageName: 'hello'}, {package: pkg})
    const run = await runCommand(Describe, ['hello'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), {package: pkg})
    assert.match(run.stdout, /\n {2}"package": \{\n {4}"packagingVersion"/)
  })

  test('--config prints the schema; --app the template as text; --package-version is sent', async () => {
    const pkg = helloPackage({version: '1.0.0', releaseVersion: 0})
    cosmos('describe', {packageName: 'hello', packageVersion: '1.0.0'}, {package: pkg})
    const run = await runCommand(Describe, ['hello', '--config', '--app', '--package-version', '1.0.0'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    const template = Buffer.from(pkg.marathon.v2AppMustacheTemplate, 'base64').toString()
    assert.equal(run.stdout, `${template}\n${JSON.stringify(pkg.config, null, 2)}\n`)
  })

  test('--app --render sends the options file to render and prints the rendered app', async () => {
    const file = path.join(ctx.dir(), 'options.json')
    fs.writeFileSync(file, JSON.stringify({service: {name: 'hello-2'}}))
    cosmos('describe', {packageName: 'hello'}, {package: helloPackage()})
    const app = {id: '/hello-2', instances: 1, cmd: 'node hello.js', labels: {DCOS_PACKAGE_NAME: 'hello', DCOS_PACKAGE_VERSION: '1.1.0'}}
    cosmos('render', {packageName: 'hello', packageVersion: '1.1.0', options: {service: {name: 'hello-2'}}}, {marathonJson: app})
    const run = await runCommand(Describe, ['hello', '--app', '--render', '--options', file], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), app)
  })

  test('--package-versions lists the versions newest first (by releaseVersion)', async () => {
    cosmos('list-versions', {packageName: 'hello', includePackageVersions: true}, {results: {'1.0.0': '0', '1.1.0': '1'}})
    const run = await runCommand(Describe, ['hello', '--package-versions'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), ['1.1.0', '1.0.0'])
  })

  test("Cosmos's PackageNotFound and VersionNotFound in its words, with what to do", async () => {
    cosmosError('describe', 400, {type: 'PackageNotFound', message: 'Package [nope] not found', data: {packageName: 'nope'}})
    const run = await runCommand(Describe, ['nope'], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, "Error: Package [nope] not found. Run 'dcos package search' to see the available packages.\n")
    cosmosError('describe', 400, {type: 'VersionNotFound', message: 'Version [a.b.c] of package [hello] not found', data: {packageName: 'hello', packageVersion: 'a.b.c'}})
    const version = await runCommand(Describe, ['hello', '--package-version', 'a.b.c'], {env: env()})
    assert.equal(
      version.stderr,
      "Error: Version [a.b.c] of package [hello] not found. Run 'dcos package describe hello --package-versions' to see its versions.\n",
    )
  })

  test('--render needs --app (a usage error, no request)', async () => {
    const run = await runCommand(Describe, ['hello', '--render'], {env: env()})
    assert.equal(run.exit, 2)
  })
})

const INSTALLED = {packageName: 'hello', packageVersion: '1.1.0', appId: '/hello', postInstallNotes: 'The hello service is starting: see dcos marathon app list.'}

describe('dcos package install', () => {
  test('--yes: the notes and the Marathon line on stderr, in order; nothing on stdout', async () => {
    cosmos('describe', {packageName: 'hello'}, {package: helloPackage()})
    cosmos('install', {packageName: 'hello', packageVersion: '1.1.0'}, INSTALLED)
    const run = await runCommand(Install, ['hello', '--yes'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stdout, '')
    assert.equal(
      run.stderr,
      [
        'This installs the hello service.',
        'Installing Marathon app for package [hello] version [1.1.0]',
        'The hello service is starting: see dcos marathon app list.',
        '',
      ].join('\n'),
    )
  })

  test('no terminal and no --yes: the notes, then an error naming --yes; nothing is installed', async () => {
    cosmos('describe', {packageName: 'hello'}, {package: helloPackage()})
    const run = await runCommand(Install, ['hello'], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(
      run.stderr,
      'This installs the hello service.\nError: cannot ask for confirmation: standard input is not a terminal. Pass --yes to confirm.\n',
    )
  })

  test('on a terminal: `Continue installing? [yes/no] `; yes installs', async () => {
    cosmos('describe', {packageName: 'hello'}, {package: helloPackage()})
    cosmos('install', {packageName: 'hello', packageVersion: '1.1.0', appId: '/hello-2'}, {...INSTALLED, appId: '/hello-2'})
    const run = await runCommand(Install, ['hello', '--app-id', '/hello-2'], {env: env(), isTTY: true, input: 'yes\n'})
    assert.equal(run.exit, 0, run.stderr)
    assert.match(run.stderr, /^This installs the hello service\.\nContinue installing\? \[yes\/no\] Installing Marathon app for package \[hello\] version \[1\.1\.0\] with app id \[\/hello-2\]\n/)
  })

  test('on a terminal: no → `Exiting installation.`, exit 1, nothing installed', async () => {
    cosmos('describe', {packageName: 'hello'}, {package: helloPackage()})
    const run = await runCommand(Install, ['hello'], {env: env(), isTTY: true, input: 'no\n'})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, 'This installs the hello service.\nContinue installing? [yes/no] Exiting installation.\n')
  })

  test('an options file that is missing or not JSON: an error naming the file, before any request', async () => {
    const missing = path.join(ctx.dir(), 'missing.json')
    const run = await runCommand(Install, ['hello', '--options', missing, '--yes'], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, `Error: cannot read the options file '${missing}': no such file. Pass --options a JSON file of package options.\n`)
    const bad = path.join(ctx.dir(), 'bad.json')
    fs.writeFileSync(bad, '{"service": ')
    const badRun = await runCommand(Install, ['hello', '--options', bad, '--yes'], {env: env()})
    assert.match(badRun.stderr, new RegExp(`^Error: the options file '${bad.replaceAll('/', '\\/')}' is not valid JSON: `))
    const array = path.join(ctx.dir(), 'array.json')
    fs.writeFileSync(array, '[1]')
    const arrayRun = await runCommand(Install, ['hello', '--options', array, '--yes'], {env: env()})
    assert.match(arrayRun.stderr, /must hold a JSON object/)
  })

  test("Cosmos's JsonSchemaMismatch: each failing option's path, the expected and found types, then what to do", async () => {
    const file = path.join(ctx.dir(), 'options.json')
    fs.writeFileSync(file, JSON.stringify({service: {instances: 'two', color: 'red'}}))
    cosmos('describe', {packageName: 'hello'}, {package: helloPackage()})
    const errors = [
      {
        level: 'error',
        schema: {loadingURI: '#', pointer: '/properties/service/properties/instances'},
        instance: {pointer: '/service/instances'},
        domain: 'validation',
        keyword: 'type',
        message: 'instance type (string) does not match any allowed primitive type (allowed: ["integer"])',
        found: 'string',
        expected: ['integer'],
      },
      {
        level: 'error',
        schema: {loadingURI: '#', pointer: '/properties/service'},
        instance: {pointer: '/service'},
        domain: 'validation',
        keyword: 'additionalProperties',
        message: 'object instance has properties which are not allowed by the schema: ["color"]',
        unwanted: ['color'],
      },
    ]
    cosmosError('install', 400, {type: 'JsonSchemaMismatch', message: 'Options JSON failed validation', data: {errors}})
    const run = await runCommand(Install, ['hello', '--options', file, '--yes'], {env: env()})
    assert.equal(run.exit, 1)
    assert.ok(
      run.stderr.endsWith(
        [
          'Error: Options JSON failed validation',
          '  service.instances: expected integer, found string',
          '  service: unexpected properties: color',
          'Please create a JSON file with the appropriate options, and pass the /path/to/file as an --options argument.',
          '',
        ].join('\n'),
      ),
      run.stderr,
    )
  })

  test('the same app id twice: PackageAlreadyInstalled (409) with the way out', async () => {
    cosmos('describe', {packageName: 'hello'}, {package: helloPackage()})
    cosmosError('install', 409, {type: 'PackageAlreadyInstalled', message: 'Package is already installed'})
    const run = await runCommand(Install, ['hello', '--yes'], {env: env()})
    assert.equal(run.exit, 1)
    assert.match(run.stderr, /Error: Package is already installed\. Pass --app-id to install another instance under a different ID\.\n$/)
  })

  test('--app and --cli together are a usage error', async () => {
    const run = await runCommand(Install, ['hello', '--app', '--cli'], {env: env()})
    assert.equal(run.exit, 2)
    assert.equal(run.stderr, 'Error: --app and --cli are mutually exclusive\n')
  })
})

/** A package CLI artifact: plugin.toml + a bin script, zipped. */
function pluginZip(): Buffer {
  const toml = 'schema_version = 1\nname = "hello"\n\n[[commands]]\nname = "hello"\npath = "bin/dcos-hello.cjs"\ndescription = "Manage the hello service"\n'
  return Buffer.from(
    zipSync({
      'plugin.toml': Buffer.from(toml),
      'bin/dcos-hello.cjs': Buffer.from('console.log("hello from the plugin")\n'),
    }),
  )
}

function withCli(zip: Buffer, sha256 = createHash('sha256').update(zip).digest('hex')) {
  const binary = {kind: 'zip', url: `${DCOS}/package/universe/artifacts/dcos-hello.zip`, contentHash: [{algo: 'sha256', value: sha256}]}
  return helloPackage({resource: {cli: {binaries: {linux: {'x86-64': binary}, darwin: {'x86-64': binary}}}}})
}

describe('package CLIs', () => {
  test('install downloads the CLI from the cluster (with the token), checks its sha256 and installs it under subcommands/<pkg>/env', async () => {
    const zip = pluginZip()
    const pkg = withCli(zip)
    cosmos('describe', {packageName: 'hello'}, {package: pkg})
    cosmos('install', {packageName: 'hello', packageVersion: '1.1.0'}, INSTALLED)
    nock(DCOS).matchHeader('authorization', /^token=/).get('/package/universe/artifacts/dcos-hello.zip').reply(200, zip)
    const run = await runCommand(Install, ['hello', '--yes'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(
      run.stderr,
      [
        'This installs the hello service.',
        'Installing Marathon app for package [hello] version [1.1.0]',
        'Installing CLI subcommand for package [hello] version [1.1.0]',
        'New command available: dcos hello',
        'The hello service is starting: see dcos marathon app list.',
        '',
      ].join('\n'),
    )
    const dir = path.join(ctx.clusterDir(), 'subcommands', 'hello')
    assert.equal(fs.readFileSync(path.join(dir, 'env', 'bin', 'dcos-hello.cjs'), 'utf8'), 'console.log("hello from the plugin")\n')
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name, 'hello')
    assert.equal(fs.statSync(path.join(dir, 'env', 'bin', 'dcos-hello.cjs')).mode & 0o111, 0o111)
  })

  test('a CLI whose sha256 does not match is not installed (and the app only is not asked for)', async () => {
    const zip = pluginZip()
    cosmos('describe', {packageName: 'hello'}, {package: withCli(zip, 'f'.repeat(64))})
    nock(DCOS).get('/package/universe/artifacts/dcos-hello.zip').reply(200, zip)
    const run = await runCommand(Install, ['hello', '--cli', '--yes'], {env: env()})
    assert.equal(run.exit, 1)
    assert.match(run.stderr, /Error: The hash for the downloaded subcommand \[http:\/\/dcos\.example\.com\/package\/universe\/artifacts\/dcos-hello\.zip\] does not match the expected value \[f{64}\]\. Aborting\.\.\.\n$/)
    assert.equal(fs.existsSync(path.join(ctx.clusterDir(), 'subcommands')), false, 'nothing was unpacked')
  })

  test('--cli on a package without a CLI: a clear error, nothing installed', async () => {
    cosmos('describe', {packageName: 'hello'}, {package: helloPackage()})
    const run = await runCommand(Install, ['hello', '--cli', '--yes'], {env: env()})
    assert.equal(run.exit, 1)
    assert.match(run.stderr, /^Error: Package \[hello\] version \[1\.1\.0\] has no CLI for linux x86-64\.\n$/)
  })

  test('a CLI hosted elsewhere is fetched without the token', async () => {
    const zip = pluginZip()
    const sha = createHash('sha256').update(zip).digest('hex')
    const binary = {kind: 'zip', url: 'https://downloads.example.org/dcos-hello.zip', contentHash: [{algo: 'sha256', value: sha}]}
    cosmos('describe', {packageName: 'hello'}, {package: helloPackage({resource: {cli: {binaries: {linux: {'x86-64': binary}}}}})})
    nock('https://downloads.example.org', {badheaders: ['authorization']}).get('/dcos-hello.zip').reply(200, zip)
    const run = await runCommand(Install, ['hello', '--cli', '--yes'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.ok(fs.existsSync(path.join(ctx.clusterDir(), 'subcommands', 'hello', 'env', 'plugin.toml')))
  })
})

const LIST = {
  packages: [
    {appId: '/hello', packageInformation: {packageDefinition: {packagingVersion: '4.0', name: 'hello', version: '1.1.0', maintainer: 'dcos@localhost', description: 'A small HTTP hello service\nwith two lines', tags: ['http'], selected: true}}},
    {appId: '/hello-2', packageInformation: {packageDefinition: {packagingVersion: '4.0', name: 'hello', version: '1.1.0', maintainer: 'dcos@localhost', description: 'A small HTTP hello service\nwith two lines', tags: ['http'], selected: true}}},
    {appId: '/files', packageInformation: {packageDefinition: {packagingVersion: '4.0', name: 'static-server', version: '1.0.0', maintainer: 'dcos@localhost', description: 'Serves a directory over HTTP', tags: ['http']}}},
  ],
}

describe('dcos package list', () => {
  test("CORE's table: several apps one per line, the installed CLI's command, descriptions cut at the first line", async () => {
    fs.mkdirSync(path.join(ctx.clusterDir(), 'subcommands', 'hello', 'env'), {recursive: true})
    fs.writeFileSync(path.join(ctx.clusterDir(), 'subcommands', 'hello', 'env', 'plugin.toml'), 'schema_version = 1\nname = "hello"\n[[commands]]\nname = "hello"\npath = "bin/dcos-hello.cjs"\n')
    cosmos('list', {}, LIST)
    const run = await runCommand(List, [], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(
      run.stdout,
      [
        'NAME           VERSION  CERTIFIED  APP       COMMAND  DESCRIPTION',
        'hello          1.1.0    true       /hello    hello    A small HTTP hello service...',
        '                                   /hello-2',
        'static-server  1.0.0    false      /files    ---      Serves a directory over HTTP',
        '',
      ].join('\n'),
    )
  })

  test('--json: the definitions with their apps (PY test_list_helloworld.json); a query filters by name or app', async () => {
    cosmos('list', {}, LIST)
    const run = await runCommand(List, ['static', '--json'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), [{...LIST.packages[2].packageInformation.packageDefinition, apps: ['/files']}])
  })

  test('--app-id is sent to Cosmos; nothing installed: the PY message, exit 1; --json prints []', async () => {
    cosmos('list', {appId: '/nope'}, {packages: []})
    const run = await runCommand(List, ['--app-id', '/nope'], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(run.stderr, 'Error: cannot find packages matching the provided filter\n')
    cosmos('list', {}, {packages: []})
    const none = await runCommand(List, [], {env: env()})
    assert.equal(none.stderr, "Error: There are currently no installed packages. Please use 'dcos package install' to install a package.\n")
    cosmos('list', {}, {packages: []})
    const json = await runCommand(List, ['--json'], {env: env()})
    assert.equal(json.exit, 0)
    assert.equal(json.stdout, '[]\n')
  })
})

const UNINSTALLED = {results: [{packageName: 'hello', appId: '/hello', packageVersion: '1.1.0', postUninstallNotes: 'The hello service is gone.'}]}

describe('dcos package uninstall', () => {
  test('--yes: uninstalls, prints the result and the notes on stderr, removes the CLI of the only install', async () => {
    const cli = path.join(ctx.clusterDir(), 'subcommands', 'hello')
    fs.mkdirSync(path.join(cli, 'env', 'bin'), {recursive: true})
    fs.writeFileSync(path.join(cli, 'env', 'bin', 'dcos-hello'), '#!/bin/sh\n', {mode: 0o755})
    cosmos('list', {packageName: 'hello'}, {packages: [LIST.packages[0]]})
    cosmos('uninstall', {packageName: 'hello'}, UNINSTALLED)
    const run = await runCommand(Uninstall, ['hello', '--yes'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stderr, 'Uninstalled package [hello] version [1.1.0]\nThe hello service is gone.\n')
    assert.equal(fs.existsSync(cli), false)
  })

  test('no terminal and no --yes: the warning, then an error naming --yes; nothing uninstalled', async () => {
    cosmos('list', {packageName: 'hello'}, {packages: [LIST.packages[0]]})
    const run = await runCommand(Uninstall, ['hello'], {env: env()})
    assert.equal(run.exit, 1)
    assert.equal(
      run.stderr,
      'WARNING: This action cannot be undone. This will uninstall [hello] and delete all of its persistent data (logs, configurations, database artifacts, everything).\n' +
        'Error: cannot ask for confirmation: standard input is not a terminal. Pass --yes to confirm.\n',
    )
  })

  test('on a terminal: the name typed wrong three times cancels; typed right uninstalls', async () => {
    cosmos('list', {packageName: 'hello'}, {packages: [LIST.packages[0]]})
    const wrong = await runCommand(Uninstall, ['hello'], {env: env(), isTTY: true, input: 'x\ny\nz\n'})
    assert.equal(wrong.exit, 1)
    assert.match(wrong.stderr, /Please type the name of the service to confirm: Expected 'hello'\. You supplied 'x'\.\n/)
    assert.match(wrong.stderr, /Error: cancelling uninstall\n$/)
    cosmos('list', {packageName: 'hello'}, {packages: LIST.packages.slice(0, 2)})
    cosmos('uninstall', {packageName: 'hello', all: true}, {results: [UNINSTALLED.results[0], {packageName: 'hello', appId: '/hello-2', packageVersion: '1.1.0'}]})
    const all = await runCommand(Uninstall, ['hello', '--all'], {env: env(), isTTY: true, input: 'uninstall all hello\n'})
    assert.equal(all.exit, 0, all.stderr)
    assert.match(all.stderr, /Please type 'uninstall all hello': Uninstalled package \[hello\] version \[1\.1\.0\]\n/)
  })

  test('not installed: `Package [x] is not installed`; several installs without --app-id: AmbiguousAppId with the way out', async () => {
    cosmos('list', {packageName: 'nope'}, {packages: []})
    const none = await runCommand(Uninstall, ['nope', '--yes'], {env: env()})
    assert.equal(none.exit, 1)
    assert.equal(none.stderr, "Error: Package [nope] is not installed. Run 'dcos package list' to see the installed packages.\n")
    cosmos('list', {packageName: 'hello'}, {packages: LIST.packages.slice(0, 2)})
    cosmosError('uninstall', 400, {type: 'AmbiguousAppId', message: 'Multiple apps named [hello] are installed: [/hello, /hello-2]', data: {packageName: 'hello', appIds: ['/hello', '/hello-2']}})
    const run = await runCommand(Uninstall, ['hello', '--yes'], {env: env()})
    assert.equal(
      run.stderr,
      'Error: Multiple apps named [hello] are installed: [/hello, /hello-2]. Please use --app-id to specify the ID of the app to uninstall, or use --all to uninstall all apps.\n',
    )
  })

  test('--cli removes only the CLI, without asking Cosmos; --cli with --all is a usage error', async () => {
    const cli = path.join(ctx.clusterDir(), 'subcommands', 'hello')
    fs.mkdirSync(path.join(cli, 'env', 'bin'), {recursive: true})
    fs.writeFileSync(path.join(cli, 'env', 'bin', 'dcos-hello'), '#!/bin/sh\n', {mode: 0o755})
    const run = await runCommand(Uninstall, ['hello', '--cli'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(fs.existsSync(cli), false)
    const usage = await runCommand(Uninstall, ['hello', '--cli', '--all'], {env: env()})
    assert.equal(usage.exit, 2)
    assert.equal(usage.stderr, 'Error: --cli cannot be used with --app, --app-id, or --all\n')
  })
})

const REPOS = {repositories: [{name: 'Universe', uri: `${DCOS}/package/universe/repo`}]}

describe('dcos package repo', () => {
  test('list: `<name>: <uri>` per line; --json the response; none configured: the PY message', async () => {
    cosmos('repository/list', {}, REPOS)
    const run = await runCommand(RepoList, [], {env: env()})
    assert.equal(run.stdout, `Universe: ${DCOS}/package/universe/repo\n`)
    cosmos('repository/list', {}, REPOS)
    const json = await runCommand(RepoList, ['--json'], {env: env()})
    assert.deepEqual(JSON.parse(json.stdout), REPOS)
    cosmos('repository/list', {}, {repositories: []})
    const none = await runCommand(RepoList, [], {env: env()})
    assert.equal(none.exit, 1)
    assert.equal(none.stderr, "Error: There are currently no repos configured. Please use 'dcos package repo add' to add a repo.\n")
  })

  test('add sends the index; a duplicate is RepositoryAlreadyPresent in its words', async () => {
    const uri = 'https://universe.example.com/repo'
    cosmos('repository/add', {name: 'other', uri, index: 0}, {repositories: [{name: 'other', uri}, ...REPOS.repositories]})
    const run = await runCommand(RepoAdd, ['other', uri, '--index', '0'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.equal(run.stderr, `Added repository [other] (${uri})\n`)
    cosmosError('repository/add', 400, {type: 'RepositoryAlreadyPresent', message: 'Repository name [other] is already present in the list', data: {name: 'other'}})
    const again = await runCommand(RepoAdd, ['other', uri], {env: env()})
    assert.equal(again.stderr, "Error: Repository name [other] is already present in the list. Run 'dcos package repo list' to see the repositories.\n")
  })

  test('add: a local Universe directory is sent as its file:// URL; a path that does not exist is a usage error', async () => {
    const dir = path.join(ctx.dir(), 'my-universe')
    fs.mkdirSync(dir)
    // file:// is ours (a real Cosmos takes http(s) only): this request body is outside Cosmos's schema.
    nock(DCOS).post('/package/repository/add', {name: 'local', uri: `file://${dir}/`}).reply(200, {repositories: [{name: 'local', uri: `file://${dir}/`}]})
    const run = await runCommand(RepoAdd, ['local', dir], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    const missing = await runCommand(RepoAdd, ['local', path.join(dir, 'nope')], {env: env()})
    assert.equal(missing.exit, 1)
    assert.match(missing.stderr, /is neither a URL nor an existing path/)
  })

  test('remove deletes each name in turn; an unknown one is RepositoryNotPresent', async () => {
    cosmos('repository/delete', {name: 'a'}, {repositories: [{name: 'b', uri: 'https://b.example.com/repo'}]})
    cosmos('repository/delete', {name: 'b'}, {repositories: []})
    const run = await runCommand(RepoRemove, ['a', 'b'], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    cosmosError('repository/delete', 400, {type: 'RepositoryNotPresent', message: 'Repository name [x] is not present in the list', data: {name: 'x'}})
    const unknown = await runCommand(RepoRemove, ['x'], {env: env()})
    assert.equal(unknown.exit, 1)
    assert.match(unknown.stderr, /^Error: Repository name \[x\] is not present in the list\./)
  })

  test('import adds each repository of a `repo list --json` file at its index; a failing one is reported and skipped', async () => {
    const file = path.join(ctx.dir(), 'repos.json')
    const repos = [
      {name: 'one', uri: 'https://one.example.com/repo'},
      {name: 'two', uri: 'https://two.example.com/repo'},
    ]
    fs.writeFileSync(file, JSON.stringify({repositories: repos}))
    cosmos('repository/add', {...repos[0], index: 0}, {repositories: [repos[0]]})
    cosmosError('repository/add', 400, {type: 'RepositoryAlreadyPresent', message: 'Repository name [two] is already present in the list', data: {name: 'two'}})
    const run = await runCommand(RepoImport, [file], {env: env()})
    assert.equal(run.exit, 0, run.stderr)
    assert.match(run.stderr, /^Added repo 'one' \(https:\/\/one\.example\.com\/repo\) at index 0\nError \(Repository name \[two\] is already present in the list\. .*\) while adding repo 'two' \(https:\/\/two\.example\.com\/repo\)\. Skipping\.\n$/)
    const missing = await runCommand(RepoImport, [path.join(ctx.dir(), 'none.json')], {env: env()})
    assert.match(missing.stderr, /^Error: path '.*none\.json' does not exist\n$/)
  })
})

describe('dcos package install with DCOS_URL alone', () => {
  test('no configured cluster: the app is installed, the CLI is not (a warning says why)', async () => {
    fs.rmSync(path.join(ctx.dir(), 'clusters'), {recursive: true})
    const zip = pluginZip()
    cosmos('describe', {packageName: 'hello'}, {package: withCli(zip)})
    cosmos('install', {packageName: 'hello', packageVersion: '1.1.0'}, INSTALLED)
    const run = await runCommand(Install, ['hello', '--yes'], {env: {...env(), DCOS_URL: DCOS}})
    assert.equal(run.exit, 0, run.stderr)
    assert.match(run.stderr, /Warning: the CLI of package \[hello\] is not installed: no cluster is configured/)
    assert.doesNotMatch(run.stderr, /Installing CLI subcommand/)
  })
})
