/** Mailboxes (RFC 5321 §4.1.2) and the reverse-path (RFC 5321 §4.1.1.2). */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import {
  MAX_LOCAL_PART_OCTETS,
  MAX_MAILBOX_OCTETS,
  MAX_PATH_OCTETS,
  Mailbox,
  NULL_PATH,
  ReversePath,
  domainOf,
  isNullPath,
  localPart,
  needsSmtpUtf8,
} from '../../packages/core/src/codecs/index.ts'
import { RUNS, anyString, bad, octets, ok } from './helpers.ts'

describe('Mailbox: accepted, in canonical wire form', () => {
  const good: ReadonlyArray<readonly [string, string]> = [
    ['alice@example.org', 'alice@example.org'],
    ['<alice@example.org>', 'alice@example.org'],
    ['Alice@Example.ORG', 'Alice@Example.ORG'],
    ['first.last+tag@example.org', 'first.last+tag@example.org'],
    ["o'hara!#$%&*=?^_`{|}~-/@example.org", "o'hara!#$%&*=?^_`{|}~-/@example.org"],
    ['x@a.b.c.example', 'x@a.b.c.example'],
    ['1@example.org', '1@example.org'],
    // Address literals after "@".
    ['user@[192.0.2.1]', 'user@[192.0.2.1]'],
    ['user@[IPv6:2001:db8::1]', 'user@[IPv6:2001:db8::1]'],
    ['user@[ipv6:::1]', 'user@[IPv6:::1]'],
    // IDN domains become A-labels.
    ['user@bücher.example', 'user@xn--bcher-kva.example'],
    ['user@例え.テスト', 'user@xn--r8jz45g.xn--zckzah'],
    // Quoted local parts stay quoted when they must...
    ['"john doe"@example.org', '"john doe"@example.org'],
    ['"a\\"b"@example.org', '"a\\"b"@example.org'],
    ['"a\\\\b"@example.org', '"a\\\\b"@example.org'],
    ['"a@b"@example.org', '"a@b"@example.org'],
    ['"a..b"@example.org', '"a..b"@example.org'],
    ['".a"@example.org', '".a"@example.org'],
    ['"(comment)"@example.org', '"(comment)"@example.org'],
    ['" "@example.org', '" "@example.org'],
    ['"a\u00a0b"@example.org', '"a\u00a0b"@example.org'],
    // ...and lose needless escapes, or their quotes when the content is a Dot-string.
    ['"john"@example.org', 'john@example.org'],
    ['"john.doe"@example.org', 'john.doe@example.org'],
    ['"a\\b"@example.org', 'ab@example.org'],
    ['"a\\ b"@example.org', '"a b"@example.org'],
    ['"jürgen"@example.org', 'jürgen@example.org'],
    // SMTPUTF8 local parts (RFC 6531 §3.3).
    ['jürgen@example.org', 'jürgen@example.org'],
    ['用户@例子.广告', '用户@xn--fsqu00a.xn--4rr70v'],
    ['δοκιμή@παράδειγμα.δοκιμή', 'δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp'],
  ]
  for (const [input, wire] of good) test(`${input} → ${wire}`, () => assert.equal(ok(Mailbox, input), wire))
})

describe('Mailbox: refused', () => {
  const refused: ReadonlyArray<readonly [unknown, RegExp]> = [
    ['', /empty/],
    ['nodomain', /no "@domain"/],
    ['@example.org', /local part is empty/],
    ['a@', /no domain after "@"/],
    ['bob@@x', /more than one "@"/],
    ['a@b@example.org', /more than one "@"/],
    ['a..b@example.org', /two dots in a row/],
    ['.a@example.org', /starts with a dot/],
    ['a.@example.org', /ends with a dot/],
    ['a b@example.org', /contains a space/],
    [' a@example.org', /contains a space/],
    ['a@example.org ', /domain .* contains a space/],
    ['a(b)@example.org', /contains "\("/],
    ['a,b@example.org', /contains ","/],
    ['a"b@example.org', /contains "\\""/],
    ['a\u00a0b@example.org', /U\+00A0/],
    ['a\u3000b@example.org', /U\+3000/],
    // CR, LF, NUL and other controls, anywhere, even quoted: they would end the command line.
    ['alice@example.org\r\nRCPT TO:<victim@example.org>', /U\+000D \(CR\)/],
    ['alice\n@example.org', /U\+000A \(LF\)/],
    ['alice\u0000@example.org', /U\+0000 \(NUL\)/],
    ['"a\r\nb"@example.org', /U\+000D \(CR\)/],
    ['"a\u0000b"@example.org', /NUL/],
    ['"a\tb"@example.org', /TAB/],
    ['"a\\\tb"@example.org', /TAB/],
    ['a\u007f@example.org', /U\+007F/],
    ['a\u0085@example.org', /U\+0085/],
    ['a\ud800@example.org', /lone surrogate/],
    // Quoted-string syntax.
    ['""@example.org', /local part is empty/],
    ['"abc@example.org', /no closing quote/],
    ['"a"b@example.org', /followed by "b", not "@"/],
    ['"a"', /no "@domain"/],
    ['"a\\"@example.org', /no closing quote/],
    ['"a\\é"@example.org', /escapes U\+00E9/],
    // Angle brackets, the null path, source routes.
    ['<alice@example.org', /unmatched angle bracket/],
    ['alice@example.org>', /unmatched angle bracket/],
    ['<>', /null path/],
    ['<<a@example.org>>', /contains "<"/],
    ['@a.example,@b.example:user@c.example', /source route/],
    ['<@a.example:user@c.example>', /source route/],
    // Domains.
    ['a@exa mple.org', /domain "exa mple.org" is not valid: it contains a space/],
    ['a@example.org.', /trailing dot/],
    ['a@-example.org', /starts with a hyphen/],
    ['a@under_score.org', /"_"/],
    ['a@192.0.2.1', /write it as an address literal, \[192\.0\.2\.1\]/],
    ['a@[999.0.0.1]', /999 is larger than 255/],
    ['a@[IPv6:1::2::3]', /only once/],
    ['a@[192.0.2.1', /square brackets/],
    ['Postmaster', /no "@domain"/],
    // Not strings.
    [42, /must be a mailbox \(a string\), not a number/],
    [null, /not null/],
    [{ address: 'a@example.org' }, /not an object/],
    [undefined, /is required/],
  ]
  for (const [input, reason] of refused) test(`refuses ${JSON.stringify(input)}`, () => assert.match(bad(Mailbox, input), reason))
  test('the message names the input and the rule, on one line', () => {
    assert.equal(bad(Mailbox, 'bob@@x'), '(input): "bob@@x" is not a valid mailbox: it has more than one "@" (a local part holding "@" must be quoted)')
  })
})

describe('Mailbox: length limits at the boundary (octets, UTF-8)', () => {
  test(`a local part of ${MAX_LOCAL_PART_OCTETS} octets passes, ${MAX_LOCAL_PART_OCTETS + 1} does not`, () => {
    ok(Mailbox, 'x'.repeat(64) + '@example.org')
    assert.match(bad(Mailbox, 'x'.repeat(65) + '@example.org'), /local part is 65 octets long; at most 64/)
  })
  test('the local part is counted in UTF-8 octets, not characters', () => {
    ok(Mailbox, 'ü'.repeat(32) + '@example.org') // 64 octets
    assert.match(bad(Mailbox, 'ü'.repeat(32) + 'x@example.org'), /65 octets/)
    assert.match(bad(Mailbox, '例'.repeat(22) + '@example.org'), /66 octets/) // 22 characters
    ok(Mailbox, '😀'.repeat(16) + '@example.org') // 16 × 4 octets
    bad(Mailbox, '😀'.repeat(16) + 'x@example.org')
  })
  test('a quoted local part is counted with its quotes and escapes, as sent', () => {
    ok(Mailbox, `"${' '.repeat(62)}"@example.org`) // 64 octets on the wire
    bad(Mailbox, `"${' '.repeat(63)}"@example.org`)
    ok(Mailbox, `"${'\\"'.repeat(31)}"@example.org`) // 31 escaped quotes: 64 octets
    bad(Mailbox, `"${'\\"'.repeat(31)} "@example.org`)
    // A needlessly quoted local part is measured after its quotes are dropped.
    assert.equal(ok(Mailbox, `"${'x'.repeat(64)}"@example.org`), `${'x'.repeat(64)}@example.org`)
  })
  test(`a mailbox of ${MAX_MAILBOX_OCTETS} octets (a ${MAX_PATH_OCTETS}-octet path) passes, one more does not`, () => {
    const domain = (n: number): string => ['x'.repeat(63), 'x'.repeat(63), 'x'.repeat(n - 128)].join('.')
    const at254 = `${'l'.repeat(64)}@${domain(189)}`
    assert.equal(octets(at254), 254)
    assert.equal(ok(Mailbox, at254), at254)
    const at255 = `${'l'.repeat(64)}@${domain(190)}`
    assert.equal(octets(at255), 255)
    assert.match(bad(Mailbox, at255), /255 octets long; at most 254 are allowed \(256 with the angle brackets\)/)
  })
  test('the mailbox length is measured after IDN conversion', () => {
    // Five labels of 12 distinct CJK characters: 64 characters, but A-labels of 43-45 octets each.
    const label = (k: number): string => Array.from({ length: 12 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919 + k * 104729) % 20000))).join('')
    const domain = Array.from({ length: 5 }, (_, k) => label(k)).join('.')
    const input = `${'l'.repeat(64)}@${domain}`
    assert.ok(input.length < 140)
    assert.match(bad(Mailbox, input), /2\d\d octets long; at most 254/)
    assert.equal(ok(Mailbox, `l@${domain}`).length > 200, true)
  })
})

describe('Mailbox: helpers', () => {
  test('SMTPUTF8 is flagged for non-ASCII local parts only (RFC 6531 §3.4)', () => {
    assert.equal(needsSmtpUtf8(ok(Mailbox, 'jürgen@example.org')), true)
    assert.equal(needsSmtpUtf8(ok(Mailbox, '"jü rgen"@example.org')), true)
    assert.equal(needsSmtpUtf8(ok(Mailbox, 'juergen@bücher.example')), false)
    assert.equal(needsSmtpUtf8(ok(Mailbox, 'juergen@example.org')), false)
    assert.equal(needsSmtpUtf8(ok(Mailbox, '"a b"@[IPv6:::1]')), false)
  })
  test('localPart and domainOf split at the last "@"', () => {
    const m = ok(Mailbox, '"a@b"@bücher.example')
    assert.equal(localPart(m), '"a@b"')
    assert.equal(domainOf(m), 'xn--bcher-kva.example')
    const lit = ok(Mailbox, 'x@[IPv6:::1]')
    assert.equal(localPart(lit), 'x')
    assert.equal(domainOf(lit), '[IPv6:::1]')
  })
})

/** The parts of a wire-form mailbox outside its quoted local part. */
const outsideQuotes = (m: string): string => (m.startsWith('"') ? m.slice(m.lastIndexOf('"') + 1) : m)

/** Mailbox-shaped input: a local part and a domain made of the characters that matter. */
const mailboxShaped: fc.Arbitrary<string> = (() => {
  const part = fc.string({
    unit: fc.constantFrom('a', 'b', 'Z', '0', '.', '-', '+', '"', '\\', ' ', '\r', '\n', '\u0000', '\t', 'ü', '例', '@', '[', ']', ':', '<', '>', '1', '\u00a0', '😀'),
    maxLength: 24,
  })
  return fc.oneof(
    fc.tuple(part, part).map(([l, d]) => `${l}@${d}`),
    fc.tuple(part, part).map(([l, d]) => `"${l}"@${d}.example`),
    fc.tuple(part, part).map(([l, d]) => `<${l}@${d}>`),
    fc.tuple(part, fc.ipV4()).map(([l, ip]) => `${l}@[${ip}]`),
  )
})()

describe('Mailbox: properties', () => {
  test('any decoded mailbox: no CR, LF, NUL or control; no space outside quotes; within limits; canonical', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, mailboxShaped), (s) => {
        const r = Mailbox.decode(s)
        if (E.isLeft(r)) return
        const m = r.right
        assert.doesNotMatch(m, /[\r\n\0]/)
        assert.doesNotMatch(m, /\p{Cc}/u)
        assert.doesNotMatch(outsideQuotes(m), /\s/u)
        assert.ok(octets(m) <= MAX_MAILBOX_OCTETS, m)
        assert.ok(octets(localPart(m)) <= MAX_LOCAL_PART_OCTETS, m)
        assert.match(domainOf(m), /^[\x21-\x7e]+$/)
        assert.deepEqual(Mailbox.decode(m), E.right(m))
        assert.ok(Mailbox.is(m))
      }),
      RUNS,
    )
  })
  test('random input never throws: it decodes or is refused with a message', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, mailboxShaped, fc.anything()), (u) => {
        const r = Mailbox.decode(u)
        if (E.isLeft(r)) assert.ok(r.left.every((e) => typeof e.message === 'string' && e.message.length > 0))
      }),
      RUNS,
    )
  })
  test('every valid dot-atom local part at a valid domain is accepted unchanged', () => {
    const atext = fc.constantFrom(..."abcXYZ019!#$%&'*+-/=?^_`{|}~")
    const atom = fc.string({ unit: atext, minLength: 1, maxLength: 10 })
    fc.assert(
      fc.property(fc.array(atom, { minLength: 1, maxLength: 5 }), (atoms) => {
        const local = atoms.join('.')
        fc.pre(local.length <= MAX_LOCAL_PART_OCTETS)
        assert.deepEqual(Mailbox.decode(`${local}@example.org`), E.right(`${local}@example.org`))
      }),
      RUNS,
    )
  })
  test('any printable-ASCII content can be quoted and comes back with the same meaning', () => {
    const unquote = (l: string): string => (l.startsWith('"') ? l.slice(1, -1).replace(/\\(.)/g, '$1') : l)
    fc.assert(
      fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 30 }), (content) => {
        const quoted = `"${content.replace(/["\\]/g, (c) => `\\${c}`)}"@example.org`
        const m = ok(Mailbox, quoted)
        assert.equal(unquote(localPart(m)), content)
      }),
      RUNS,
    )
  })
})

describe('ReversePath', () => {
  test('the null path is "" and may be written "<>"', () => {
    assert.equal(ok(ReversePath, ''), NULL_PATH)
    assert.equal(ok(ReversePath, '<>'), NULL_PATH)
    assert.equal(isNullPath(ok(ReversePath, '<>')), true)
    assert.equal(isNullPath(ok(ReversePath, 'a@example.org')), false)
  })
  test('anything else must be a mailbox', () => {
    assert.equal(ok(ReversePath, 'a@example.org'), 'a@example.org')
    assert.equal(ok(ReversePath, '<a@bücher.example>'), 'a@xn--bcher-kva.example')
    assert.match(bad(ReversePath, 'nope'), /no "@domain"/)
    assert.match(bad(ReversePath, '< >'), /no "@domain"/)
    assert.match(bad(ReversePath, ' '), /no "@domain"/)
    assert.match(bad(ReversePath, null), /not null/)
  })
  test('decoding is idempotent and `is` agrees (property)', () => {
    fc.assert(
      fc.property(fc.oneof(anyString, mailboxShaped, fc.constant('<>')), (s) => {
        const r = ReversePath.decode(s)
        if (E.isLeft(r)) return
        assert.deepEqual(ReversePath.decode(r.right), E.right(r.right))
        assert.ok(ReversePath.is(r.right))
      }),
      RUNS,
    )
  })
})
