// Builds the bundles: dist/cli.js (oclif, explicit command discovery), dist/runtime-<role>.js
// (supervisor, master, agent, gateway, marathon; dist/runtime.js picks one), dist/mesos-execute.js
// and dist/chronos.js. Bundling is what keeps `dcos` start-up within 2x of bare node: one file
// to parse instead of ~90 packages.
// Type-checking runs first (tsc --noEmit); a type error fails the build.
import {build} from 'esbuild'
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {buildPlugins} from './build-plugins.mjs'
import {buildUniverse} from './build-universe.mjs'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
process.chdir(root)

if (!process.argv.includes('--no-typecheck')) {
  execFileSync(process.execPath, [path.join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], {stdio: 'inherit'})
}

/** commands/marathon/app/add.ts -> "marathon:app:add"; commands/task/index.ts -> "task". */
function commandEntries(dir = 'commands', prefix = []) {
  const out = []
  if (!fs.existsSync(dir)) return out
  for (const e of fs.readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...commandEntries(p, [...prefix, e.name]))
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
      const base = e.name.slice(0, -3)
      const id = (base === 'index' ? prefix : [...prefix, base]).join(':')
      if (id) out.push({id, file: './' + p})
    }
  }
  return out
}

const commands = commandEntries()
const cliEntry = [
  `export {run} from './src/cli/main'`,
  ...commands.map((c, i) => `import C${i} from '${c.file.replace(/\.ts$/, '')}'`),
  `export const COMMANDS = {${commands.map((c, i) => `${JSON.stringify(c.id)}: C${i}`).join(', ')}}`,
].join('\n')

/** The roles of src/runtime/main.ts, each built into dist/runtime-<role>.js. */
const RUNTIME_ROLES = ['supervisor', 'master', 'agent', 'gateway', 'marathon']

/**
 * Node's built-in modules that the code imports by default (`import fs from 'node:fs'`), each
 * through one shim per bundle. esbuild gives every importing file its own
 * `__toESM(require('node:fs'))`, which copies the module's exports onto a new object with a
 * getter each: the runtime did that 59 times at start-up, so often that V8 optimised the copy
 * with TurboFan, paging ~3.6 MB of compiler code into every agent at idle. The shim requires the
 * module once and re-exports it (default and named exports; reading them has no side effect).
 */
const SHIMMED_BUILTINS = ['fs', 'path', 'http', 'https', 'os', 'net', 'zlib']
const requireBuiltin = createRequire(import.meta.url)
const builtinsOnce = {
  name: 'builtins-once',
  setup(b) {
    const filter = new RegExp(`^node:(${SHIMMED_BUILTINS.join('|')})$`)
    b.onResolve({filter}, (args) => (args.namespace === 'builtin-shim' ? {path: args.path, external: true} : {path: args.path, namespace: 'builtin-shim'}))
    b.onLoad({filter: /.*/, namespace: 'builtin-shim'}, (args) => {
      const names = Object.keys(requireBuiltin(args.path)).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default')
      return {contents: `const m = require(${JSON.stringify(args.path)})\nexport default m\nexport const {${names.join(', ')}} = m\n`, loader: 'js'}
    })
  },
}

/**
 * oclif sorts the commands by id with localeCompare as it loads (config/plugin.js): the first
 * localeCompare of a process sets up ICU's collator, 6-10 ms of every `dcos` start (a CPU
 * profile of `dcos marathon app list --help`). Command ids are lowercase ASCII words and colons,
 * which code-unit order sorts the same way. Only the CLI bundle loads oclif.
 */
const OCLIF_SORT = '.sort((a, b) => a.id.localeCompare(b.id))'
const oclifCodeUnitSort = {
  name: 'oclif-code-unit-sort',
  setup(b) {
    b.onLoad({filter: /@oclif[\\/]core[\\/]lib[\\/]config[\\/]plugin\.js$/}, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8')
      if (!source.includes(OCLIF_SORT)) {
        console.warn(`build: ${args.path} no longer sorts commands with localeCompare; left as it is`)
        return undefined
      }
      return {contents: source.replace(OCLIF_SORT, '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))'), loader: 'js'}
    })
  },
}

const common = {
  bundle: true,
  plugins: [builtinsOnce, oclifCodeUnitSort],
  // The OS keychain binding ships a native binary per platform: it is loaded from node_modules
  // at run time (and only when a token is read or written), never bundled. bin/dcos runs the
  // bundle through vm.Script, which has no dynamic-import hook: import() must become require().
  external: ['@napi-rs/keyring'],
  supported: {'dynamic-import': false},
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  legalComments: 'none',
}

await Promise.all([
  // oclif requires `typescript` only in development mode (inside a try): bundling it would add
  // 3.5 MB to every start-up.
  build({
    ...common,
    stdin: {contents: cliEntry, resolveDir: root, sourcefile: 'cli-entry.ts', loader: 'ts'},
    outfile: 'dist/cli.js',
    external: [...common.external, 'typescript'],
  }),
  // One runtime bundle per role (see src/runtime/main.ts), behind the dispatcher dist/runtime.js.
  ...RUNTIME_ROLES.map((role) =>
    build({...common, entryPoints: ['src/runtime/main.ts'], outfile: `dist/runtime-${role}.js`, define: {'process.env.DCOS_RUNTIME_BUNDLE': JSON.stringify(role)}}),
  ),
  build({...common, entryPoints: ['src/frameworks/mesos-execute/main.ts'], outfile: 'dist/mesos-execute.js'}),
  build({...common, entryPoints: ['src/frameworks/chronos/main.ts'], outfile: 'dist/chronos.js'}),
])
fs.rmSync('dist/runtime.js.map', {force: true})
fs.writeFileSync(
  'dist/runtime.js',
  [
    `'use strict'`,
    `// \`node dist/runtime.js <role> <config.json>\`: runs the role's own bundle (src/runtime/main.ts).`,
    `const roles = ${JSON.stringify(RUNTIME_ROLES)}`,
    `const role = process.argv[2]`,
    `if (!roles.includes(role)) {`,
    `  process.stderr.write('usage: runtime <' + roles.join('|') + '> <config.json>\\n')`,
    `  process.exit(2)`,
    `}`,
    `require('./runtime-' + role + '.js')`,
    ``,
  ].join('\n'),
)
// The package CLIs (plugins/<name> -> dist/plugins/dcos-<name>.zip), before the universe that serves them.
await buildPlugins()
// The bundled package repository (after the bundles: packages may ship built artifacts).
await buildUniverse()
// V8's code cache for the CLI bundle, taken after a representative run so that the functions
// every command needs (oclif's config, parser and help) are in it.
fs.rmSync('dist/cli.js.cache', {force: true})
execFileSync(process.execPath, ['bin/dcos', 'task', 'list', '--help'], {
  env: {...process.env, DCOS_WRITE_COMPILE_CACHE: '1', DCOS_DIR: path.join(root, 'dist', '.cache-dcos-dir')},
  stdio: 'ignore',
})
fs.rmSync(path.join(root, 'dist', '.cache-dcos-dir'), {recursive: true, force: true})
console.log(`built dist/cli.js (${commands.length} commands), dist/runtime.js (${RUNTIME_ROLES.join(', ')}), dist/mesos-execute.js, dist/chronos.js`)
