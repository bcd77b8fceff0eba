// Builds the bundled package repository: universe/ (the Universe layout) -> dist/universe/
// (repo.json, the served index, and artifacts/). Every package is validated against Universe's
// meta schemas and rendered with its defaults; an invalid one fails the build. The logic lives in
// src/universe/build.ts, bundled here with esbuild (the build scripts are plain JavaScript).
// Run alone: `node scripts/build-universe.mjs` (after the artifacts it copies are built).
import {build} from 'esbuild'
import fs from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')

export async function buildUniverse() {
  const tmp = fs.mkdtempSync(path.join(root, 'dist', '.universe-build-'))
  try {
    const outfile = path.join(tmp, 'build.cjs')
    await build({entryPoints: [path.join(root, 'src/universe/build.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'warning'})
    const {buildUniverse: run, UniverseBuildError} = createRequire(import.meta.url)(outfile)
    try {
      return run({root})
    } catch (error) {
      if (error instanceof UniverseBuildError) {
        console.error(`error: ${error.message}`)
        fs.rmSync(tmp, {recursive: true, force: true}) // process.exit skips the finally
        process.exit(1)
      }
      throw error
    }
  } finally {
    fs.rmSync(tmp, {recursive: true, force: true})
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  fs.mkdirSync(path.join(root, 'dist'), {recursive: true})
  const r = await buildUniverse()
  console.log(`built dist/universe (${r.packages} packages, ${r.revisions} revisions, ${r.artifacts.length} artifacts)`)
}
