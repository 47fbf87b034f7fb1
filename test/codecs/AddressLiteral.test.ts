/** Address literals (RFC 5321 §4.1.3) and EHLO names (RFC 5321 §4.1.1.1). */
import assert from 'node:assert/strict'
import { isIPv4, isIPv6 } from 'node:net'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { AddressLiteral, EhloName, MAX_DOMAIN_OCTETS, isIPv4Address, isIPv6Address } from '../../packages/core/src/codecs/index.ts'
import { RUNS, anyString, bad, ok } from './helpers.ts'

describe('AddressLiteral: accepted', () => {
  const good: ReadonlyArray<readonly [string, string]> = [
    ['[127.0.0.1]', '[127.0.0.1]'],
    ['[0.0.0.0]', '[0.0.0.0]'],
    ['[255.255.255.255]', '[255.255.255.255]'],
    ['[192.0.2.10]', '[192.0.2.10]'],
    // IPv6-full
    ['[IPv6:2001:db8:0:0:0:0:0:1]', '[IPv6:2001:db8:0:0:0:0:0:1]'],
    ['[IPv6:2001:DB8:AAAA:bbbb:0000:0:ffff:1]', '[IPv6:2001:DB8:AAAA:bbbb:0000:0:ffff:1]'],
    // IPv6-comp: "::" anywhere, standing for at least two groups
    ['[IPv6:::1]', '[IPv6:::1]'],
    ['[IPv6:::]', '[IPv6:::]'],
    ['[IPv6:1::]', '[IPv6:1::]'],
    ['[IPv6:2001:db8::1]', '[IPv6:2001:db8::1]'],
    ['[IPv6:1:2:3:4:5:6::]', '[IPv6:1:2:3:4:5:6::]'],
    ['[IPv6:::3:4:5:6:7:8]', '[IPv6:::3:4:5:6:7:8]'],
    ['[IPv6:1:2:3::6:7:8]', '[IPv6:1:2:3::6:7:8]'],
    // IPv6v4-full and IPv6v4-comp
    ['[IPv6:0:0:0:0:0:ffff:192.0.2.1]', '[IPv6:0:0:0:0:0:ffff:192.0.2.1]'],
    ['[IPv6:::ffff:192.0.2.1]', '[IPv6:::ffff:192.0.2.1]'],
    ['[IPv6:::192.0.2.1]', '[IPv6:::192.0.2.1]'],
    ['[IPv6:1:2:3:4::192.0.2.1]', '[IPv6:1:2:3:4::192.0.2.1]'],
    ['[IPv6:64:ff9b::192.0.2.33]', '[IPv6:64:ff9b::192.0.2.33]'],
    // The tag is case-insensitive (RFC 5234 §2.3) and written "IPv6:".
    ['[ipv6:::1]', '[IPv6:::1]'],
    ['[IPV6:2001:db8::1]', '[IPv6:2001:db8::1]'],
  ]
  for (const [input, wire] of good) test(`${input}`, () => assert.equal(ok(AddressLiteral, input), wire))
})

describe('AddressLiteral: refused', () => {
  const refused: ReadonlyArray<readonly [unknown, RegExp]> = [
    ['127.0.0.1', /square brackets/],
    ['[127.0.0.1', /square brackets/],
    ['127.0.0.1]', /square brackets/],
    ['[]', /4 numbers/],
    ['[', /square brackets/],
    ['[256.0.0.1]', /256 is larger than 255/],
    ['[1.2.3.1000]', /larger than 255/],
    ['[01.2.3.4]', /"01" has a leading zero/],
    ['[1.2.3.00]', /leading zero/],
    ['[1.2.3]', /4 numbers .* not 3/],
    ['[1.2.3.4.5]', /not 5/],
    ['[1.2..4]', /"" is not a number/],
    ['[1.2.3.-4]', /not a number/],
    ['[1.2.3.4 ]', /not a number/],
    ['[ 1.2.3.4]', /not a number/],
    ['[1.2.3.٤]', /not a number/], // an Arabic-Indic digit
    ['[0x7f.0.0.1]', /not a number/],
    // IPv6
    ['[IPv6:]', /empty/],
    ['[IPv6:1:2:3:4:5:6:7:8:9]', /9 groups/],
    ['[IPv6:1:2:3:4:5:6:7]', /7 groups/],
    ['[IPv6:1::2::3]', /"::" may appear only once/],
    ['[IPv6:12345::]', /more than 4 hex digits/],
    ['[IPv6:1:::2]', /empty group/],
    ['[IPv6::1]', /empty group/],
    ['[IPv6:1:]', /empty group/],
    ['[IPv6:g::1]', /only hex digits/],
    ['[IPv6:fe80::1%eth0]', /only hex digits/],
    // RFC 5321: "::" stands for at least two groups.
    ['[IPv6:1:2:3:4:5:6:7::]', /at most 6 groups/],
    ['[IPv6:1::3:4:5:6:7:8]', /at most 6 groups/],
    ['[IPv6:1:2:3:4:5::192.0.2.1]', /at most 6 groups/],
    ['[IPv6:1:2:3:4:5:6:7:192.0.2.1]', /9 groups/],
    ['[IPv6:192.0.2.1]', /needs a prefix/],
    ['[IPv6::192.0.2.1]', /needs the groups before it/],
    ['[IPv6:::ffff:192.0.2.256]', /IPv4 part is invalid: 256/],
    ['[IPv6:::1.2.3.4:5]', /IPv4 part is invalid/],
    ['[IPv6:1.2.3.4::]', /IPv4 part is invalid/],
    ['[IPv6:1.2::1.2.3.4]', /IPv4 part may only come last/],
    // The General-address-literal form and untagged IPv6.
    ['[::1]', /needs the "IPv6:" tag/],
    ['[2001:db8::1]', /needs the "IPv6:" tag/],
    ['[x-tag:foo]', /only IPv4 and IPv6/],
    ['[IPv7:1::1]', /only IPv4 and IPv6/],
    ['[1.2.3.4\r\n]', /not a number/],
    [7, /must be an address literal \(a string\)/],
  ]
  for (const [input, reason] of refused) {
    test(`refuses ${JSON.stringify(input)}`, () => assert.match(bad(AddressLiteral, input), reason))
  }
})

/** RFC 5321's rule, stated independently: "::" must replace at least two groups. */
const compressesTwoOrMore = (ip: string): boolean => {
  if (!ip.includes('::')) return true
  const explicit = ip.split('::').flatMap((h) => (h === '' ? [] : h.split(':')))
  const groups = explicit.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0)
  return 8 - groups >= 2
}

describe('AddressLiteral: against node:net as an oracle (properties)', () => {
  test('IPv4: agrees with net.isIPv4 on dotted quads in any spelling and on random strings', () => {
    fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV4Extended(), anyString), (s) => assert.equal(isIPv4Address(s), isIPv4(s), s)), RUNS)
  })
  test('IPv6: valid per net.isIPv6 with "::" for two or more groups and no zone ⇔ accepted', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), anyString), (s) => {
        const expected = isIPv6(s) && !s.includes('%') && compressesTwoOrMore(s)
        assert.equal(isIPv6Address(s), expected, s)
        if (expected) assert.equal(ok(AddressLiteral, `[IPv6:${s}]`), `[IPv6:${s}]`)
      }),
      RUNS,
    )
  })
  test('random strings never throw; decoded literals are canonical', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        for (const input of [s, `[${s}]`, `[IPv6:${s}]`]) {
          const r = AddressLiteral.decode(input)
          if (E.isRight(r)) assert.deepEqual(AddressLiteral.decode(r.right), E.right(r.right))
        }
      }),
      RUNS,
    )
  })
})

describe('EhloName: a domain or an address literal', () => {
  const good: ReadonlyArray<readonly [string, string]> = [
    ['client.example', 'client.example'],
    ['localhost', 'localhost'],
    ['[127.0.0.1]', '[127.0.0.1]'],
    ['[IPv6:::1]', '[IPv6:::1]'],
    ['[ipv6:2001:db8::25]', '[IPv6:2001:db8::25]'],
    ['bücher.example', 'xn--bcher-kva.example'],
  ]
  for (const [input, wire] of good) test(`accepts ${input}`, () => assert.equal(ok(EhloName, input), wire))
  const refused: ReadonlyArray<readonly [unknown, RegExp]> = [
    ['', /empty/],
    ['client.example\r\nMAIL FROM:<x@y>', /U\+000D \(CR\)/],
    ['client example', /space/],
    ['[not an ip]', /not a valid EHLO name/],
    ['127.0.0.1', /IPv4 address: write it as an address literal, \[127\.0\.0\.1\]/],
    ['::1', /IPv6 address: write it as an address literal, \[IPv6:::1\]/],
    ['2001:db8::1', /\[IPv6:2001:db8::1\]/],
    ['client.example.', /trailing dot/],
    ['under_score.example', /"_"/],
    [['client.example'], /not a list/],
  ]
  for (const [input, reason] of refused) test(`refuses ${JSON.stringify(input)}`, () => assert.match(bad(EhloName, input), reason))
  test('any decoded EHLO name has no CR, LF, NUL or space, is at most 255 octets, and decodes to itself (property)', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, anyString.map((s) => `[${s}]`)), (s) => {
        const r = EhloName.decode(s)
        if (E.isLeft(r)) return
        assert.doesNotMatch(r.right, /[\r\n\0 ]/)
        assert.match(r.right, /^[\x21-\x7e]+$/)
        assert.ok(r.right.length <= MAX_DOMAIN_OCTETS)
        assert.deepEqual(EhloName.decode(r.right), E.right(r.right))
        assert.ok(EhloName.is(r.right))
      }),
      RUNS,
    )
  })
})
