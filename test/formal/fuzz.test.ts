/**
 * Fuzzing: random and mutated server bytes into the reply parser and into whole sessions of the
 * engine. No exception may escape, every loop ends, and buffered state stays under its named
 * bounds. The run size is SMTPURE_FUZZ_INPUTS (default 1,000,000 inputs in CI; `npm run fuzz`
 * runs more). Deterministic: a seeded generator, so a failure can be replayed.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import { Client, Limits, ReplyParser, decodeConfig, decodeEnvelope, type State } from '@smtpure/core'

const INPUTS = Number(process.env['SMTPURE_FUZZ_INPUTS'] ?? 1_000_000)
const SEED = Number(process.env['SMTPURE_FUZZ_SEED'] ?? 20261128)

/** xorshift32: small, fast, deterministic. */
const rng = (seed: number) => {
  let x = seed >>> 0 || 1
  return (n: number): number => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x % n
  }
}

const SEEDS = [
  '220 mx ESMTP\r\n', '250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n', '354 go\r\n', '250 2.0.0 ok\r\n', '421 bye\r\n',
  '334 VXNlcm5hbWU6\r\n', '550 5.1.1 no\r\n', '250-a\n250 b\n', '25', '\r\n', '221 bye\r\n',
].map((s) => Buffer.from(s))

/** A random or mutated input of up to ~64 octets. */
const input = (r: (n: number) => number): Uint8Array => {
  if (r(3) === 0) return Uint8Array.from({ length: r(64) }, () => r(256))
  const base = Buffer.from(SEEDS[r(SEEDS.length)]!)
  const out = Buffer.from(base)
  for (let m = r(4); m > 0; m--) {
    const at = r(out.length + 1)
    const op = r(3)
    if (op === 0 && at < out.length) out[at] = r(256)
    else if (op === 1) return Buffer.concat([out.subarray(0, at), Buffer.from([r(256)]), out.subarray(at)])
    else if (at < out.length) return Buffer.concat([out.subarray(0, at), out.subarray(at + 1)])
  }
  return out
}

test(`reply parser: ${INPUTS} fuzzed inputs`, () => {
  const r = rng(SEED)
  let p = ReplyParser.empty
  let replies = 0
  let violations = 0
  for (let i = 0; i < INPUTS; i++) {
    const bytes = input(r)
    let offset = 0
    for (let guard = 0; ; guard++) {
      assert.ok(guard <= bytes.length + 1, 'the parser did not advance')
      const step = ReplyParser.next(bytes, offset)(p)
      if (step._tag === 'Violation') {
        violations++
        p = ReplyParser.empty
        break
      }
      if (step._tag === 'NeedMore') {
        p = step.parser
        break
      }
      replies++
      p = step.parser
      offset = step.offset
      if (offset >= bytes.length) break
    }
    assert.ok(p.partial.length < Limits.MAX_REPLY_LINE_OCTETS && p.lines.length <= Limits.MAX_REPLY_LINES)
  }
  console.log(`parser: ${INPUTS} inputs, ${replies} replies, ${violations} violations`)
  assert.ok(replies > 0 && violations > 0)
})

test(`engine sessions: ${Math.round(INPUTS / 10)} fuzzed server inputs`, () => {
  const r = rng(SEED + 1)
  const c = decodeConfig({ serverName: 'mx', clientName: 'c.example', tls: 'opportunistic', auth: { credentials: { username: 'u', password: 'p' }, allowPlaintext: true } })
  const e = decodeEnvelope({ from: 'a@example.org', to: ['b@example.net', 'c@example.net'] })
  assert.ok(E.isRight(c) && E.isRight(e))
  let sessions = 0
  let state: State = Client.initial(c.right, 0)
  for (let i = 0; i < INPUTS / 10; i++) {
    if (Client.isClosed(state) || r(500) === 0) {
      state = Client.initial(c.right, 0)
      sessions++
    }
    const choice = r(10)
    const step =
      choice < 7
        ? Client.step({ _tag: 'Received', bytes: input(r), now: i })(state)
        : choice === 7
          ? Client.step({ _tag: 'Send', envelope: e.right, now: i })(state)
          : choice === 8
            ? Client.step({ _tag: 'WriteCompleted', now: i })(state)
            : Client.step(r(2) === 0 ? { _tag: 'BodyEnd', now: i } : { _tag: 'TlsEstablished', now: i })(state)
    if (E.isRight(step)) {
      state = step.right.state
      const closeAt = step.right.outputs.findIndex((o) => o._tag === 'Close')
      if (closeAt >= 0) assert.ok(!step.right.outputs.slice(closeAt).some((o) => o._tag === 'Transmit'))
    }
    assert.ok(state.pending.length <= Limits.MAX_PIPELINED_COMMANDS + 8)
  }
  console.log(`engine: ${Math.round(INPUTS / 10)} inputs over ${sessions} sessions`)
})
