/**
 * The connection pool over real loopback TCP: spreading, reuse limits, 421 and dropped
 * connections, back-pressure, close with and without draining, NOOP after idle, rate limits.
 * Each message carries a unique id so loss or duplication shows in what the server stored.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createPool, DeliveryError, PoolClosed, SmtpFailure, type PoolOutcome } from '@smtpure/node'
import { startSmtpServer } from '../servers/smtpServer.ts'
import { testCa } from '../servers/ca.ts'
import { startMiniSmtp } from '../servers/miniSmtp.ts'
import type { MailServer } from '../servers/types.ts'

const msg = (i: number) => ({ from: 'bulk@example.test', to: [`r${i}@example.test`], body: `Subject: m${i}\r\n\r\nmessage ${i}\r\n` })
const idsIn = (texts: ReadonlyArray<string>): Array<number> => texts.map((t) => Number(/message (\d+)/.exec(t)?.[1] ?? -1)).sort((a, b) => a - b)
const range = (n: number): Array<number> => Array.from({ length: n }, (_, i) => i)

describe('pool against smtp-server', () => {
  let server: MailServer
  before(async () => {
    server = await startSmtpServer()
  })
  after(async () => server.stop())

  test('200 messages over 4 connections, 25 per connection: each delivered exactly once', async () => {
    await server.clearMessages()
    const pool = createPool({ ...server.plain, tls: 'none', connections: 4, messagesPerConnection: 25, queueLimit: 16 })
    const outcomes = await Promise.all(range(200).map((i) => pool.send(msg(i))))
    const stats = await pool.close()
    assert.ok(outcomes.every((o) => o._tag === 'Sent'))
    assert.equal(stats.sent, 200)
    // 200 / 25 = 8 connections at least; a connection never carries more than 25.
    assert.ok(stats.connectionsOpened >= 8 && stats.connectionsOpened <= 12, `opened ${stats.connectionsOpened}`)
    const stored = await server.waitForMessages(200)
    assert.deepEqual(idsIn(stored.map((m) => m.raw.toString('latin1'))), range(200))
  })

  test('pipelineDepth: several messages in flight per connection, pipelined, each delivered once', async () => {
    await server.clearMessages()
    const pool = createPool({ ...server.plain, tls: 'none', connections: 2, messagesPerConnection: 1000, pipelineDepth: 16, queueLimit: 64 })
    const outcomes = await Promise.all(range(300).map((i) => pool.send(msg(1000 + i))))
    const stats = await pool.close()
    assert.ok(outcomes.every((o) => o._tag === 'Sent'))
    assert.equal(stats.connectionsOpened, 2)
    const stored = await server.waitForMessages(300)
    assert.deepEqual(idsIn(stored.map((m) => m.raw.toString('latin1'))), range(300).map((i) => 1000 + i))
  })

  test('a wrong password fails every message at once, without a login per message', async () => {
    let logins = 0
    const pool = createPool({
      host: 'localhost',
      port: server.submission!.port,
      ca: (await testCa()).caPem,
      auth: { user: server.credentials.username, pass: 'wrong' },
      connections: 2,
      onTranscript: (l) => void (l.direction === 'C' && l.text.startsWith('AUTH') ? logins++ : 0),
    })
    const outcomes = await Promise.all(range(20).map((i) => pool.send(msg(i))))
    await pool.close()
    for (const o of outcomes) {
      assert.ok(o._tag === 'Failed' && !o.transient && o.error instanceof SmtpFailure && o.error.error._tag === 'Rejected' && o.error.error.code === 535, JSON.stringify(o))
    }
    // Each of the two connections may have tried once before the first refusal was known.
    assert.ok(logins >= 1 && logins <= 2, `${logins} logins`)
  })

  test('per-recipient rejections are reported per message', async () => {
    const pool = createPool({ ...server.plain, tls: 'none', connections: 2 })
    const o = await pool.send({ from: 'a@example.test', to: ['ok@example.test', 'reject-me@example.test'], body: 'x\r\n' })
    await pool.close()
    assert.equal(o._tag, 'Sent')
    if (o._tag === 'Sent') {
      assert.deepEqual(o.result.accepted.map((a) => a.recipient), ['ok@example.test'])
      assert.deepEqual(o.result.rejected.map((r) => r.recipient), ['reject-me@example.test'])
    }
  })
})

describe('pool against a misbehaving server', () => {
  test('421 at MAIL on every third message: reconnects, nothing lost or duplicated', async (t) => {
    const mini = await startMiniSmtp({ onMail: (_c, n) => (n === 3 ? 'close' : '250 2.1.0 ok') })
    t.after(() => mini.close())
    const pool = createPool({ host: '127.0.0.1', port: mini.port, tls: 'none', connections: 3 })
    const outcomes = await Promise.all(range(30).map((i) => pool.send(msg(i))))
    await pool.close()
    assert.ok(outcomes.every((o) => o._tag === 'Sent'), JSON.stringify(outcomes.filter((o) => o._tag !== 'Sent')))
    assert.ok(outcomes.some((o) => o._tag === 'Sent' && o.attempts === 2), 'some message was retried after the 421')
    assert.deepEqual(idsIn(mini.messages.map((m) => m.data)), range(30))
  })

  test('a connection dropped after the dot: that message is "unknown", never retried; the rest are delivered', async (t) => {
    const mini = await startMiniSmtp({ onDot: (m) => (m.data.includes('message 7\r\n') ? 'drop' : '250 2.0.0 queued') })
    t.after(() => mini.close())
    const pool = createPool({ host: '127.0.0.1', port: mini.port, tls: 'none', connections: 2 })
    const outcomes = await Promise.all(range(12).map((i) => pool.send(msg(i))))
    await pool.close()
    outcomes.forEach((o, i) => assert.equal(o._tag, i === 7 ? 'Unknown' : 'Sent', `message ${i}`))
    const unknown = outcomes[7] as Extract<PoolOutcome, { _tag: 'Unknown' }>
    assert.ok(unknown.error instanceof DeliveryError && unknown.error.outcome === 'unknown')
    assert.equal(unknown.attempts, 1)
    // Message 7 reached the server once (and its fate is unknown to us); all others exactly once.
    assert.deepEqual(idsIn(mini.messages.map((m) => m.data)), range(12))
  })

  test('a server that refuses connections: every message fails, transient, without hammering it', async () => {
    // A port that was just listening and is now closed.
    const mini = await startMiniSmtp()
    const port = mini.port
    await mini.close()
    const pool = createPool({ host: '127.0.0.1', port, tls: 'none', connections: 2 })
    const outcomes = await Promise.all(range(30).map((i) => pool.send(msg(i))))
    await pool.close()
    for (const o of outcomes) assert.ok(o._tag === 'Failed' && o.transient, JSON.stringify(o))
  })

  test('a server that keeps greeting with 421: a bounded number of connections, then every message is "try later"', async (t) => {
    const mini = await startMiniSmtp({ greeting: '421 4.3.2 busy' })
    t.after(() => mini.close())
    const pool = createPool({ host: '127.0.0.1', port: mini.port, tls: 'none', connections: 2 })
    const outcomes = await Promise.all(range(50).map((i) => pool.send(msg(i))))
    await pool.close()
    for (const o of outcomes) assert.ok(o._tag === 'Failed' && o.transient, JSON.stringify(o))
    // Three failures in a row stop the attempts; the second worker may have one in flight.
    assert.ok(mini.connections() <= 4, `${mini.connections()} connections`)
    assert.equal(mini.messages.length, 0)
  })

  test('back-pressure: the queue never holds more than its limit', async (t) => {
    const mini = await startMiniSmtp()
    t.after(() => mini.close())
    const pool = createPool({ host: '127.0.0.1', port: mini.port, tls: 'none', connections: 1, queueLimit: 3 })
    const tickets = []
    let maxQueued = 0
    for (const i of range(20)) {
      tickets.push(await pool.enqueue(msg(i)))
      maxQueued = Math.max(maxQueued, pool.stats().queued)
    }
    const outcomes = await Promise.all(tickets.map((t) => t.outcome))
    await pool.close()
    assert.ok(maxQueued <= 3, `queued ${maxQueued}`)
    assert.ok(outcomes.every((o) => o._tag === 'Sent'))
  })

  test('close without draining reports every queued message as not sent; close refuses new ones', async (t) => {
    const mini = await startMiniSmtp()
    t.after(() => mini.close())
    const pool = createPool({ host: '127.0.0.1', port: mini.port, tls: 'none', connections: 1, queueLimit: 50 })
    const tickets = await Promise.all(range(20).map((i) => pool.enqueue(msg(i))))
    const stats = await pool.close({ drain: false })
    const outcomes = await Promise.all(tickets.map((t) => t.outcome))
    assert.equal(outcomes.length, 20)
    const sent = outcomes.filter((o) => o._tag === 'Sent').length
    const notSent = outcomes.filter((o) => o._tag === 'Failed' && o.error instanceof PoolClosed && o.transient).length
    assert.equal(sent + notSent, 20)
    assert.ok(notSent > 0)
    assert.equal(stats.sent, sent)
    assert.equal(mini.messages.length, sent)
    await assert.rejects(pool.enqueue(msg(99)), PoolClosed)
  })

  test('NOOP before reusing an idle connection', async (t) => {
    const mini = await startMiniSmtp()
    t.after(() => mini.close())
    const pool = createPool({ host: '127.0.0.1', port: mini.port, tls: 'none', connections: 1, idleNoopAfterMs: 0 })
    for (const i of range(3)) assert.equal((await pool.send(msg(i)))._tag, 'Sent')
    await pool.close()
    assert.equal(mini.commands.filter((c) => c.line === 'NOOP').length, 2)
    assert.equal(mini.connections(), 1)
  })

  test('rate limit: 12 messages at 4 per 150 ms take at least two more windows', async (t) => {
    // The window arithmetic itself is a property test (test/core/routing.test.ts); here the
    // pool must really wait: starts 4-7 no earlier than 150 ms, 8-11 no earlier than 300 ms.
    const mini = await startMiniSmtp()
    t.after(() => mini.close())
    const started = Date.now()
    const pool = createPool({ host: '127.0.0.1', port: mini.port, tls: 'none', connections: 3, rate: { messages: 4, perMs: 150 } })
    const outcomes = await Promise.all(range(12).map((i) => pool.send(msg(i))))
    await pool.close()
    assert.ok(outcomes.every((o) => o._tag === 'Sent'))
    const times = mini.messages.map((m) => m.at - started).sort((a, b) => a - b)
    assert.equal(times.length, 12)
    assert.ok(times[11]! >= 300, `last message after ${times[11]} ms`)
    assert.ok(times[7]! >= 150, `eighth message after ${times[7]} ms`)
  })
})
