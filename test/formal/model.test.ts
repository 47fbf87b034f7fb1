/**
 * Model-based testing with fast-check `commands`: random sequences of server behaviours and app
 * requests run against the engine, while a small reference model of the protocol tracks what
 * must hold after every step: nothing is sent after QUIT or Close, no content before a 354, no
 * byte is written while the TLS handshake is pending, credentials appear only in sensitive
 * writes and never in the transcript, and a closed session does nothing more.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import fc from 'fast-check'
import { Client, Transcript, decodeConfig, decodeEnvelope, type Input, type Output, type State } from '@smtpure/core'

const PASSWORD = 'correct-horse'
const config = (() => {
  const c = decodeConfig({ serverName: 'mx', clientName: 'c.example', tls: 'opportunistic', auth: { credentials: { username: 'user', password: PASSWORD }, allowPlaintext: false } })
  if (E.isLeft(c)) throw new Error(c.left.message)
  return c.right
})()
const envelope = (() => {
  const e = decodeEnvelope({ from: 'a@example.org', to: ['b@example.net', 'c@example.net'] })
  if (E.isLeft(e)) throw new Error(e.left.message)
  return e.right
})()

/** What the reference model knows. */
interface Model {
  closed: boolean
  quitSent: boolean
  tlsPending: boolean
  /** A 354 arrived for the transaction whose body is open; cleared by the final dot. */
  dataOpen: boolean
}

/** The real thing. */
interface Real {
  state: State
  now: number
}

const PASSWORD_B64 = Buffer.from(`\0user\0${PASSWORD}`).toString('base64')

const apply = (m: Model, r: Real, input: Input): void => {
  const before = r.state
  const res = Client.step(input)(r.state)
  if (E.isLeft(res)) {
    // A refused request changes nothing.
    assert.equal(r.state, before)
    if (m.closed) assert.equal(res.left.reason, input._tag === 'Received' || input._tag === 'Tick' ? res.left.reason : 'SessionClosed')
    return
  }
  const outs: ReadonlyArray<Output> = res.right.outputs
  if (m.closed) assert.equal(outs.length, 0, 'a closed session produced output')
  for (const o of outs) {
    if (o._tag === 'Transmit') {
      assert.ok(!m.quitSent, 'a write after QUIT')
      assert.ok(!m.closed, 'a write after Close')
      assert.ok(!m.tlsPending, 'a write during the TLS handshake')
      const text = Buffer.from(o.bytes).toString('latin1')
      if (o.kind === 'body') {
        assert.ok(m.dataOpen, 'content before 354')
        if (text.endsWith('\r\n.\r\n') || text === '.\r\n') m.dataOpen = false
      } else {
        if (text.includes('QUIT\r\n')) m.quitSent = true
      }
      if (!o.sensitive) assert.ok(!text.includes(PASSWORD) && !text.includes(PASSWORD_B64), 'credentials in a plain write')
      for (const l of Transcript.fromOutput(o)) assert.ok(!l.text.includes(PASSWORD) && !l.text.includes(PASSWORD_B64), 'credentials in the transcript')
    }
    if (o._tag === 'UpgradeTls') m.tlsPending = true
    if (o._tag === 'Close') m.closed = true
    if (o._tag === 'Event' && o.event._tag === 'BodyWanted') m.dataOpen = true
    if (o._tag === 'Event' && (o.event._tag === 'DeliveryFailed' || o.event._tag === 'DeliveryUnknown')) m.dataOpen = false
  }
  if (input._tag === 'TlsEstablished' || input._tag === 'TlsHandshakeFailed') m.tlsPending = false
  r.state = res.right.state
  // Acknowledge writes at once, as a fast transport would.
  for (const o of outs) if (o._tag === 'Transmit') apply(m, r, { _tag: 'WriteCompleted', now: r.now })
}

class Step implements fc.Command<Model, Real> {
  constructor(
    readonly label: string,
    readonly make: (r: Real) => Input | null,
  ) {}
  check(): boolean {
    return true
  }
  run(m: Model, r: Real): void {
    r.now += 1000
    const input = this.make(r)
    if (input !== null) apply(m, r, input)
  }
  toString(): string {
    return this.label
  }
}

const LINES = [
  '220 mx ESMTP',
  '250-mx\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN',
  '250-mx\r\n250 AUTH PLAIN',
  '250 ok',
  '251 forwarded',
  '354 go',
  '334 VXNlcm5hbWU6',
  '334 bm90IGJhc2U2NA==',
  '235 ok',
  '221 bye',
  '421 closing',
  '450 busy',
  '454 no tls',
  '535 bad auth',
  '550 no',
  '554 fail',
  '25O broken',
]

const commands = [
  fc.constantFrom(...LINES).map((l) => new Step(`server ${l.split('\r\n')[0]}`, (r) => ({ _tag: 'Received', bytes: Buffer.from(l + '\r\n'), now: r.now }))),
  fc.constant(new Step('server closes', (r) => ({ _tag: 'PeerClosed', now: r.now }))),
  fc.constant(new Step('tls ok', (r) => ({ _tag: 'TlsEstablished', now: r.now }))),
  fc.constant(new Step('tls fails', (r) => ({ _tag: 'TlsHandshakeFailed', reason: 'bad cert', now: r.now }))),
  fc.constant(new Step('deadline', (r) => O.match(() => null, (at: number) => ({ _tag: 'Tick', now: at }) as Input)(Client.pollTimeout(r.state)))),
  fc.constant(new Step('app send', (r) => ({ _tag: 'Send', envelope, now: r.now }))),
  fc.uint8Array({ maxLength: 12 }).map((b) => new Step(`app chunk ${Buffer.from(b).toString('hex')}`, (r) => ({ _tag: 'BodyChunk', bytes: b, now: r.now }))),
  fc.constant(new Step('app body end', (r) => ({ _tag: 'BodyEnd', now: r.now }))),
  fc.constant(new Step('app quit', (r) => ({ _tag: 'Quit', now: r.now }))),
  fc.constant(new Step('app noop', (r) => ({ _tag: 'Noop', now: r.now }))),
  fc.constant(new Step('app abort', (r) => ({ _tag: 'Abort', reason: 'test', now: r.now }))),
]

test('model-based: invariants hold for any sequence of server behaviours and app requests', () => {
  fc.assert(
    fc.property(fc.commands(commands, { maxCommands: 40 }), (cmds) => {
      const model: Model = { closed: false, quitSent: false, tlsPending: false, dataOpen: false }
      const real: Real = { state: Client.initial(config, 0), now: 0 }
      fc.modelRun(() => ({ model, real }), cmds)
    }),
    { numRuns: 3000 },
  )
})
