/**
 * Exhaustive exploration of the engine for small configurations: from the start, every server
 * reply class at every step (2yz, 3yz where it fits, 4yz, 5yz, 421, EOF, timeout), for one
 * message of 1 to 3 recipients, with and without PIPELINING. Every reachable (state, input)
 * pair is visited once; after each step the invariants are checked. Reports the counts.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { Client, decodeConfig, decodeEnvelope, type Input, type Output, type State } from '@smtpure/core'

const REPLIES = ['220 ok', '221 bye', '235 ok', '250 ok', '251 forwarded', '334 VXNlcm5hbWU6', '354 go', '421 closing', '450 busy', '500 what', '550 no', '554 fail']

interface Node {
  readonly state: State
  /** Events so far, for invariants that span steps. */
  readonly history: ReadonlyArray<Output>
}

const key = (s: State): string =>
  JSON.stringify(s, (k, v) => (k === 'config' ? undefined : v instanceof Uint8Array ? Array.from(v) : v))

const appReactions = (s: State, outputs: ReadonlyArray<Output>, env: Input & { _tag: 'Send' }): Input[] => {
  const inputs: Input[] = []
  for (const o of outputs) {
    if (o._tag === 'Transmit') inputs.push({ _tag: 'WriteCompleted', now: 0 })
    if (o._tag === 'UpgradeTls') inputs.push({ _tag: 'TlsEstablished', now: 0 })
    if (o._tag === 'Event' && o.event._tag === 'Ready') inputs.push(env)
    if (o._tag === 'Event' && o.event._tag === 'BodyWanted') inputs.push({ _tag: 'BodyEnd', now: 0 })
  }
  void s
  return inputs
}

/** Step and run the app's and the transport's immediate reactions; Left inputs are skipped. */
const settle = (s0: State, input: Input, env: Input & { _tag: 'Send' }): { state: State; outputs: Output[] } => {
  let state = s0
  const outputs: Output[] = []
  const queue: Input[] = [input]
  let guard = 0
  while (queue.length > 0) {
    if (++guard > 1000) throw new Error('runaway reactions')
    const r = Client.step(queue.shift()!)(state)
    if (E.isLeft(r)) continue
    state = r.right.state
    outputs.push(...r.right.outputs)
    queue.push(...appReactions(state, r.right.outputs, env))
  }
  return { state, outputs }
}

const check = (history: ReadonlyArray<Output>): void => {
  const closeAt = history.findIndex((o) => o._tag === 'Close')
  if (closeAt >= 0) assert.ok(!history.slice(closeAt + 1).some((o) => o._tag === 'Transmit'), 'transmit after close')
  const outcomes = history.filter((o) => o._tag === 'Event' && ['Delivered', 'DeliveryFailed', 'DeliveryUnknown'].includes(o.event._tag))
  assert.ok(outcomes.length <= 1, 'one message, more than one outcome')
  const dataSent = history.some((o) => o._tag === 'Transmit' && Buffer.from(o.bytes).toString() === '.\r\n')
  for (const o of outcomes) if (o._tag === 'Event' && o.event._tag === 'DeliveryUnknown') assert.ok(dataSent, 'unknown before the dot')
  const body = history.findIndex((o) => o._tag === 'Transmit' && Buffer.from(o.bytes).toString() === '.\r\n')
  const go = history.findIndex((o) => o._tag === 'Event' && o.event._tag === 'BodyWanted')
  if (body >= 0) assert.ok(go >= 0 && go < body, 'content before 354')
}

for (const pipelining of [true, false]) {
  for (const recipients of [1, 2, 3]) {
    test(`explore: ${recipients} recipient(s), pipelining ${pipelining}`, () => {
      const c = decodeConfig({ serverName: 'mx', clientName: 'c.example', tls: 'opportunistic', pipelining, auth: { credentials: { username: 'u', password: 'p' }, allowPlaintext: true } })
      const e = decodeEnvelope({ from: 'a@example.org', to: Array.from({ length: recipients }, (_, i) => `r${i}@example.net`) })
      assert.ok(E.isRight(c) && E.isRight(e))
      const env = { _tag: 'Send' as const, envelope: e.right, now: 0 }
      const ehlo = pipelining ? '250-mx\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN' : '250-mx\r\n250-STARTTLS\r\n250 AUTH LOGIN PLAIN'
      const seen = new Set<string>()
      const stack: Node[] = [{ state: Client.initial(c.right, 0), history: [] }]
      let transitions = 0
      let closed = 0
      while (stack.length > 0) {
        const node = stack.pop()!
        const k = key(node.state)
        if (seen.has(k)) continue
        seen.add(k)
        if (Client.isClosed(node.state)) {
          closed++
          continue
        }
        const inputs: Input[] = [...REPLIES.map((r) => r + '\r\n'), ehlo + '\r\n'].map((d) => ({ _tag: 'Received', bytes: Buffer.from(d), now: 0 }) as Input)
        inputs.push({ _tag: 'PeerClosed', now: 0 })
        const deadline = Client.pollTimeout(node.state)
        if (O.isSome(deadline)) inputs.push({ _tag: 'Tick', now: deadline.value })
        for (const input of inputs) {
          const r = settle(node.state, input, env)
          transitions++
          const history = [...node.history, ...r.outputs]
          check(history)
          stack.push({ state: r.state, history })
        }
        assert.ok(seen.size < 200_000, 'state space larger than expected')
      }
      console.log(`explored ${seen.size} states, ${transitions} transitions, ${closed} closed end states (${recipients} rcpt, pipelining ${pipelining})`)
      assert.ok(seen.size > 20 && closed > 0)
    })
  }
}
