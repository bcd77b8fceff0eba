// Builds the package CLIs: every plugins/<name>/ with a plugin.toml becomes
//   dist/plugins/dcos-<name>.zip   the artifact a package's resource.json names (kind "zip"):
//                                  plugin.toml, package.json (oclif's config) and
//                                  bin/dcos-<name>.cjs (the bundle of plugins/<name>/commands/**)
//   dist/plugins/index.json        {"<name>": {"file", "kind": "zip", "sha256", "size"}}
// The zip is deterministic (sorted entries, fixed times): the same sources give the same sha256.
// A package ships one through universe/artifacts.json (the universe build copies it and sets the
// package's contentHash to its sha256): see plugins/README.md.
// Run alone: `node scripts/build-plugins.mjs` (after `npm ci`). How to write one: plugins/README.md.
import {build} from 'esbuild'
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {parse} from 'smol-toml'
import {zipSync} from 'fflate'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const MTIME = new Date('2020-01-01T00:00:00Z')

/** plugins/<name>/commands/hello/status.ts -> "hello:status" (index.ts names its directory). */
function commandEntries(dir, prefix = []) {
  const out = []
  if (!fs.existsSync(dir)) return out
  for (const e of fs.readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...commandEntries(p, [...prefix, e.name]))
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
      const base = e.name.slice(0, -3)
      const id = (base === 'index' ? prefix : [...prefix, base]).join(':')
      if (id) out.push({id, file: p})
    }
  }
  return out
}

async function buildPlugin(name) {
  const dir = path.join(root, 'plugins', name)
  const manifestText = fs.readFileSync(path.join(dir, 'plugin.toml'), 'utf8')
  const manifest = parse(manifestText)
  if (manifest.name !== name) throw new Error(`plugins/${name}/plugin.toml: name must be "${name}"`)
  const commands = commandEntries(path.join(dir, 'commands'))
  if (commands.length === 0) throw new Error(`plugins/${name}: no commands under commands/`)
  const bin = `bin/dcos-${name}.cjs`
  if (!(manifest.commands ?? []).some((c) => c.path === bin)) throw new Error(`plugins/${name}/plugin.toml: a [[commands]] entry must have path = "${bin}"`)
  const entry = [
    `import {run} from ${JSON.stringify(path.join(root, 'src/cli/main'))}`,
    ...commands.map((c, i) => `import C${i} from ${JSON.stringify(c.file.replace(/\.ts$/, ''))}`),
    `export const COMMANDS = {${commands.map((c, i) => `${JSON.stringify(c.id)}: C${i}`).join(', ')}}`,
    // A package CLI never looks up other package CLIs.
    `run(process.argv.slice(2), {subcommands: false})`,
  ].join('\n')
  const result = await build({
    stdin: {contents: entry, resolveDir: root, sourcefile: `${name}-plugin-entry.ts`, loader: 'ts'},
    bundle: true,
    write: false,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    banner: {js: '#!/usr/bin/env node'},
    external: ['@napi-rs/keyring', 'typescript'],
    supported: {'dynamic-import': false},
  })
  const topics = Object.fromEntries((manifest.commands ?? []).map((c) => [c.name, {description: c.description ?? ''}]))
  const pjson = {
    name: `dcos-${name}`,
    version: String(manifest.version ?? '0.0.0'),
    private: true,
    oclif: {bin: 'dcos', dirname: 'dcos', commands: {strategy: 'explicit', target: `./${bin}`, identifier: 'COMMANDS'}, topicSeparator: ' ', topics},
  }
  const files = {
    'bin/': [new Uint8Array(0), {mtime: MTIME}],
    [bin]: [result.outputFiles[0].contents, {mtime: MTIME, level: 9}],
    'package.json': [Buffer.from(JSON.stringify(pjson, null, 2) + '\n'), {mtime: MTIME}],
    'plugin.toml': [Buffer.from(manifestText), {mtime: MTIME}],
  }
  const zip = Buffer.from(zipSync(files))
  const file = `dcos-${name}.zip`
  fs.writeFileSync(path.join(root, 'dist', 'plugins', file), zip)
  return {file, kind: 'zip', sha256: createHash('sha256').update(zip).digest('hex'), size: zip.length}
}

export async function buildPlugins() {
  const out = path.join(root, 'dist', 'plugins')
  fs.rmSync(out, {recursive: true, force: true})
  fs.mkdirSync(out, {recursive: true})
  const dir = path.join(root, 'plugins')
  const names = fs.existsSync(dir)
    ? fs.readdirSync(dir, {withFileTypes: true}).filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'plugin.toml'))).map((e) => e.name).sort()
    : []
  const index = {}
  for (const name of names) index[name] = await buildPlugin(name)
  fs.writeFileSync(path.join(out, 'index.json'), JSON.stringify(index, null, 2) + '\n')
  return index
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const index = await buildPlugins()
  console.log(`built dist/plugins (${Object.keys(index).join(', ') || 'none'})`)
}
