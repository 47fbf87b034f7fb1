import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { assertSameDecoding, maybe } from './helpers.ts'
import { Codecs, Limits, Options } from '@smtpure/core'

// decodeEnvelope takes an input that already is in decoded form without io-ts's contexts; it
// must answer exactly what the full decode answers, for good and bad input alike.
const full = (u: unknown) => Codecs.decodeWith(Options.EnvelopeCodec)(u)

const address = fc.constantFrom('a@example.org', 'b@example.net', '<>', '', 'bad@@x', 'no-domain', 'x@[127.0.0.1]', 'ü@example.org', 'A@EXAMPLE.ORG', ' a@example.org', 'a@example.org\r\n')
const envelope = fc.record(
  {
    from: fc.oneof(address, fc.constant(undefined), fc.integer()),
    to: fc.oneof(fc.array(address, { maxLength: 4 }), address, fc.constant(undefined)),
    size: maybe(fc.oneof(fc.nat(), fc.constant(-1), fc.constant(1.5), fc.constant('10'))),
    eightBit: maybe(fc.oneof(fc.boolean(), fc.constant('yes'))),
    smtpUtf8: maybe(fc.boolean()),
    binary: maybe(fc.boolean()),
    requireTls: maybe(fc.oneof(fc.boolean(), fc.constant(1))),
    dsn: maybe(fc.constantFrom({ ret: 'HDRS' }, { notify: 'NEVER' }, { ret: 'ALL' })),
  },
  { requiredKeys: [] },
)

describe('Envelope decoding', () => {
  test('the fast path answers exactly what the full decode answers (property)', () => {
    fc.assert(
      fc.property(envelope, (u) => {
        assertSameDecoding(Options.decodeEnvelope(u), full(u))
      }),
      { numRuns: 3000 },
    )
  })

  test('too many recipients are refused with the field named, even when every address is good', () => {
    const to = Array.from({ length: Limits.MAX_RECIPIENTS + 1 }, (_, i) => `r${i}@example.net`)
    const r = Options.decodeEnvelope({ from: 'a@example.org', to })
    assert.ok(E.isLeft(r))
    assert.equal(r.left.issues?.[0]?.path, 'to')
  })
})
