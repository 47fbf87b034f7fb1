/**
 * Runs the Deno adapter's tests under real Deno (the `deno` npm package) against the real
 * servers started here, and the shared vectors under Deno's runtime.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, before, describe, test } from 'node:test'
import { startAiosmtpd, startPostfix, testCa, type MailServer } from '../servers/index.ts'
import { startDns, type DnsServer } from '../servers/dnsmasq.ts'

const root = new URL('../../', import.meta.url).pathname

const deno = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  spawnSync('npx', ['deno', ...args], { cwd: root, env: { ...process.env, ...env, NO_COLOR: '1' }, encoding: 'utf8', timeout: 300_000 })

describe('Deno', { timeout: 360_000 }, () => {
  let servers: MailServer[] = []
  let dns: DnsServer
  before(async () => {
    servers = await Promise.all([startPostfix(), startAiosmtpd()])
    dns = await startDns({ localDomains: ['test'], hosts: { 'host.mx.test': ['127.0.0.1'] }, mx: { 'mx.test': [{ exchange: 'host.mx.test', preference: 10 }], 'example.test': [{ exchange: 'host.mx.test', preference: 10 }], 'null.test': [{ exchange: '.', preference: 0 }] } })
  })
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()))
    await dns.stop()
  })

  test('the shared transcript vectors pass under Deno', () => {
    const r = deno(['test', '--allow-read', 'packages/deno-adapter/test/vectors_test.ts'])
    assert.equal(r.status, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /ok \| \d+ passed \| 0 failed/)
  })

  test('@smtpure/core and @smtpure/deno are fit for JSR (deno publish --dry-run)', () => {
    const r = deno(['publish', '--dry-run', '--allow-dirty'])
    assert.equal(r.status, 0, r.stdout + r.stderr)
  })

  test('@smtpure/deno against Postfix and aiosmtpd', async () => {
    const certs = await testCa()
    const env = {
      caPem: certs.caPem,
      dnsPort: dns.port,
      unknownCaPem: certs.unknownCaPem,
      servers: servers.map((s) => ({
        name: s.name,
        plain: s.plain.port,
        submission: (s.submission ?? s.plain).port,
        implicitTls: s.implicitTls.port,
        noTls: s.noTls?.port ?? null,
        username: s.credentials.username,
        password: s.credentials.password,
        messageDir: s.messageDir,
      })),
    }
    const r = deno(['test', '--allow-net', '--allow-read', '--allow-env', '--allow-sys', 'packages/deno-adapter/test/interop_test.ts'], {
      SMTPURE_SERVERS: JSON.stringify(env),
    })
    assert.equal(r.status, 0, r.stdout + r.stderr)
    const m = /ok \| (\d+) passed \| 0 failed/.exec(r.stdout)
    assert.ok(m !== null && Number(m[1]) >= 18, r.stdout)
  })
})
