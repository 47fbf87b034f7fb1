/**
 * The package as users get it: `npm run build`, then the built CLI and `@smtpure/node` under bare
 * Node (no source condition, no loader). Everything else in test/ runs the TypeScript sources, so
 * this is what checks the build step itself (dist/deps.cjs, see scripts/cjs-deps.mjs).
 *
 * The benchmark's clients run on that build too, so their checks are here: the whole bench,
 * scaled down, must deliver with every client, and every client must fail when the server
 * refuses a recipient (a refused message counted as sent would inflate its figures).
 */
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { startMiniSmtp } from '../servers/miniSmtp.ts'

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

  test('the benchmark, scaled down 100×, runs every client in every scenario and the micro-benchmarks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpure-bench-'))
    try {
      const out = join(dir, 'RESULTS.md')
      const bench = spawnSync(
        process.execPath,
        ['--conditions=smtpure-source', '--import', 'tsx', 'bench/run.ts', '--scale', '100', '--runs', '1', '--no-build', '--out', out],
        { cwd: root, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 24 },
      )
      assert.equal(bench.status, 0, bench.stderr.slice(-2000))
      const table = readFileSync(out, 'utf8')
      assert.match(table, /Scaled down 100×/)
      const rows = table
        .split('\n')
        .filter((l) => /^\| [A-FWX] \|/.test(l))
        .map((l) => l.split('|').map((c) => c.trim()))
      const clients = ['smtp-source', 'smtpure', 'nodemailer', 'node-floor', 'smtplib']
      for (const sc of ['A', 'W', 'B', 'C', 'D', 'E', 'X', 'F']) {
        const expected = sc === 'F' ? ['smtp-source', 'smtpure', 'nodemailer'] : clients
        assert.deepEqual(rows.filter((r) => r[1] === sc).map((r) => r[2]), expected, `scenario ${sc}`)
      }
      for (const r of rows) {
        // msgs/s and peak RSS (and MB/s for the big bodies): a client that sent nothing or failed
        // to report shows here.
        for (const column of r[1] === 'D' || r[1] === 'F' ? [3, 4, 10] : [3, 10]) assert.ok(Number(r[column]) > 0 && Number.isFinite(Number(r[column])), `${r[1]} ${r[2]}: ${r.join(' | ')}`)
      }
      const micro = table.split('\n').filter((l) => /^\| [123] \|/.test(l))
      assert.equal(micro.length, 3)
      for (const l of micro) for (const c of l.split('|').slice(2, -1)) assert.ok(Number(c.trim()) > 0, l)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('every bench client fails, instead of counting the message, when a recipient is refused', async () => {
    // rcpt0 is the only recipient in A and E (all refused) and the first of C's 50 (one refused).
    const server = await startMiniSmtp({ onRcpt: (to) => (to === 'rcpt0@example.net' ? '550 5.1.1 no such user' : '250 2.1.5 ok') })
    const client = (cmd: string, argv: ReadonlyArray<string>) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const env = { ...process.env, SMTPURE_BENCH_SCALE: '100' }
        execFile(cmd, argv, { cwd: root, env, timeout: 60_000 }, (e, stdout, stderr) => resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, stdout, stderr }))
      })
    try {
      for (const sc of ['A', 'C', 'E']) {
        for (const [name, cmd, script] of [
          ['smtpure', process.execPath, 'bench/clients/smtpure.mjs'],
          ['nodemailer', process.execPath, 'bench/clients/nodemailer.mjs'],
          ['node-floor', process.execPath, 'bench/clients/node-floor.mjs'],
          ['smtplib', 'python3', 'bench/clients/smtplib_client.py'],
        ] as const) {
          const r = await client(cmd, [script, String(server.port), sc])
          assert.notEqual(r.code, 0, `${name} in ${sc} exited 0: ${r.stdout}`)
          assert.doesNotMatch(r.stdout, /"messages"/, `${name} in ${sc} reported a result`)
          assert.match(r.stderr, /550|refused|no such user|rejected/i, `${name} in ${sc}: ${r.stderr.slice(-500)}`)
        }
      }
    } finally {
      await server.close()
    }
  })
})
