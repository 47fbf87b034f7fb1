/** The Domain codec: RFC 5321 §4.1.2 syntax, IDN to A-labels, the 63/255 octet limits. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { Domain, MAX_DOMAIN_OCTETS, MAX_LABEL_OCTETS, Punycode, mapLabel, parseDomain } from '../../packages/core/src/codecs/index.ts'
import { RUNS, anyString, bad, ldhLabel, ok } from './helpers.ts'

describe('Domain: valid names', () => {
  const good: ReadonlyArray<readonly [string, string]> = [
    ['example.org', 'example.org'],
    ['localhost', 'localhost'],
    ['mx-1.Example.ORG', 'mx-1.Example.ORG'],
    ['a.b.c.d.e', 'a.b.c.d.e'],
    ['1example.org', '1example.org'],
    ['3com.com', '3com.com'],
    ['x.y-z.museum', 'x.y-z.museum'],
    ['ab--cd.example', 'ab--cd.example'],
    ['192.0.2.example', '192.0.2.example'],
    // IDN: each non-ASCII label becomes its A-label.
    ['bücher.example', 'xn--bcher-kva.example'],
    ['例え.テスト', 'xn--r8jz45g.xn--zckzah'],
    ['BÜCHER.example', 'xn--bcher-kva.example'],
    ['Bücher.Example', 'xn--bcher-kva.Example'],
    ['münchen.de', 'xn--mnchen-3ya.de'],
    ['пример.рф', 'xn--e1afmkfd.xn--p1ai'],
    ['faß.de', 'xn--fa-hia.de'],
    ['ελλάδα.gr', 'xn--hxakic4aa.gr'],
    ['ΕΛΛΆΔΑ.gr', 'xn--hxakic4aa.gr'],
    ['ΣΣ.gr', 'xn--4xaa.gr'],
    // NFC first: a decomposed ü is the same label as a precomposed one.
    ['bu\u0308cher.example', 'xn--bcher-kva.example'],
    // RFC 3490 §3.1: ideographic and full-width full stops separate labels; full-width letters fold.
    ['例え。テスト', 'xn--r8jz45g.xn--zckzah'],
    ['例え．テスト', 'xn--r8jz45g.xn--zckzah'],
    ['ｅｘａｍｐｌｅ.org', 'example.org'],
    // A-labels given as such are checked and kept.
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['XN--BCHER-KVA.example', 'XN--BCHER-KVA.example'],
  ]
  for (const [input, wire] of good) test(`${input} → ${wire}`, () => assert.equal(ok(Domain, input), wire))
})

describe('Domain: refused', () => {
  const refused: ReadonlyArray<readonly [unknown, RegExp]> = [
    ['', /is empty/],
    ['a..b', /empty label/],
    ['.example.org', /empty label/],
    ['example.org.', /trailing dot/],
    ['.', /trailing dot|empty label/],
    ['-a.example', /starts with a hyphen/],
    ['a-.example', /ends with a hyphen/],
    ['a_b.example', /contains "_"/],
    ['a b.example', /contains a space/],
    ['exa mple', /contains a space/],
    ['a\r\n.example', /U\+000D \(CR\)/],
    ['a\nb.example', /U\+000A \(LF\)/],
    ['a\u0000b', /U\+0000 \(NUL\)/],
    ['a\tb', /TAB/],
    ['a\u007fb', /U\+007F/],
    ['a\u0085b.example', /U\+0085/],
    ['a@b.example', /contains "@"/],
    ['a:25', /contains ":"/],
    ['[192.0.2.1]', /contains "\["/],
    ['192.0.2.1', /IPv4 address: write it as an address literal, \[192\.0\.2\.1\]/],
    ['example.123', /last label is all digits/],
    ['123', /last label is all digits/],
    ['x'.repeat(64) + '.example', /64 octets long; at most 63/],
    // Unicode that is not a letter, mark or digit.
    ['a\u00a0b.example', /contains a space/], // NFKC maps NO-BREAK SPACE to a space
    ['i❤.ws', /U\+2764/],
    ['a\u200db.example', /U\+200D/],
    ['ex\u00adample.org', /U\+00AD/],
    ['\u0301a.example', /combining mark/],
    ['ü-.example', /ends with a hyphen/],
    ['-ü.example', /starts with a hyphen/],
    ['üb--x.example', /third and fourth/],
    ['a\ud800b.example', /lone surrogate/],
    // "xn--" labels must be real A-labels (RFC 5891 §5.4).
    ['xn--.example', /hyphen/],
    ['xn--abc.example', /not a valid A-label/],
    ['xn--a-ecp.example', /not a valid A-label|not Punycode/],
    ['xn--bcher-kva!.example', /contains "!"/],
    ['xn--abc-.example', /ends with a hyphen/],
    ['xn--zz.example', /not Punycode|not a valid A-label/],
    ['xn--example-.org', /ends with a hyphen/],
    ['xn--ls8h.example', /not a valid A-label/], // the A-label of an emoji
    [42, /must be a domain \(a string\), not a number/],
    [null, /not null/],
    [undefined, /is required/],
  ]
  for (const [input, reason] of refused) {
    test(`refuses ${JSON.stringify(input)}`, () => assert.match(bad(Domain, input), reason))
  }
  test('the message quotes the input escaped, so it cannot forge log lines', () => {
    const m = bad(Domain, 'evil\r\nX-Injected: yes')
    assert.doesNotMatch(m, /[\r\n]/)
    assert.match(m, /"evil\\r\\nX-Injected: yes" is not a valid domain/)
  })
  test('a very long input is refused cheaply and quoted only in part', () => {
    const m = bad(Domain, 'ü'.repeat(1_000_000))
    assert.ok(m.length < 400, m)
  })
})

describe('Domain: length limits at the boundary', () => {
  test(`a label of ${MAX_LABEL_OCTETS} octets passes, ${MAX_LABEL_OCTETS + 1} does not`, () => {
    ok(Domain, 'x'.repeat(63) + '.example')
    bad(Domain, 'x'.repeat(64) + '.example')
  })
  test(`a domain of ${MAX_DOMAIN_OCTETS} octets passes, ${MAX_DOMAIN_OCTETS + 1} does not`, () => {
    const d255 = ['x'.repeat(63), 'x'.repeat(63), 'x'.repeat(63), 'x'.repeat(63)].join('.')
    assert.equal(d255.length, 255)
    assert.equal(ok(Domain, d255), d255)
    const d256 = ['x'.repeat(63), 'x'.repeat(63), 'x'.repeat(63), 'x'.repeat(61), 'ab'].join('.')
    assert.equal(d256.length, 256)
    assert.match(bad(Domain, d256), /256 octets long; at most 255/)
  })
  test('an IDN label is measured as its A-label: 63 octets pass, 64 do not', () => {
    // Find the number of ASCII letters that, with one "ü", makes an A-label of exactly 63.
    const lengthOf = (n: number): number => Punycode.toALabel('ü' + 'a'.repeat(n)).length
    const n = Array.from({ length: 70 }, (_, i) => i).find((i) => lengthOf(i) === 63)
    assert.ok(n !== undefined)
    assert.equal(ok(Domain, `ü${'a'.repeat(n)}.example`).split('.')[0]!.length, 63)
    assert.match(bad(Domain, `ü${'a'.repeat(n + 1)}.example`), /A-label .* is 64 octets; at most 63/)
  })
  test('a domain whose A-labels exceed 255 octets is refused even if its Unicode form is short', () => {
    // Six labels of 12 distinct CJK characters: 77 characters, but A-labels of 43-45 octets each.
    const label = (k: number): string => Array.from({ length: 12 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919 + k * 104729) % 20000))).join('')
    const d = Array.from({ length: 6 }, (_, k) => label(k)).join('.')
    assert.ok(d.length < 100)
    assert.match(bad(Domain, d), /octets long \(as A-labels\); at most 255/)
  })
})

describe('Domain: properties', () => {
  test('random strings never throw; anything decoded is ASCII LDH, within limits, and canonical', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const r = Domain.decode(s)
        if (E.isLeft(r)) return
        const d = r.right
        assert.match(d, /^[A-Za-z0-9.-]+$/)
        assert.ok(d.length <= MAX_DOMAIN_OCTETS)
        for (const l of d.split('.')) assert.ok(l.length >= 1 && l.length <= MAX_LABEL_OCTETS)
        assert.deepEqual(Domain.decode(d), E.right(d))
        assert.ok(Domain.is(d))
      }),
      RUNS,
    )
  })
  test('any dot-joined LDH labels within 255 octets with a non-numeric last label decode to themselves', () => {
    fc.assert(
      fc.property(fc.array(ldhLabel, { minLength: 1, maxLength: 6 }), (labels) => {
        const d = labels.join('.')
        fc.pre(d.length <= MAX_DOMAIN_OCTETS && !/^\d+$/.test(labels[labels.length - 1]!) && !/^xn--/i.test(d) && !d.split('.').some((l) => /^xn--/i.test(l)))
        assert.deepEqual(Domain.decode(d), E.right(d))
      }),
      RUNS,
    )
  })
  test('Unicode labels: the A-label decodes back to the mapped label; decoding the result is the identity', () => {
    const unicodeLabel = fc.string({ unit: fc.constantFrom('a', 'z', '0', '-', 'ü', 'é', 'ß', 'Σ', '例', 'テ', 'ж', 'ā', 'İ', 'ｅ', '\u0301'), minLength: 1, maxLength: 30 })
    fc.assert(
      fc.property(unicodeLabel, (label) => {
        const r = parseDomain(`${label}.example`)
        if (E.isLeft(r)) return
        const a = r.right.split('.')[0]!
        if (/^xn--/.test(a)) assert.deepEqual(Punycode.fromALabel(a), E.right(mapLabel(label)))
        assert.deepEqual(Domain.decode(r.right), E.right(r.right))
      }),
      RUNS,
    )
  })
  test('the codec agrees with its own `is` on every input', () => {
    fc.assert(fc.property(anyString, (s) => assert.equal(Domain.is(s), E.isRight(Domain.decode(s)) && ok(Domain, s) === s)), { numRuns: 1000 })
  })
})
