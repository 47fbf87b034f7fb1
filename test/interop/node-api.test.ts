/**
 * The Node API's behaviour over real sockets: every body type, AbortSignal before and after the
 * final dot, the TaskEither twins, input validation, timeouts and STARTTLS response injection.
 */
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import { SMTPServer } from 'smtp-server'
import { connect, DeliveryError, sendMail, sendMailTE, SmtpFailure } from '@smtpure/node'
import { testCa } from '../servers/index.ts'

interface Captured {
  readonly raw: Buffer
}

/** smtp-server with hooks to slow down RCPT or the final reply. */
const startServer = async (hooks: { rcptDelayMs?: number; dataEndDelayMs?: number } = {}) => {
  const got: Captured[] = []
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(_a, _s, cb) {
      setTimeout(() => cb(), hooks.rcptDelayMs ?? 0)
    },
    onData(stream, _s, cb) {
      const parts: Buffer[] = []
      stream.on('data', (d: Buffer) => parts.push(d))
      stream.on('end', () => {
        got.push({ raw: Buffer.concat(parts) })
        setTimeout(() => cb(null), hooks.dataEndDelayMs ?? 0)
      })
    },
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const a = server.server.address()
  const port = typeof a === 'object' && a !== null ? a.port : 0
  return { port, got, close: () => new Promise<void>((r) => server.close(() => r())) }
}

/** A raw TCP server that runs `onConnection` for each client. */
const rawServer = async (onConnection: (s: Socket) => void): Promise<{ port: number; server: Server }> => {
  const server = createServer(onConnection)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const a = server.address()
  return { port: typeof a === 'object' && a !== null ? a.port : 0, server }
}

const base = { host: '127.0.0.1', tls: 'none' as const, from: 'a@example.org', to: 'b@example.net' }

describe('node API over real sockets', () => {
  let s: Awaited<ReturnType<typeof startServer>>
  before(async () => {
    s = await startServer()
  })
  after(async () => {
    await s.close()
  })

  const text = 'Subject: body types\r\n\r\nline one\r\n.dotted\r\nline three\r\n'
  const bodies: ReadonlyArray<[string, () => unknown]> = [
    ['string', () => text],
    ['Uint8Array', () => new TextEncoder().encode(text)],
    ['Node Readable', () => Readable.from([Buffer.from(text.slice(0, 10)), Buffer.from(text.slice(10))])],
    ['Node Readable with string chunks', () => Readable.from([text.slice(0, 5), text.slice(5)], { objectMode: true })],
    [
      'web ReadableStream',
      () =>
        new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode(text.slice(0, 20)))
            c.enqueue(new TextEncoder().encode(text.slice(20)))
            c.close()
          },
        }),
    ],
    [
      'async iterable of strings',
      () =>
        (async function* () {
          for (const ch of text.match(/.{1,7}/gs) ?? []) yield ch
        })(),
    ],
    ['array of chunks', () => [Buffer.from(text)]],
  ]
  for (const [name, make] of bodies) {
    test(`body from ${name}`, async () => {
      const before = s.got.length
      await sendMail({ ...base, port: s.port, body: make() as string })
      assert.equal(s.got[before]!.raw.toString(), text)
    })
  }

  test('the TaskEither twin returns Right on success and Left with a typed error on failure', async () => {
    const r = await sendMailTE({ ...base, port: s.port, body: 'x' })()
    assert.ok(E.isRight(r))
    assert.equal(r.right.accepted.length, 1)
    const l = await sendMailTE({ ...base, port: 1, body: 'x' })()
    assert.ok(E.isLeft(l))
    assert.ok(l.left instanceof SmtpFailure)
    assert.equal(l.left.error._tag, 'ConnectFailed')
    assert.equal(l.left.transient, true)
  })

  test('bad input is a UsageError naming the field, before any connection is made', async () => {
    let connections = 0
    const raw = await rawServer((sock) => {
      connections++
      sock.destroy()
    })
    await assert.rejects(sendMail({ ...base, port: raw.port, to: ['ok@example.net', 'evil@example.net\r\nRCPT TO:<x@y>'], body: 'x' }), (e: unknown) => {
      assert.ok(e instanceof SmtpFailure)
      assert.equal(e.error._tag, 'UsageError')
      assert.deepEqual(
        (e.error as { issues: ReadonlyArray<{ path: string }> }).issues.map((i) => i.path),
        ['to[1]'],
      )
      return true
    })
    assert.equal(connections, 0)
    raw.server.close()
  })
})

describe('AbortSignal', () => {
  test('aborting before the final dot: delivery failed, nothing delivered', async () => {
    const s = await startServer({ rcptDelayMs: 300 })
    const client = await connect({ host: '127.0.0.1', port: s.port, tls: 'none' })
    const ac = new AbortController()
    const sending = client.send({ from: 'a@example.org', to: 'b@example.net', body: 'Subject: x\r\n\r\nbody\r\n', signal: ac.signal })
    setTimeout(() => ac.abort(), 50)
    await assert.rejects(sending, (e: unknown) => {
      assert.ok(e instanceof DeliveryError)
      assert.equal(e.outcome, 'failed')
      assert.equal(e.error._tag, 'Aborted')
      return true
    })
    await new Promise((r) => setTimeout(r, 400))
    assert.equal(s.got.length, 0)
    await s.close()
  })

  test('aborting after the final dot: delivery unknown', async () => {
    const s = await startServer({ dataEndDelayMs: 500 })
    const client = await connect({ host: '127.0.0.1', port: s.port, tls: 'none' })
    const ac = new AbortController()
    const sending = client.send({ from: 'a@example.org', to: 'b@example.net', body: 'Subject: x\r\n\r\nbody\r\n', signal: ac.signal })
    // Abort once the server has the whole message but has not answered yet.
    const started = Date.now()
    while (s.got.length === 0 && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10))
    ac.abort()
    await assert.rejects(sending, (e: unknown) => {
      assert.ok(e instanceof DeliveryError)
      assert.equal(e.outcome, 'unknown')
      assert.equal(e.transient, false)
      return true
    })
    await s.close()
  })
})

describe('hostile and silent servers over TCP', () => {
  test('a silent server times out with a typed error', async () => {
    const raw = await rawServer(() => {})
    await assert.rejects(connect({ host: '127.0.0.1', port: raw.port, tls: 'none', timeouts: { greeting: 200 } }), (e: unknown) => {
      assert.ok(e instanceof SmtpFailure)
      assert.equal(e.error._tag, 'TimedOut')
      return true
    })
    raw.server.close()
  })

  test('STARTTLS response injection over a real socket fails closed', async () => {
    const raw = await rawServer((sock) => {
      sock.write('220 mx ESMTP\r\n')
      let buf = ''
      sock.on('data', (d) => {
        buf += d.toString()
        if (buf.endsWith('EHLO [127.0.0.1]\r\n') || /EHLO .*\r\n$/.test(buf)) {
          buf = ''
          sock.write('250-mx\r\n250 STARTTLS\r\n')
        } else if (buf === 'STARTTLS\r\n') {
          sock.write('220 go ahead\r\n250-mx\r\n250 AUTH PLAIN\r\n')
        }
      })
      sock.on('error', () => {})
    })
    await assert.rejects(connect({ host: '127.0.0.1', port: raw.port, tls: 'required', clientName: 'c.example' }), (e: unknown) => {
      assert.ok(e instanceof SmtpFailure)
      assert.equal(e.error._tag, 'ProtocolViolation')
      return true
    })
    raw.server.close()
  })
})

describe('bearer tokens', () => {
  test('XOAUTH2 with a token provider: a refused token is refreshed once, then accepted', async () => {
    const seen: string[] = []
    const server = new SMTPServer({
      authMethods: ['XOAUTH2'],
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth(auth, _s, cb) {
        seen.push(auth.accessToken ?? '')
        if (auth.accessToken === 'fresh-token' && auth.username === 'me@example.org') cb(null, { user: 'me' })
        else cb(null, { data: { status: '401', schemes: 'bearer' } })
      },
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const a = server.server.address()
    const port = typeof a === 'object' && a !== null ? a.port : 0
    const requests: boolean[] = []
    const client = await connect({
      host: '127.0.0.1',
      port,
      tls: 'none',
      auth: {
        user: 'me@example.org',
        allowPlaintext: true,
        token: async ({ refresh }) => {
          requests.push(refresh)
          return refresh ? 'fresh-token' : 'stale-token'
        },
      },
    })
    assert.equal(client.authenticated, 'XOAUTH2')
    assert.deepEqual(requests, [false, true])
    assert.deepEqual(seen, ['stale-token', 'fresh-token'])
    await client.quit()
    await new Promise<void>((r) => server.close(() => r()))
  })
})

describe('certificates are checked by default', () => {
  const certCases = ['wrongHost', 'expired', 'selfSigned'] as const
  for (const which of certCases) {
    test(`a ${which} certificate is refused; the dangerous opt-out accepts it`, async () => {
      const certs = await testCa()
      const bad = certs.bad[which]
      const server = new SMTPServer({ key: bad.keyPem, cert: bad.certPem, authOptional: true, logger: false, onData: (s, _x, cb) => s.on('data', () => {}).on('end', () => cb()) })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
      const a = server.server.address()
      const port = typeof a === 'object' && a !== null ? a.port : 0
      await assert.rejects(connect({ host: 'localhost', port, tls: 'required', ca: certs.caPem }), (e: unknown) => {
        assert.ok(e instanceof SmtpFailure)
        assert.equal(e.error._tag, 'TlsFailed')
        return true
      })
      const client = await connect({ host: 'localhost', port, tls: 'required', ca: certs.caPem, dangerouslyAllowInvalidCertificates: true })
      assert.equal(client.secure, true)
      await client.quit()
      await new Promise<void>((r) => server.close(() => r()))
    })
  }
})
