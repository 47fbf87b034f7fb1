#!/usr/bin/env node
// The one test command (`npm test`): type-checks every package, then runs every test file under
// test/ with node's test runner. `--unit` skips the interop tests that need real servers.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const args = process.argv.slice(2)
const unitOnly = args.includes('--unit')
const filters = args.filter((a) => !a.startsWith('--'))

const run = (cmd, argv, opts = {}) => {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: root, ...opts })
  if (r.status !== 0) process.exit(r.status ?? 1)
}

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    if (name === 'node_modules') return []
    return statSync(p).isDirectory() ? walk(p) : [p]
  })

if (!args.includes('--no-typecheck')) {
  for (const project of ['packages/core', 'packages/node-adapter', 'test']) {
    run('npx', ['tsc', '-p', project, '--noEmit'])
  }
}

const files = walk(join(root, 'test'))
  .filter((f) => /\.test\.ts$/.test(f))
  .filter((f) => !f.includes('/deno/'))
  .filter((f) => !(unitOnly && f.includes('/interop/')))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .map((f) => relative(root, f))
  .sort()

if (files.length === 0) {
  console.error('no test files matched')
  process.exit(1)
}

run(process.execPath, [
  '--conditions=smtpure-source',
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  // A hung test fails instead of holding CI (test servers are unref'd or closed by t.after;
  // --test-force-exit is not used: it can end a file before all its tests have reported).
  '--test-timeout=600000',
  ...files,
])
