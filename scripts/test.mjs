// Runs the whole suite with node:test through tsx: unit and contract tests, then the
// end-to-end tests (each starts its own cluster in a temporary DCOS_DIR on free ports), in
// parallel. Node 20's runner takes no globs, so the files are listed here.
// Usage: node scripts/test.mjs [unit|contract|e2e ...] [--only <substring>]
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const args = process.argv.slice(2)
const onlyIdx = args.indexOf('--only')
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined
const kinds = args.filter((a, i) => !a.startsWith('--') && (onlyIdx < 0 || i !== onlyIdx + 1))
const dirs = kinds.length ? kinds : ['unit', 'contract', 'e2e']

function find(dir) {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? find(p) : e.name.endsWith('.test.ts') ? [p] : []
  })
}

const files = dirs.flatMap((d) => find(path.join(root, 'test', d))).filter((f) => !only || f.includes(only))
if (files.length === 0) {
  console.error('no test files found')
  process.exit(1)
}
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=4', '--test-timeout=300000', ...files],
  {stdio: 'inherit', cwd: root, env: {...process.env, NODE_NO_WARNINGS: '1'}},
)
process.exit(r.status ?? 1)
