/**
 * @smtpure/deno against the real servers the Node test runner started (test/interop/deno.test.ts
 * passes their endpoints in SMTPURE_SERVERS): real Deno sockets, real TLS.
 */
import { connect, DeliveryError, denoResolver, makeDenoApi, sendMail, SmtpFailure } from '../mod.ts'

interface ServerInfo {
  readonly name: string
  readonly plain: number
  readonly submission: number
  readonly implicitTls: number
  readonly noTls: number | null
  readonly username: string
  readonly password: string
  readonly messageDir: { readonly path: string; readonly format: 'postfix' | 'aiosmtpd' }
}
interface Env {
  readonly caPem: string
  readonly unknownCaPem: string
  readonly servers: ReadonlyArray<ServerInfo>
  /** dnsmasq on 127.0.0.1: MX for mx.test → 127.0.0.1, a null MX for null.test (see deno.test.ts). */
  readonly dnsPort: number
}

const env = JSON.parse(Deno.env.get('SMTPURE_SERVERS') ?? 'null') as Env | null
const ignore = env === null

const assert = (cond: unknown, message: string): void => {
  if (!cond) throw new Error(message)
}

/** Messages stored by the server whose subject line holds `marker`, as CRLF text. */
const stored = async (s: ServerInfo, marker: string, timeoutMs = 30_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    for await (const e of Deno.readDir(s.messageDir.path)) {
      if (!e.name.endsWith('.eml')) continue
      const bytes = await Deno.readFile(`${s.messageDir.path}/${e.name}`)
      let text = new TextDecoder('latin1').decode(bytes)
      if (s.messageDir.format === 'postfix') text = text.replace(/\n/g, '\r\n')
      if (text.includes(marker)) return text
    }
    if (Date.now() > deadline) throw new Error(`no stored message with ${marker}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const from = 'sender@example.org'

for (const s of env?.servers ?? []) {
  const auth = { user: s.username, pass: s.password }
  const ca = [env!.caPem]

  Deno.test({ name: `${s.name}: plain send`, ignore }, async () => {
    const marker = `plain-${crypto.randomUUID()}`
    const r = await sendMail({ host: '127.0.0.1', port: s.plain, tls: 'none', from, to: 'alice@example.test', body: `Subject: ${marker}\r\n\r\nhello from Deno\r\n` })
    assert(r.reply.code === 250, `reply ${r.reply.code}`)
    assert((await stored(s, marker)).includes('hello from Deno'), 'body missing')
  })

  Deno.test({ name: `${s.name}: STARTTLS + AUTH`, ignore }, async () => {
    const lines: string[] = []
    const client = await connect({ host: 'localhost', port: s.submission, caCerts: ca, auth, onTranscript: (l) => lines.push(l.text) })
    assert(client.secure && client.authenticated !== null, 'not secure or not authenticated')
    await client.send({ from, to: 'bob@example.test', body: 'Subject: tls\r\n\r\nx\r\n' })
    await client.quit()
    assert(!lines.join('\n').includes(s.password), 'password in transcript')
  })

  Deno.test({ name: `${s.name}: implicit TLS`, ignore }, async () => {
    const r = await sendMail({ host: 'localhost', port: s.implicitTls, tls: 'implicit', caCerts: ca, auth, from, to: 'carol@example.test', body: 'Subject: implicit\r\n\r\nx\r\n' })
    assert(r.accepted.length === 1, 'not accepted')
  })

  Deno.test({ name: `${s.name}: wrong password`, ignore }, async () => {
    try {
      await connect({ host: 'localhost', port: s.submission, caCerts: ca, auth: { user: s.username, pass: 'wrong' } })
      throw new Error('logged in with a wrong password')
    } catch (e) {
      assert(e instanceof SmtpFailure && e.error._tag === 'Rejected' && (e.error as { code: number }).code === 535, `got ${e}`)
    }
  })

  Deno.test({ name: `${s.name}: per-recipient rejection`, ignore }, async () => {
    const r = await sendMail({ host: '127.0.0.1', port: s.plain, tls: 'none', from, to: ['dave@example.test', 'reject@example.test'], body: 'Subject: r\r\n\r\nx\r\n' })
    assert(r.accepted.length === 1 && r.rejected.length === 1 && r.rejected[0]!.recipient === 'reject@example.test', JSON.stringify(r))
  })

  Deno.test({ name: `${s.name}: a large streamed body arrives byte-exact after normalization`, ignore }, async () => {
    const marker = `big-${crypto.randomUUID()}`
    const lines = [`Subject: ${marker}`, '']
    for (let i = 0; i < 60_000; i++) lines.push(i % 9 === 0 ? `.dot line ${i}` : `line ${i} ${'y'.repeat(70)}`)
    const wire = lines.map((l, i) => l + (i % 4 === 3 ? '\n' : '\r\n')).join('')
    const expected = lines.join('\r\n') + '\r\n'
    const bytes = new TextEncoder().encode(wire)
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 50_000) c.enqueue(bytes.subarray(i, i + 50_000))
        c.close()
      },
    })
    await sendMail({ host: '127.0.0.1', port: s.plain, tls: 'none', from, to: 'big@example.test', body: stream })
    const got = await stored(s, marker)
    const body = got.slice(got.indexOf('\r\n\r\n') + 4)
    const want = expected.slice(expected.indexOf('\r\n\r\n') + 4)
    assert(body === want, `body differs: ${body.length} vs ${want.length} octets`)
  })

  Deno.test({ name: `${s.name}: a certificate from an unknown CA is refused`, ignore }, async () => {
    try {
      await connect({ host: 'localhost', port: s.submission, caCerts: [env!.unknownCaPem], auth })
      throw new Error('connected with an untrusted certificate')
    } catch (e) {
      assert(e instanceof SmtpFailure && e.error._tag === 'TlsFailed', `got ${e}`)
    }
  })

  if (s.noTls !== null) {
    Deno.test({ name: `${s.name}: STARTTLS required but not offered`, ignore }, async () => {
      try {
        await connect({ host: '127.0.0.1', port: s.noTls!, tls: 'required' })
        throw new Error('connected without TLS')
      } catch (e) {
        assert(e instanceof SmtpFailure && e.error._tag === 'PolicyRefused', `got ${e}`)
      }
    })
  }
}

Deno.test({ name: 'a silent server times out', ignore }, async () => {
  const listener = Deno.listen({ hostname: '127.0.0.1', port: 0 })
  const held: Deno.Conn[] = []
  const accepting = (async () => {
    for await (const c of listener) held.push(c)
  })()
  try {
    await connect({ host: '127.0.0.1', port: (listener.addr as Deno.NetAddr).port, tls: 'none', timeouts: { greeting: 200 } })
    throw new Error('connected to a silent server')
  } catch (e) {
    assert(e instanceof SmtpFailure && e.error._tag === 'TimedOut', `got ${e}`)
  } finally {
    listener.close()
    for (const c of held) c.close()
    await accepting.catch(() => {})
  }
})

Deno.test({ name: 'abort after the final dot: delivery unknown', ignore }, async () => {
  // A server that takes the message and never answers the final dot.
  const listener = Deno.listen({ hostname: '127.0.0.1', port: 0 })
  const serve = (async () => {
    const conn = await listener.accept()
    const w = (s: string) => conn.write(new TextEncoder().encode(s))
    await w('220 slow ESMTP\r\n')
    const buf = new Uint8Array(65536)
    let text = ''
    for (;;) {
      const n = await conn.read(buf)
      if (n === null) break
      text += new TextDecoder().decode(buf.subarray(0, n))
      if (text.endsWith('\r\n') && /^EHLO/m.test(text) && !text.includes('MAIL')) {
        text = ''
        await w('250-slow\r\n250 PIPELINING\r\n')
      } else if (text.includes('DATA\r\n') && !text.includes('354sent')) {
        text = '354sent'
        await w('250 ok\r\n250 ok\r\n354 go\r\n')
      }
    }
    conn.close()
  })()
  const client = await connect({ host: '127.0.0.1', port: (listener.addr as Deno.NetAddr).port, tls: 'none' })
  const ac = new AbortController()
  const sending = client.send({ from, to: 'x@example.test', body: 'Subject: x\r\n\r\nx\r\n', signal: ac.signal })
  setTimeout(() => ac.abort(), 200)
  try {
    await sending
    throw new Error('delivered?')
  } catch (e) {
    assert(e instanceof DeliveryError && e.outcome === 'unknown', `got ${e}`)
  } finally {
    listener.close()
    await serve.catch(() => {})
  }
})

Deno.test({ name: 'Deno.resolveDns resolver: classified answers, and direct delivery through MX', ignore }, async () => {
  const resolver = denoResolver({ ipAddr: '127.0.0.1', port: env!.dnsPort })
  const mx = await resolver.mx('mx.test')
  assert(mx._tag === 'Found' && mx.records[0]!.exchange.replace(/\.$/, '') === 'host.mx.test', `mx ${JSON.stringify(mx)}`)
  const none = await resolver.mx('host.mx.test')
  assert(none._tag === 'NoRecords' || none._tag === 'NoDomain', `nodata ${JSON.stringify(none)}`)
  const gone = await resolver.mx('gone.test')
  assert(gone._tag === 'NoDomain' || gone._tag === 'NoRecords', `nxdomain ${JSON.stringify(gone)}`)
  const s = env!.servers[0]!
  const api = makeDenoApi({ resolver })
  const marker = `direct-${crypto.randomUUID()}`
  const report = await api.sendDirect({ port: s.plain, tls: 'none' }, { from, to: ['dora@example.test', 'nobody@null.test'], body: `Subject: ${marker}\r\n\r\nvia MX from Deno\r\n` })
  assert(report.accepted.length === 1 && report.accepted[0]!.recipient === 'dora@example.test', JSON.stringify(report))
  assert(report.rejected.length === 1 && report.rejected[0]!.recipient === 'nobody@null.test' && !report.rejected[0]!.transient, JSON.stringify(report))
  assert((await stored(s, marker)).includes('via MX from Deno'), 'body missing')
})
