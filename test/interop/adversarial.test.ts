/**
 * Misbehaving servers over real loopback TCP, and hostile input in every field that reaches the
 * wire: the client ends with a typed error in bounded time and sends nothing it should not.
 */
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { describe, test } from 'node:test'
import { connect, sendMail, SmtpFailure } from '@smtpure/node'

/** A server that runs `script` for each client: each line received gets the next answer. */
const scripted = async (onConnection: (s: Socket, received: string[]) => void): Promise<{ port: number; server: Server; connections: () => number; received: string[] }> => {
  let connections = 0
  const received: string[] = []
  const server = createServer((s) => {
    connections++
    // A test server never keeps the test process alive (a failed test may not reach its close).
    s.unref()
    s.on('error', () => {})
    s.on('data', (d) => received.push(d.toString('latin1')))
    onConnection(s, received)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  server.unref()
  const a = server.address()
  return { port: typeof a === 'object' && a !== null ? a.port : 0, server, connections: () => connections, received }
}

/** Answer EHLO with STARTTLS, then do `afterStartTls` to the socket. */
const startTlsThen = (afterStartTls: (s: Socket) => void) => (s: Socket) => {
  s.write('220 mx ESMTP\r\n')
  let buf = ''
  s.on('data', (d) => {
    buf += d.toString('latin1')
    if (/EHLO [^\r\n]*\r\n$/.test(buf)) {
      buf = ''
      s.write('250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n')
    } else if (buf === 'STARTTLS\r\n') {
      buf = ''
      afterStartTls(s)
    }
  })
}

describe('misbehaving servers over TCP', () => {
  test('silent after STARTTLS 220: the handshake times out', async () => {
    const srv = await scripted(startTlsThen((s) => s.write('220 go ahead\r\n')))
    const started = Date.now()
    await assert.rejects(connect({ host: '127.0.0.1', port: srv.port, tls: 'required', timeouts: { tlsHandshake: 300 } }), (e: unknown) => {
      assert.ok(e instanceof SmtpFailure)
      assert.ok(e.error._tag === 'TimedOut' || e.error._tag === 'TlsFailed', e.error._tag)
      return true
    })
    assert.ok(Date.now() - started < 10_000)
    srv.server.close()
  })

  test('garbage instead of a TLS handshake: TlsFailed, credentials never sent', async () => {
    const srv = await scripted(startTlsThen((s) => s.write('220 go ahead\r\nthis is not TLS at all\r\n'.repeat(1))))
    await assert.rejects(connect({ host: '127.0.0.1', port: srv.port, tls: 'required', auth: { user: 'u', pass: 'secret-pass' } }), (e: unknown) => {
      assert.ok(e instanceof SmtpFailure)
      assert.ok(['TlsFailed', 'ProtocolViolation'].includes(e.error._tag), e.error._tag)
      return true
    })
    assert.ok(!srv.received.join('').includes('AUTH'))
    srv.server.close()
  })

  test('STARTTLS refused with 454 while TLS is required: no AUTH, no MAIL', async () => {
    const srv = await scripted(startTlsThen((s) => s.write('454 4.7.0 TLS not available\r\n')))
    await assert.rejects(connect({ host: '127.0.0.1', port: srv.port, auth: { user: 'u', pass: 'secret-pass' } }), (e: unknown) => {
      assert.ok(e instanceof SmtpFailure)
      assert.equal(e.error._tag, 'PolicyRefused')
      return true
    })
    assert.ok(!srv.received.join('').includes('AUTH'))
    srv.server.close()
  })

  test('an endless reply is cut at its limit, in bounded memory', async () => {
    const srv = await scripted((s) => {
      s.write('220-')
      const chunk = 'x'.repeat(64 * 1024)
      const pump = () => {
        while (s.writable && s.write(chunk)) {}
      }
      s.on('drain', pump)
      pump()
    })
    await assert.rejects(connect({ host: '127.0.0.1', port: srv.port, tls: 'none' }), (e: unknown) => {
      assert.ok(e instanceof SmtpFailure)
      assert.equal(e.error._tag, 'ProtocolViolation')
      return true
    })
    srv.server.close()
  })
})

describe('hostile input in every field: a typed error before anything is written', () => {
  const cases: ReadonlyArray<[string, Record<string, unknown>]> = [
    ['sender with CRLF', { from: 'a@example.org\r\nRCPT TO:<x@y>' }],
    ['recipient with LF', { to: ['b@example.net\nDATA'] }],
    ['recipient with NUL', { to: ['b\0@example.net'] }],
    ['over-long recipient', { to: [`${'x'.repeat(300)}@example.net`] }],
    ['EHLO name with CRLF', { clientName: 'c.example\r\nMAIL FROM:<x@y>' }],
    ['AUTH identity with NUL', { auth: { user: 'u\0admin', pass: 'p' } }],
    ['password with CRLF', { auth: { user: 'u', pass: 'secret-pass\r\nQUIT' } }],
    ['DSN ENVID with CRLF', { dsn: { envid: 'id\r\nQUIT' } }],
    ['DSN ENVID over-long', { dsn: { envid: 'x'.repeat(101) } }],
  ]
  for (const [name, bad] of cases) {
    test(name, async () => {
      const srv = await scripted((s) => s.write('220 mx\r\n'))
      await assert.rejects(
        sendMail({ host: '127.0.0.1', port: srv.port, tls: 'none', from: 'a@example.org', to: ['b@example.net'], body: 'x', ...bad } as Parameters<typeof sendMail>[0]),
        (e: unknown) => {
          assert.ok(e instanceof SmtpFailure, String(e))
          assert.equal(e.error._tag, 'UsageError')
          // The error names the field, never echoes a secret.
          assert.ok(!e.message.includes('secret-pass'), e.message)
          assert.ok(e.message.length > 0)
          return true
        },
      )
      assert.equal(srv.received.join(''), '', `${name}: something was written`)
      srv.server.close()
    })
  }
})
