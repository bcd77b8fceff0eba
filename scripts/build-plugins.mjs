// Builds the package CLIs: every plugins/<name>/ with a plugin.toml becomes
//   dist/plugins/dcos-<name>.zip   the artifact a package's resource.json names (kind "zip"):
//                                  plugin.toml, package.json (oclif's config) and
//                                  bin/dcos-<name>.cjs (the bundle of plugins/<name>/commands/**)
//   dist/plugins/index.json        {"<name>": {"file", "kind": "zip", "sha256", "size"}}
// The zip is deterministic (sorted entries, fixed times): the same sources give the same sha256.
// stampCliHashes(), run after the universe build, puts those hashes (and the zips) into
// dist/universe for the packages whose resource.json names `artifacts/dcos-<name>.zip`.
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

/**
 * After the universe build: a package CLI shipped by the bundled universe names its artifact by a
 * relative URL, `"url": "artifacts/dcos-<name>.zip"`, in resource.json (the sha256 there may be any
 * placeholder: the bundle changes whenever src/ does). Here each such binary of dist/universe/repo.json
 * gets the built zip's sha256, and the zip is copied into dist/universe/artifacts/ where the package
 * service serves it. A CLI URL naming a plugin that was not built fails the build.
 */
export function stampCliHashes(index, {universeDir = path.join(root, 'dist', 'universe'), pluginsDir = path.join(root, 'dist', 'plugins')} = {}) {
  const repoFile = path.join(universeDir, 'repo.json')
  if (!fs.existsSync(repoFile)) return []
  const repo = JSON.parse(fs.readFileSync(repoFile, 'utf8'))
  const byFile = new Map(Object.values(index).map((p) => [p.file, p]))
  const stamped = new Set()
  const problems = []
  for (const pkg of repo.packages ?? []) {
    for (const platform of Object.values(pkg.resource?.cli?.binaries ?? {})) {
      const binary = platform?.['x86-64']
      const m = typeof binary?.url === 'string' ? /^artifacts\/(dcos-[a-z0-9-]+\.zip)$/.exec(binary.url) : null
      if (!m) continue
      const built = byFile.get(m[1])
      if (!built) {
        problems.push(`${pkg.name} ${pkg.version}: resource.json cli url '${binary.url}' names no plugin of plugins/ (built: ${[...byFile.keys()].join(', ') || 'none'})`)
        continue
      }
      binary.kind = built.kind
      binary.contentHash = [{algo: 'sha256', value: built.sha256}]
      stamped.add(built.file)
    }
  }
  if (problems.length) throw new Error(`package CLIs of the bundled universe:\n  ${problems.join('\n  ')}`)
  if (stamped.size === 0) return []
  fs.mkdirSync(path.join(universeDir, 'artifacts'), {recursive: true})
  for (const file of stamped) fs.copyFileSync(path.join(pluginsDir, file), path.join(universeDir, 'artifacts', file))
  fs.writeFileSync(repoFile, JSON.stringify(repo))
  return [...stamped]
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const index = await buildPlugins()
  stampCliHashes(index)
  console.log(`built dist/plugins (${Object.keys(index).join(', ') || 'none'})`)
}
