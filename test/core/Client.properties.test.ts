/**
 * Properties of the engine that must hold for any input, not one example.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { Client, decodeConfig, decodeEnvelope, type Input, type Output, type State } from '@smtpure/core'
import { splitAt } from '../harness/split.ts'

const config = (() => {
  const c = decodeConfig({ serverName: 'mx.example', clientName: 'client.example', tls: 'none' })
  if (E.isLeft(c)) throw new Error(c.left.message)
  return c.right
})()

/** Feed inputs, acknowledging writes at once; collect all outputs. */
const run = (inputs: ReadonlyArray<Input>): { outputs: Output[]; state: State } => {
  let state = Client.initial(config, 0)
  const outputs: Output[] = []
  for (const input of inputs) {
    const r = Client.step(input)(state)
    if (E.isLeft(r)) continue
    state = r.right.state
    outputs.push(...r.right.outputs)
    for (const o of r.right.outputs) {
      if (o._tag !== 'Transmit') continue
      const w = Client.step({ _tag: 'WriteCompleted', now: 0 })(state)
      if (E.isRight(w)) {
        state = w.right.state
        outputs.push(...w.right.outputs)
      }
    }
  }
  return { outputs, state }
}

const env = (() => {
  const e = decodeEnvelope({ from: 'a@example.org', to: ['b@example.net', 'c@example.net'] })
  if (E.isLeft(e)) throw new Error(e.left.message)
  return e.right
})()

/** The server's replies, one round per client flight (a reply never precedes its command). */
const ROUNDS = [
  '220 mx.example ESMTP\r\n',
  '250-mx.example\r\n250-PIPELINING\r\n250-SIZE 100000\r\n250 ENHANCEDSTATUSCODES\r\n',
  '250 2.1.0 ok\r\n250 2.1.5 ok\r\n550 5.1.1 nope\r\n354 go\r\n',
  '250 2.0.0 queued\r\n',
]

/** Split `text` at the given cut points into Received inputs. */
const splitInputs = (text: string, cuts: ReadonlyArray<number>): Input[] => {
  // Empty pieces are left out: a read never yields zero bytes.
  return splitAt(Buffer.from(text, 'latin1'), cuts)
    .filter((bytes) => bytes.length > 0)
    .map((bytes): Input => ({ _tag: 'Received', bytes, now: 0 }))
}

/** Play the rounds, each split at the cuts; the app sends one message and ends its body at once. */
const replay = (cuts: ReadonlyArray<number>): Output[] => {
  let state = Client.initial(config, 0)
  const outputs: Output[] = []
  const feed = (input: Input): void => {
    const r = Client.step(input)(state)
    if (E.isLeft(r)) return
    state = r.right.state
    outputs.push(...r.right.outputs)
    for (const o of r.right.outputs) {
      if (o._tag === 'Transmit') feed({ _tag: 'WriteCompleted', now: 0 })
      if (o._tag === 'Event' && o.event._tag === 'Ready') feed({ _tag: 'Send', envelope: env, now: 0 })
      if (o._tag === 'Event' && o.event._tag === 'BodyWanted') feed({ _tag: 'BodyEnd', now: 0 })
    }
  }
  for (const round of ROUNDS) for (const input of splitInputs(round, cuts)) feed(input)
  return outputs
}

const plain = (os: ReadonlyArray<Output>): unknown[] =>
  os.map((o) => (o._tag === 'Transmit' ? { ...o, bytes: Buffer.from(o.bytes).toString('latin1') } : o))

/** Consecutive Transmits joined: a split may move where one write ends, never what is written. */
const merged = (os: ReadonlyArray<Output>): unknown[] => {
  const out: unknown[] = []
  for (const o of plain(os)) {
    const prev = out[out.length - 1] as { _tag?: string; bytes?: string } | undefined
    const cur = o as { _tag: string; bytes?: string }
    if (prev?._tag === 'Transmit' && cur._tag === 'Transmit') prev.bytes = (prev.bytes ?? '') + cur.bytes
    else out.push({ ...cur })
  }
  return out
}

describe('engine properties', () => {
  test('any split of the server bytes gives the same outputs', () => {
    const whole = merged(replay([]))
    assert.ok(JSON.stringify(whole).includes('Delivered'))
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
        assert.deepEqual(merged(replay(cuts)), whole)
      }),
      { numRuns: 500 },
    )
  })

  test('every single-byte split gives the same outputs', () => {
    const whole = merged(replay([]))
    const oneByOne = Array.from({ length: 200 }, (_, i) => i)
    assert.deepEqual(merged(replay(oneByOne)), whole)
  })

  const anyInput: fc.Arbitrary<Input> = fc.oneof(
    fc.constant<Input>({ _tag: 'Send', envelope: env, now: 0 }),
    fc.constant<Input>({ _tag: 'BodyEnd', now: 0 }),
    fc.uint8Array({ maxLength: 20 }).map((bytes): Input => ({ _tag: 'BodyChunk', bytes, now: 0 })),
    fc.constant<Input>({ _tag: 'Noop', now: 0 }),
    fc.constant<Input>({ _tag: 'Reset', now: 0 }),
    fc.constant<Input>({ _tag: 'Quit', now: 0 }),
    fc.constant<Input>({ _tag: 'WriteCompleted', now: 0 }),
    fc.constant<Input>({ _tag: 'TlsEstablished', now: 0 }),
    fc.constantFrom(...ROUNDS.join('').split('\r\n').filter((l) => l !== '').map((l) => l + '\r\n')).map((l): Input => ({ _tag: 'Received', bytes: Buffer.from(l), now: 0 })),
  )

  test('a UsageError leaves the state unchanged, and nothing throws (property)', () => {
    fc.assert(
      fc.property(fc.array(anyInput, { maxLength: 30 }), fc.array(anyInput, { maxLength: 5 }), (prefix, probes) => {
        const { state } = run(prefix)
        for (const probe of probes) {
          const before = JSON.stringify(state, (_k, v) => (v instanceof Uint8Array ? [...v] : v))
          const r = Client.step(probe)(state)
          if (E.isLeft(r)) {
            assert.equal(JSON.stringify(state, (_k, v) => (v instanceof Uint8Array ? [...v] : v)), before)
          }
        }
      }),
      { numRuns: 500 },
    )
  })

  test('nothing is ever transmitted after Close, and QUIT is the last command (property)', () => {
    fc.assert(
      fc.property(fc.array(anyInput, { maxLength: 40 }), (inputs) => {
        const { outputs } = run(inputs)
        const closeAt = outputs.findIndex((o) => o._tag === 'Close')
        if (closeAt >= 0) assert.ok(!outputs.slice(closeAt + 1).some((o) => o._tag === 'Transmit'))
        const quitAt = outputs.findIndex((o) => o._tag === 'Transmit' && Buffer.from(o.bytes).toString('latin1').endsWith('QUIT\r\n'))
        if (quitAt >= 0) assert.ok(!outputs.slice(quitAt + 1).some((o) => o._tag === 'Transmit'))
      }),
      { numRuns: 500 },
    )
  })
})
