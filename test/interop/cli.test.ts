/** The smtpure command end to end: exit codes and output, against real servers. */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { main, EXIT } from '../../packages/node-adapter/src/cli.ts'
import { captureIo } from '../harness/CaptureIo.ts'
import { startSmtpServer, type MailServer } from '../servers/index.ts'
import { startMiniSmtp } from '../servers/miniSmtp.ts'
import { testCa } from '../servers/ca.ts'

const capture = captureIo

describe('smtpure send', () => {
  let server: MailServer
  before(async () => {
    server = await startSmtpServer()
  })
  after(async () => server.stop())

  test('delivers, with a JSON result, and the message is well-formed', async () => {
    const t = capture()
    const code = await main(['send', '--server', `127.0.0.1:${server.plain.port}`, '--tls', 'none', '--json', '--from', 'me@example.org', '--to', 'you@example.test', '--subject', 'Grüße', '--body', 'hello'], t.io)
    assert.equal(code, EXIT.ok)
    const result = JSON.parse(t.out.find((l) => l.startsWith('{'))!) as { status: string; accepted: Array<{ recipient: string }> }
    assert.equal(result.status, 'delivered')
    assert.deepEqual(result.accepted.map((a) => a.recipient), ['you@example.test'])
    const m = await server.waitForRecipient('you@example.test')
    const raw = m.raw.toString()
    assert.match(raw, /^Subject: =\?UTF-8\?/m)
    assert.match(raw, /^MIME-Version: 1\.0/m)
  })

  test('exit codes: usage 2, permanent 3, temporary 4; a partly refused message is not "ok"', async () => {
    const s = `127.0.0.1:${server.plain.port}`
    assert.equal(await main(['send', '--server', s, '--to', 'not an address'], capture().io), EXIT.usage)
    assert.equal(await main(['send', '--server', s, '--tls', 'none', '--to', 'reject@example.test', '--quiet'], capture().io), EXIT.permanent)
    assert.equal(await main(['send', '--server', s, '--tls', 'none', '--to', 'tempfail@example.test', '--quiet'], capture().io), EXIT.transient)
    assert.equal(await main(['send', '--server', s, '--tls', 'none', '--to', 'ok@example.test', '--to', 'reject2@example.test', '--quiet'], capture().io), EXIT.permanent)
    assert.equal(await main(['bogus'], capture().io), EXIT.usage)
    assert.equal(await main(['send', '--nonsense'], capture().io), EXIT.usage)
    assert.equal(await main(['send', '--count', '0'], capture().io), EXIT.usage)
  })

  test('passwords never from argv; from the environment or the prompt, never printed', async () => {
    const t = capture()
    assert.equal(await main(['send', '--server', '127.0.0.1:1', '--password', 'hunter2'], t.io), EXIT.usage)
    assert.ok(!t.all().includes('hunter2'))
    // No terminal and no SMTPURE_PASSWORD: a usage error, nothing sent.
    assert.equal(await main(['send', '--server', `127.0.0.1:${server.submission!.port}`, '--auth', 'node-user'], capture().io), EXIT.usage)
    // From the prompt, over STARTTLS (TLS is required with AUTH by default), with -v: the
    // transcript shows AUTH but never the secret.
    const caPath = join((await testCa()).dir, 'server-ca.pem')
    let asked = ''
    const v = capture({}, async (prompt) => {
      asked = prompt
      return server.credentials.password
    })
    const code = await main(['send', '--server', `localhost:${server.submission!.port}`, '--ca', caPath, '--auth', server.credentials.username, '--to', 'prompted@example.test', '-v'], v.io)
    assert.equal(code, EXIT.ok, v.all())
    assert.match(asked, /password for node-user/)
    assert.match(v.all(), /C: AUTH PLAIN/)
    assert.match(v.all(), /C: STARTTLS/)
    assert.ok(!v.all().includes(server.credentials.password))
    assert.ok(!v.all().includes(Buffer.from(`\0${server.credentials.username}\0${server.credentials.password}`).toString('base64')))
  })

  test('bulk: --count with a pool and a progress line in messages/s', async (ctx) => {
    const mini = await startMiniSmtp()
    ctx.after(() => mini.close())
    const t = capture()
    const code = await main(['send', '--server', `127.0.0.1:${mini.port}`, '--tls', 'none', '--to', 'many@example.test', '--count', '40', '--connections', '3', '--progress'], t.io)
    assert.equal(code, EXIT.ok, t.all())
    assert.equal(mini.messages.length, 40)
    assert.ok(mini.connections() <= 3)
    assert.match(t.status.at(-1)!, /^\[#{20}\] 40\/40 messages, [\d.]+ msg\/s$/)
    assert.match(t.out.join('\n'), /40 sent, 0 failed, 0 unknown/)
  })

  test('bulk: --to-file sends one message per recipient; a dropped dot gives exit 5', async (t0) => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpure-cli-'))
    const list = join(dir, 'rcpts.txt')
    writeFileSync(list, '# newsletter\na@example.test\nb@example.test\n\nlost@example.test\n')
    const mini = await startMiniSmtp({ onDot: (m) => (m.to.includes('lost@example.test') ? 'drop' : '250 ok') })
    t0.after(() => mini.close())
    const t = capture()
    const code = await main(['send', '--server', `127.0.0.1:${mini.port}`, '--tls', 'none', '--to-file', list, '--json'], t.io)
    assert.equal(code, EXIT.unknown)
    const json = JSON.parse(t.out.at(-1)!) as { sent: number; unknown: number; messages: Array<{ to: string[]; outcome: string }> }
    assert.equal(json.sent, 2)
    assert.equal(json.unknown, 1)
    assert.deepEqual(json.messages.map((m) => [m.to[0], m.outcome]), [['a@example.test', 'Sent'], ['b@example.test', 'Sent'], ['lost@example.test', 'Unknown']])
  })

  test('a large body file shows bytes/s progress and arrives whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtpure-cli-'))
    const file = join(dir, 'big.txt')
    writeFileSync(file, 'line of text that repeats\n'.repeat(200_000))
    const t = capture()
    const code = await main(['send', '--server', `127.0.0.1:${server.plain.port}`, '--tls', 'none', '--to', 'big@example.test', '--body-file', file, '--progress', '--quiet'], t.io)
    assert.equal(code, EXIT.ok, t.all())
    assert.match(t.status.at(-1)!, /^sending [\d.]+ MiB at [\d.]+ (KiB|MiB|GiB)\/s$/)
    const m = await server.waitForRecipient('big@example.test')
    assert.ok(m.raw.length > 5_000_000)
  })
})

describe('smtpure probe', () => {
  let server: MailServer
  before(async () => {
    server = await startSmtpServer()
  })
  after(async () => server.stop())

  test('shows TLS version, certificate and extensions after STARTTLS', async () => {
    const caPath = join((await testCa()).dir, 'server-ca.pem')
    const t = capture()
    const code = await main(['probe', `localhost:${server.plain.port}`, '--ca', caPath], t.io)
    assert.equal(code, EXIT.ok, t.all())
    const text = t.all()
    assert.match(text, /: encrypted/)
    assert.match(text, /TLS\s+TLSv1\.[23]/)
    assert.match(text, /sha256\s+([0-9A-F]{2}:){31}[0-9A-F]{2}/)
    assert.match(text, /AUTH\s+PLAIN LOGIN/)
  })

  test('JSON, and an untrusted certificate is refused (exit 3)', async () => {
    const caPath = join((await testCa()).dir, 'server-ca.pem')
    const t = capture()
    assert.equal(await main(['probe', `localhost:${server.implicitTls.port}`, '--tls', 'implicit', '--ca', caPath, '--json'], t.io), EXIT.ok)
    const json = JSON.parse(t.out[0]!) as { secure: boolean; tls: { protocol: string }; extensions: string[] }
    assert.equal(json.secure, true)
    assert.match(json.tls.protocol, /^TLSv1\.[23]$/)
    const bad = capture()
    assert.equal(await main(['probe', `localhost:${server.plain.port}`, '--tls', 'required'], bad.io), EXIT.permanent)
    assert.match(bad.all(), /TLS failed|certificate/i)
  })
})
