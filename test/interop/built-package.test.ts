/**
 * The package as users get it: `npm run build`, then the built CLI and `@smtpure/node` under bare
 * Node (no source condition, no loader). Everything else in test/ runs the TypeScript sources, so
 * this is what checks the build step itself (dist/deps.cjs, see scripts/cjs-deps.mjs).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, test } from 'node:test'

const root = new URL('../../', import.meta.url).pathname
const run = (cmd: string, args: ReadonlyArray<string>) => spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 120_000 })

describe('built package', () => {
  test('npm run build, then the built CLI sends to its embedded server and the API loads under bare Node', () => {
    const built = run('npm', ['run', 'build'])
    assert.equal(built.status, 0, built.stderr)
    const sent = run(process.execPath, ['packages/node-adapter/bin/smtpure.mjs', 'send', '--json'])
    assert.equal(sent.status, 0, sent.stderr)
    const result = JSON.parse(sent.stdout) as { status: string; accepted: ReadonlyArray<{ recipient: string }> }
    assert.equal(result.status, 'delivered')
    assert.equal(result.accepted.length, 1)
    // The core's CommonJS dependencies come through one module, and the API works from it.
    const api = run(process.execPath, [
      '--input-type=module',
      '-e',
      "const m = await import('@smtpure/node'); const { Options } = await import('@smtpure/core'); const r = Options.decodeEnvelope({ from: 'a@example.org', to: ['bad@@x'] }); console.log(JSON.stringify({ connect: typeof m.connect, left: r._tag, path: r.left.issues[0].path }))",
    ])
    assert.equal(api.status, 0, api.stderr)
    assert.deepEqual(JSON.parse(api.stdout), { connect: 'function', left: 'Left', path: 'to[0]' })
  })
})
