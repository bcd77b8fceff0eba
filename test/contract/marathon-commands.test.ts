/**
 * What holds for every `dcos marathon` command class: oclif must never read standard input for
 * a missing argument (its 10 ms stdin probe would take an app definition piped to `app add` for
 * the resource path, or a number for `app start`'s instances): stdin is the commands' own input.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import {test} from 'node:test'

function commandFiles(dir: string): string[] {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? commandFiles(p) : p.endsWith('.ts') ? [p] : []
  })
}

test('no marathon command lets oclif read stdin into an argument', async () => {
  const files = commandFiles(path.join(__dirname, '..', '..', 'commands', 'marathon'))
  assert.equal(files.length, 32, "the 32 marathon commands")
  for (const file of files) {
    const Cmd = (await import(file)).default as {args?: Record<string, {ignoreStdin?: boolean}>}
    for (const [name, arg] of Object.entries(Cmd.args ?? {})) {
      assert.equal(arg.ignoreStdin, true, `${path.relative(process.cwd(), file)}: argument ${name}`)
    }
  }
})
