import { describe, test } from 'node:test'
import fc from 'fast-check'
import { assertSameDecoding, maybe } from './helpers.ts'
import { Options } from '@smtpure/core'

// decodeConfig takes plain options (no AUTH, no timeouts) that already are in decoded form without
// io-ts's contexts. Adding `timeouts: {}` changes nothing in the result but forces the full
// decode, so the two must always agree, for good and bad input alike.
const text = fc.constantFrom('mx.example.org', 'client.example', '[127.0.0.1]', 'MX.Example.Org', 'bad name', '', 'a..b', 'ü.example', 'x\r\ny')
const options = fc.record(
  {
    serverName: fc.oneof(text, fc.constant(undefined), fc.integer()),
    clientName: maybe(fc.oneof(text, fc.integer())),
    tls: maybe(fc.constantFrom('required', 'opportunistic', 'implicit', 'none', 'always')),
    pipelining: maybe(fc.oneof(fc.boolean(), fc.constant('yes'))),
    protocol: maybe(fc.constantFrom('smtp', 'lmtp', 'esmtp')),
    chunking: maybe(fc.constantFrom('prefer', 'never', 'always')),
  },
  { requiredKeys: [] },
)

describe('Options decoding', () => {
  test('the fast path for plain options answers exactly what the full decode answers (property)', () => {
    fc.assert(
      fc.property(options, (o) => {
        // Through JSON: the SASL mechanisms are functions, made anew by each decode.
        assertSameDecoding(Options.decodeConfig(o), Options.decodeConfig({ ...o, timeouts: {} }), (c) => JSON.parse(JSON.stringify(c)))
      }),
      { numRuns: 2000 },
    )
  })
})
