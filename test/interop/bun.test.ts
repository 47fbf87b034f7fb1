/**
 * Runs @smtpure/bun's tests under real Bun (the `bun` npm package) against Postfix and
 * aiosmtpd started here: a transport written from the documented contract alone.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { startAiosmtpd, startPostfix, testCa, type MailServer } from '../servers/index.ts'

const root = new URL('../../', import.meta.url).pathname

describe('Bun', { timeout: 300_000 }, () => {
  let servers: MailServer[] = []
  before(async () => {
    servers = await Promise.all([startPostfix(), startAiosmtpd()])
  })
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()))
  })

  test('@smtpure/bun against Postfix and aiosmtpd', async () => {
    const certs = await testCa()
    const env = {
      caPem: certs.caPem,
      unknownCaPem: certs.unknownCaPem,
      servers: servers.map((s) => ({
        name: s.name,
        plain: s.plain.port,
        submission: (s.submission ?? s.plain).port,
        implicitTls: s.implicitTls.port,
        username: s.credentials.username,
        password: s.credentials.password,
        messageDir: s.messageDir,
      })),
    }
    const r = spawnSync('npx', ['bun', 'test', '--conditions=smtpure-source', '--timeout', '60000', 'packages/bun-adapter/test/'], {
      cwd: root,
      env: { ...process.env, SMTPURE_SERVERS: JSON.stringify(env), NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 240_000,
    })
    const out = r.stdout + r.stderr
    assert.equal(r.status, 0, out)
    const m = /(\d+) pass/.exec(out)
    assert.ok(m !== null && Number(m[1]) >= 10, out)
  })
})
