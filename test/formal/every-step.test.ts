/**
 * Adversarial replays: a full conversation (STARTTLS, AUTH, two pipelined messages, QUIT), and
 * at every server step the server instead (a) answers 421, (b) cuts the connection, (c) goes
 * silent until the deadline, (d) answers with a 3xx where none is allowed. Whatever happens, the
 * engine must end closed, report every transaction exactly once (delivery unknown only after a
 * final dot), send nothing after Close, and never put credentials in a non-sensitive write.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { Client, decodeConfig, decodeEnvelope, type Input, type Output, type State } from '@smtpure/core'

const PASSWORD = 'hunter2-secret'
const config = (() => {
  const c = decodeConfig({ serverName: 'mx.example', clientName: 'c.example', tls: 'required', auth: { credentials: { username: 'user', password: PASSWORD } } })
  if (E.isLeft(c)) throw new Error(c.left.message)
  return c.right
})()
const envelope = (to: string[]) => {
  const e = decodeEnvelope({ from: 'a@example.org', to })
  if (E.isLeft(e)) throw new Error(e.left.message)
  return e.right
}

/** The server's side: one entry per server turn, in order. `tls` marks the handshake. */
const SCRIPT: ReadonlyArray<string | 'tls'> = [
  '220 mx ESMTP\r\n',
  '250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n',
  '220 go ahead\r\n',
  'tls',
  '250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n',
  '235 ok\r\n',
  '250 ok\r\n250 ok\r\n550 no\r\n354 go\r\n',
  '250 queued 1\r\n250 ok\r\n250 ok\r\n354 go\r\n',
  '250 queued 2\r\n',
  '221 bye\r\n',
]

type Fault = 'none' | '421' | 'cut' | 'silence' | '3xx'

interface Run {
  outputs: Output[]
  state: State
}

/** Play the script, applying `fault` at server turn `at`. The app sends two messages and quits. */
const play = (fault: Fault, at: number): Run => {
  let state = Client.initial(config, 0)
  let now = 0
  const outputs: Output[] = []
  let sent = 0
  const feed = (input: Input): void => {
    const r = Client.step(input)(state)
    if (E.isLeft(r)) return
    state = r.right.state
    outputs.push(...r.right.outputs)
    for (const o of r.right.outputs) {
      if (o._tag === 'Transmit') feed({ _tag: 'WriteCompleted', now })
      if (o._tag === 'Event' && o.event._tag === 'Ready') {
        sent++
        feed({ _tag: 'Send', envelope: envelope(['b@example.net', 'nobody@example.net']), now })
      }
      if (o._tag === 'Event' && o.event._tag === 'BodyWanted') feed({ _tag: 'BodyEnd', now })
      // The second message is queued as soon as the first body ends (pipelined behind its dot).
      if (o._tag === 'Transmit' && Buffer.from(o.bytes).toString() === '.\r\n' && sent === 1) {
        sent++
        feed({ _tag: 'Send', envelope: envelope(['c@example.net']), now })
      }
      if (o._tag === 'Transmit' && Buffer.from(o.bytes).toString() === '.\r\n' && sent === 2 && state.current === null) {
        // After the second dot, ask to quit.
        if (outputs.filter((x) => x._tag === 'Transmit' && Buffer.from(x.bytes).toString() === '.\r\n').length === 2) feed({ _tag: 'Quit', now })
      }
    }
  }
  for (let i = 0; i < SCRIPT.length && !Client.isClosed(state); i++) {
    now += 10
    const turn = SCRIPT[i]!
    if (i === at && fault !== 'none') {
      if (fault === '421') feed({ _tag: 'Received', bytes: Buffer.from('421 4.3.2 shutting down\r\n'), now })
      if (fault === 'cut') feed({ _tag: 'PeerClosed', now })
      if (fault === '3xx') feed({ _tag: 'Received', bytes: Buffer.from(turn === 'tls' ? '334 what\r\n' : '334 what\r\n'), now })
      if (fault === 'silence') {
        const deadline = Client.pollTimeout(state)
        if (O.isSome(deadline)) feed({ _tag: 'Tick', now: deadline.value })
      }
      break
    }
    if (turn === 'tls') feed({ _tag: 'TlsEstablished', now })
    else feed({ _tag: 'Received', bytes: Buffer.from(turn), now })
  }
  return { outputs, state }
}

const events = (r: Run) => r.outputs.flatMap((o) => (o._tag === 'Event' ? [o.event] : []))

const checkInvariants = (r: Run, label: string): void => {
  const closeAt = r.outputs.findIndex((o) => o._tag === 'Close')
  if (closeAt >= 0) assert.ok(!r.outputs.slice(closeAt + 1).some((o) => o._tag === 'Transmit'), `${label}: transmit after Close`)
  for (const o of r.outputs) {
    if (o._tag === 'Transmit' && !o.sensitive) {
      const text = Buffer.from(o.bytes).toString('latin1')
      assert.ok(!text.includes(PASSWORD) && !text.includes(Buffer.from(`\0user\0${PASSWORD}`).toString('base64')), `${label}: credentials in a plain write`)
    }
  }
  // Every transaction that started gets exactly one outcome.
  const evs = events(r)
  const outcomes = evs.filter((e) => e._tag === 'Delivered' || e._tag === 'DeliveryFailed' || e._tag === 'DeliveryUnknown')
  const ids = outcomes.map((e) => (e as { transaction: number }).transaction)
  assert.equal(new Set(ids).size, ids.length, `${label}: a transaction reported twice`)
  const started = r.outputs.filter((o) => o._tag === 'Transmit' && /^MAIL FROM/.test(Buffer.from(o.bytes).toString())).length
  assert.ok(ids.length >= started, `${label}: ${started} transactions started, ${ids.length} reported`)
  // Unknown only after that transaction's final dot was written.
  for (const e of outcomes) if (e._tag === 'DeliveryUnknown') assert.ok(r.outputs.some((o) => o._tag === 'Transmit' && Buffer.from(o.bytes).toString() === '.\r\n'), `${label}: unknown without a dot`)
  // Every recipient of every reported transaction has a fate.
  for (const e of outcomes) for (const rc of (e as { recipients: ReadonlyArray<{ _tag: string }> }).recipients) assert.ok(rc._tag === 'Accepted' || rc._tag === 'Rejected')
}

describe('every step, every fault', () => {
  test('the unfaulted conversation delivers both messages and quits', () => {
    const r = play('none', -1)
    const evs = events(r)
    assert.equal(evs.filter((e) => e._tag === 'Delivered').length, 2)
    assert.ok(Client.isClosed(r.state))
    checkInvariants(r, 'clean')
  })

  for (const fault of ['421', 'cut', 'silence', '3xx'] as const) {
    test(`${fault} at every server step`, () => {
      for (let at = 0; at < SCRIPT.length; at++) {
        const label = `${fault}@${at}`
        const r = play(fault, at)
        checkInvariants(r, label)
        const evs = events(r)
        if (fault === '3xx' && SCRIPT[at] === '235 ok\r\n') {
          // A 334 to AUTH PLAIN is a challenge PLAIN cannot answer: cancel with "*", never the password.
          const last = r.outputs.filter((o) => o._tag === 'Transmit').pop()
          assert.equal(last?._tag === 'Transmit' && Buffer.from(last.bytes).toString(), '*\r\n', label)
        } else if (at < SCRIPT.length - 1) {
          assert.ok(Client.isClosed(r.state) || evs.some((e) => e._tag === 'Failed'), `${label}: neither closed nor failed`)
          assert.ok(evs.some((e) => e._tag === 'Failed'), `${label}: no Failed event`)
        }
        // A fault while the first message awaits its final reply (turn 7) leaves it unknown
        // unless the server answered it (421 is an answer: failed, not unknown).
        if (at === 7) {
          const first = evs.find((e) => (e._tag === 'Delivered' || e._tag === 'DeliveryFailed' || e._tag === 'DeliveryUnknown') && e.transaction === 1)
          assert.equal(first?._tag, fault === '421' ? 'DeliveryFailed' : 'DeliveryUnknown', label)
        }
      }
    })
  }
})

test('a server that drips one byte a second cannot hold the client past the reply deadline', () => {
  const c = decodeConfig({ serverName: 'mx', clientName: 'c.example', tls: 'none', timeouts: { greeting: 30_000 } })
  assert.ok(E.isRight(c))
  let state = Client.initial(c.right, 0)
  const endless = '220-' + 'x'.repeat(100_000)
  let failed = false
  for (let i = 0; i < endless.length && !failed; i++) {
    const now = (i + 1) * 1000
    const deadline = Client.pollTimeout(state)
    const input: Input = O.isSome(deadline) && deadline.value <= now ? { _tag: 'Tick', now: deadline.value } : { _tag: 'Received', bytes: Buffer.from(endless[i]!), now }
    const r = Client.step(input)(state)
    assert.ok(E.isRight(r))
    state = r.right.state
    if (r.right.outputs.some((o) => o._tag === 'Event' && o.event._tag === 'Failed')) {
      failed = true
      assert.ok(now <= 31_000, `failed only at ${now} ms`)
      assert.ok(r.right.outputs.some((o) => o._tag === 'Event' && o.event._tag === 'Failed' && o.event.error._tag === 'TimedOut'))
    }
  }
  assert.ok(failed)
})
