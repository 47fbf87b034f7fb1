/**
 * The platform-free driver over the in-memory transport and the virtual clock: outputs are
 * performed in order, reads stop during the TLS handshake, bodies are pulled one chunk at a
 * time, and deadlines fire on the virtual clock.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import { decodeConfig, decodeEnvelope, openSession, type Envelope } from '@smtpure/core'
import { MemoryTransport, ScriptedServer, type ScriptStep } from '../harness/MemoryTransport.ts'
import { VirtualClock } from '../harness/VirtualClock.ts'

const config = (extra: Record<string, unknown> = {}) => {
  const c = decodeConfig({ serverName: 'mx.example', clientName: 'client.example', tls: 'none', ...extra })
  if (E.isLeft(c)) throw new Error(c.left.message)
  return c.right
}
const envelope = (to: string[] = ['bob@example.net']): Envelope => {
  const e = decodeEnvelope({ from: 'alice@example.org', to })
  if (E.isLeft(e)) throw new Error(e.left.message)
  return e.right
}
const ready = (server: ScriptedServer, clock = new VirtualClock(), extra: Record<string, unknown> = {}) =>
  openSession(new MemoryTransport(server), clock, config(extra), { transcript: true })

const greet: ScriptStep[] = [
  { send: '220 mx.example ESMTP\r\n' },
  { expect: 'EHLO client.example\r\n' },
  { send: '250-mx.example\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n' },
]

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield Buffer.from(p)
}

describe('Driver', () => {
  test('a pipelined send, streamed body, QUIT; transcript is complete', async () => {
    const server = new ScriptedServer([
      ...greet,
      { expect: 'MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n' },
      { send: '250 ok\r\n250 ok\r\n354 go\r\n' },
      { expect: 'Subject: x\r\n\r\n..dot\r\nend\r\n.\r\n' },
      { send: '250 queued\r\n' },
      { expect: 'QUIT\r\n' },
      { send: '221 bye\r\n' },
      { close: true },
    ])
    const s = await ready(server)
    assert.ok(E.isRight(s))
    const outcome = await s.right.send(envelope(), chunks('Subject: x\r\n\r\n', '.dot\n', 'end'))
    assert.equal(outcome._tag, 'Delivered')
    await s.right.quit()
    await server.done
    assert.equal(server.failure, null)
    const t = s.right.transcript().map((l) => `${l.direction}: ${l.text}`)
    assert.deepEqual(t.slice(0, 3), ['S: 220 mx.example ESMTP', 'C: EHLO client.example', 'S: 250-mx.example'])
    assert.ok(t.includes('C: <message content: 29 octets>'), t.join('\n'))
  })

  test('a streamed body is stuffed into one reused buffer only when the transport releases written bytes', async () => {
    // Every chunk has lines that start with a dot and a bare LF, so every chunk needs a copy.
    const line = (i: number): string => `.line ${String(i).padStart(4, '0')} ${'x'.repeat(60)}\n`
    // Chunks above MAX_SLAB_ALLOCATION, so without `into` each gets an array of its own.
    const parts = Array.from({ length: 40 }, (_, k) => Array.from({ length: 80 }, (_, i) => line(k * 80 + i)).join(''))
    const wire = parts.join('').replace(/\n/g, '\r\n').replace(/^\./gm, '..') + '.\r\n'
    class Recording extends MemoryTransport {
      readonly buffers: ArrayBufferLike[] = []
      override async write(bytes: Uint8Array): Promise<void> {
        this.buffers.push(bytes.buffer)
        return super.write(bytes)
      }
    }
    // MemoryTransport copies what it is given, so it may say it no longer reads the bytes.
    class Releasing extends Recording {
      readonly releasesWrittenBytes = true
    }
    const encode = (p: string): Uint8Array => new TextEncoder().encode(p)
    async function* streamed(): AsyncGenerator<Uint8Array> {
      for (const p of parts) yield encode(p)
    }
    // A body given whole arrives as an array of chunks; its last one carries the terminator.
    const forms = [() => streamed(), () => parts.map(encode)]
    for (const transport of [Releasing, Recording]) {
      for (const body of forms) {
        const server = new ScriptedServer([
          ...greet,
          { expect: 'MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n' },
          { send: '250 ok\r\n250 ok\r\n354 go\r\n' },
          { expect: wire },
          { send: '250 queued\r\n' },
        ])
        const t = new transport(server)
        const s = await openSession(t, new VirtualClock(), config(), {})
        assert.ok(E.isRight(s))
        const before = t.buffers.length
        assert.equal((await s.right.send(envelope(), body()))._tag, 'Delivered')
        await server.done
        assert.equal(server.failure, null)
        // The buffers behind all but the last body write (after the MAIL/RCPT/DATA write).
        const bodies = new Set(t.buffers.slice(before + 1, before + parts.length))
        assert.equal(bodies.size, transport === Releasing ? 1 : parts.length - 1)
      }
    }
  })

  test('STARTTLS upgrade happens with no read pending; credentials never reach the transcript', async () => {
    const server = new ScriptedServer([
      { send: '220 mx.example ESMTP\r\n' },
      { expect: 'EHLO client.example\r\n' },
      { send: '250-mx.example\r\n250 STARTTLS\r\n' },
      { expect: 'STARTTLS\r\n' },
      { send: '220 go ahead\r\n' },
      { tls: 'ok' },
      { expect: 'EHLO client.example\r\n' },
      { send: '250-mx.example\r\n250 AUTH PLAIN LOGIN\r\n' },
      { expect: 'AUTH PLAIN AHVzZXIAaHVudGVyMg==\r\n' },
      { send: '235 ok\r\n' },
    ])
    const s = await ready(server, new VirtualClock(), { tls: 'required', auth: { credentials: { username: 'user', password: 'hunter2' } } })
    assert.ok(E.isRight(s), JSON.stringify(E.isLeft(s) ? s.left.error : null))
    assert.equal(s.right.ready.secure, true)
    assert.equal(s.right.ready.authenticated, 'PLAIN')
    assert.deepEqual(server.upgrades, ['mx.example'])
    const text = s.right.transcript().map((l) => l.text).join('\n')
    assert.ok(!text.includes('AHVzZXIAaHVudGVyMg'))
    assert.ok(!text.includes('hunter2'))
    assert.ok(text.includes('AUTH PLAIN <redacted>'))
    s.right.abort('done')
  })

  test('open fails with the server error when the greeting is refused', async () => {
    const server = new ScriptedServer([{ send: '554 go away\r\n' }, { expect: 'QUIT\r\n' }, { send: '221 bye\r\n' }])
    const s = await ready(server)
    assert.ok(E.isLeft(s))
    assert.equal(s.left.error._tag, 'Rejected')
  })

  test('a silent server times out on the virtual clock', async () => {
    const clock = new VirtualClock()
    const server = new ScriptedServer([{ silence: true }])
    const opening = ready(server, clock)
    let settled = false
    void opening.then(() => (settled = true))
    await new Promise((r) => setImmediate(r))
    // The platform timer may fire early (it is never set more than the shortest timeout ahead);
    // the engine only gives up at its deadline, the 5-minute greeting timeout.
    assert.ok((clock.nextDeadline() ?? Infinity) <= 300_000)
    clock.advanceTo(299_999)
    await new Promise((r) => setImmediate(r))
    assert.equal(settled, false)
    clock.advanceTo(300_000)
    const s = await opening
    assert.ok(E.isLeft(s))
    assert.equal(s.left.error._tag, 'TimedOut')
  })

  test('a body source that throws aborts the connection: no final dot is ever sent', async () => {
    const server = new ScriptedServer([
      ...greet,
      { expect: 'MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n' },
      { send: '250 ok\r\n250 ok\r\n354 go\r\n' },
      { expect: 'first part\r\n' },
    ])
    const s = await ready(server)
    assert.ok(E.isRight(s))
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('first part\r\n')
      throw new Error('disk on fire')
    }
    const outcome = await s.right.send(envelope(), broken())
    assert.equal(outcome._tag, 'DeliveryFailed')
    await s.right.closed
    assert.ok(!server.clientText().includes('\r\n.\r\n'))
    assert.ok(server.clientClosed)
  })

  test('several sends queue up and each gets its own outcome', async () => {
    const server = new ScriptedServer([
      ...greet,
      { expect: 'MAIL FROM:<alice@example.org>\r\nRCPT TO:<a@example.net>\r\nDATA\r\n' },
      { send: '250 ok\r\n250 ok\r\n354 go\r\n' },
      { expect: 'one\r\n.\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n' },
      { send: '250 first\r\n250 ok\r\n550 no such user\r\n554 no valid recipients\r\n' },
      { expect: 'RSET\r\n' },
      { send: '250 ok\r\n' },
    ])
    const s = await ready(server)
    assert.ok(E.isRight(s))
    const [a, b] = await Promise.all([s.right.send(envelope(['a@example.net']), [Buffer.from('one\r\n')]), s.right.send(envelope(['b@example.net']), [Buffer.from('two\r\n')])])
    assert.equal(a._tag, 'Delivered')
    assert.equal(b._tag, 'DeliveryFailed')
    await server.done
    assert.equal(server.failure, null)
  })
})
