/**
 * The Node adapter against real SMTP servers started on loopback by the test set-up
 * (test/servers): Postfix (with Dovecot SASL), aiosmtpd and smtp-server, over real TCP and TLS.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { connect, DeliveryError, sendMail, SmtpFailure, type ConnectOptions } from '@smtpure/node'
import { startAiosmtpd, startPostfix, startSmtpServer, testCa, type MailServer } from '../servers/index.ts'

/** A 20 MB body with many lines that start with '.', bare LFs and a bare CR. */
const bigBody = (): { wire: Buffer; expected: Buffer } => {
  const lines: string[] = ['Subject: big', '']
  let n = 0
  while (n < 20 * 1024 * 1024) {
    const i = lines.length
    const line = i % 7 === 0 ? `.line ${i} starts with a dot` : i % 11 === 0 ? '.' : `line ${i} ${'x'.repeat(60)}`
    lines.push(line)
    n += line.length + 2
  }
  // Mix line ends: CRLF mostly, bare LF every 5th line, a bare CR once.
  let wire = ''
  lines.forEach((l, i) => (wire += l + (i % 5 === 4 ? '\n' : i === 1001 ? '\r' : '\r\n')))
  const expected = lines.join('\r\n') + '\r\n'
  return { wire: Buffer.from(wire), expected: Buffer.from(expected) }
}

const servers: ReadonlyArray<[string, () => Promise<MailServer>]> = [
  ['postfix', startPostfix],
  ['aiosmtpd', startAiosmtpd],
  ['smtp-server', startSmtpServer],
]

for (const [name, start] of servers) {
  describe(`interop: ${name}`, { timeout: 120_000 }, () => {
    let server: MailServer
    let ca: string
    let unknownCa: string
    before(async () => {
      const certs = await testCa()
      ca = certs.caPem
      unknownCa = certs.unknownCaPem
      server = await start()
    })
    after(async () => {
      await server?.stop()
    })

    const base = (): ConnectOptions => ({ host: '127.0.0.1', port: server.plain.port, ca, clientName: 'client.example.test', tls: 'opportunistic' })
    const submission = (): ConnectOptions => ({
      host: 'localhost',
      port: (server.submission ?? server.plain).port,
      ca,
      clientName: 'client.example.test',
      auth: { user: server.credentials.username, pass: server.credentials.password },
    })
    const to = (local: string): string => `${local}@${server.domain}`
    const from = 'sender@example.org'

    test('plain send over TCP', async () => {
      await server.clearMessages()
      const r = await sendMail({ ...base(), tls: 'none', from, to: to('alice'), body: 'Subject: plain\r\n\r\nhello\r\n' })
      assert.equal(r.reply.code, 250)
      const m = await server.waitForRecipient(to('alice'))
      assert.ok(m.body.toString().includes('hello'))
      assert.deepEqual(m.recipients, [to('alice')])
    })

    test('sendMail queues QUIT behind the message: with PIPELINING it leaves with the final dot', async () => {
      await server.clearMessages()
      const r = await sendMail({ ...base(), tls: 'none', from, to: to('quitter'), body: 'Subject: q\r\n\r\nbye\r\n', transcript: true })
      assert.equal(r.reply.code, 250)
      const lines = r.transcript.map((l) => `${l.direction}: ${l.text}`)
      const content = lines.findIndex((l) => l.startsWith('C: <message content'))
      const after = lines.slice(content + 1, content + 4)
      if (lines.some((l) => /^S: 250[- ]PIPELINING$/i.test(l))) {
        // Written before the reply to the final dot was read.
        assert.match(after.join('\n'), /^C: QUIT\nS: 250.*\nS: 221/)
      } else {
        // RFC 2920 not offered (aiosmtpd): one command at a time.
        assert.match(after.join('\n'), /^S: 250.*\nC: QUIT\nS: 221/)
      }
      await server.waitForRecipient(to('quitter'))
    })

    test('STARTTLS + AUTH PLAIN', async () => {
      await server.clearMessages()
      const client = await connect({ ...submission(), auth: { ...submission().auth!, mechanisms: ['PLAIN'] }, transcript: true })
      assert.equal(client.secure, true)
      assert.equal(client.authenticated, 'PLAIN')
      await client.send({ from, to: to('bob'), body: 'Subject: tls\r\n\r\nsecret stuff\r\n' })
      await client.quit()
      const text = client.transcript().map((l) => l.text).join('\n')
      assert.ok(!text.includes(server.credentials.password))
      assert.match(text, /AUTH PLAIN <redacted>/)
      await server.waitForRecipient(to('bob'))
    })

    test('STARTTLS + AUTH LOGIN', async () => {
      const client = await connect({ ...submission(), auth: { ...submission().auth!, mechanisms: ['LOGIN'] } })
      assert.equal(client.authenticated, 'LOGIN')
      await client.quit()
    })

    test('implicit TLS (RFC 8314)', async () => {
      await server.clearMessages()
      const r = await sendMail({
        host: 'localhost',
        port: server.implicitTls.port,
        tls: 'implicit',
        ca,
        auth: { user: server.credentials.username, pass: server.credentials.password },
        from,
        to: to('carol'),
        body: 'Subject: implicit\r\n\r\nhi\r\n',
      })
      assert.equal(r.accepted.length, 1)
      await server.waitForRecipient(to('carol'))
    })

    test('wrong password: a typed 535 error, no MAIL sent', async () => {
      const lines: string[] = []
      await assert.rejects(
        connect({ ...submission(), auth: { user: server.credentials.username, pass: 'wrong password' }, onTranscript: (l) => lines.push(l.text) }),
        (e: unknown) => {
          assert.ok(e instanceof SmtpFailure)
          assert.equal(e.error._tag, 'Rejected')
          assert.equal((e.error as { code: number }).code, 535)
          return true
        },
      )
      assert.ok(!lines.some((l) => l.startsWith('MAIL')))
      assert.ok(!lines.join('\n').includes('wrong password'))
    })

    test('per-recipient rejection: the others still get the message', async () => {
      await server.clearMessages()
      const r = await sendMail({ ...base(), from, to: [to('dave'), to('reject'), to('erin')], body: 'Subject: some\r\n\r\nx\r\n' })
      assert.deepEqual(r.accepted.map((a) => a.recipient), [to('dave'), to('erin')])
      assert.equal(r.rejected.length, 1)
      assert.equal(r.rejected[0]!.recipient, to('reject'))
      assert.equal((r.rejected[0]!.error as { code: number }).code >= 500, true)
    })

    test('every recipient rejected: DeliveryError, nothing sent', async () => {
      await assert.rejects(sendMail({ ...base(), from, to: [to('reject')], body: 'x' }), (e: unknown) => {
        assert.ok(e instanceof DeliveryError)
        assert.equal(e.outcome, 'failed')
        assert.equal(e.recipients.length, 1)
        return true
      })
    })

    test('several messages on one connection', async () => {
      await server.clearMessages()
      const client = await connect(base())
      const results = await Promise.all([1, 2, 3].map((i) => client.send({ from, to: to(`multi${i}`), body: `Subject: ${i}\r\n\r\nmessage ${i}\r\n` })))
      assert.equal(results.length, 3)
      await client.quit()
      for (const i of [1, 2, 3]) assert.match((await server.waitForRecipient(to(`multi${i}`))).body.toString(), new RegExp(`message ${i}`))
    })

    test('a 20 MB body with dot lines and bare LFs arrives normalized, byte for byte', async () => {
      await server.clearMessages()
      const { wire, expected } = bigBody()
      const chunks = async function* () {
        for (let i = 0; i < wire.length; i += 65536) yield wire.subarray(i, i + 65536)
      }
      await sendMail({ ...base(), from, to: to('big'), body: chunks() })
      const m = await server.waitForRecipient(to('big'), 60_000)
      const body = m.body
      const want = expected.subarray(expected.indexOf('\r\n\r\n') + 4)
      assert.equal(body.length, want.length)
      assert.ok(body.equals(want), 'the body differs')
    })

    test('a certificate from an unknown CA is refused', async () => {
      await assert.rejects(connect({ ...submission(), ca: unknownCa }), (e: unknown) => {
        assert.ok(e instanceof SmtpFailure)
        assert.equal(e.error._tag, 'TlsFailed')
        return true
      })
    })

    if (name === 'postfix') {
      test('STARTTLS required but not offered is refused before anything is sent', async () => {
        await assert.rejects(connect({ host: '127.0.0.1', port: server.noTls!.port, ca, tls: 'required' }), (e: unknown) => {
          assert.ok(e instanceof SmtpFailure)
          assert.equal(e.error._tag, 'PolicyRefused')
          return true
        })
      })
    }
  })
}
