import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { Codecs, decodeConfig, decodeEnvelope } from '@smtpure/core'

const { Mailbox, Domain, EhloName, ReversePath, Credentials, AddressLiteral, Punycode, decodeWith } = Codecs

const ok = <A>(codec: { decode: (u: unknown) => E.Either<unknown, A> }, input: unknown): A => {
  const r = codec.decode(input)
  assert.ok(E.isRight(r), `expected ${JSON.stringify(input)} to decode`)
  return r.right
}
const bad = (codec: { decode: (u: unknown) => E.Either<unknown, unknown> }, input: unknown): void => {
  assert.ok(E.isLeft(codec.decode(input)), `expected ${JSON.stringify(input)} to be refused`)
}

describe('Punycode (RFC 3492)', () => {
  // RFC 3492 §7.1 sample strings.
  const samples: ReadonlyArray<[string, string]> = [
    ['\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A\u061F', 'egbpdaj6bu4bxfgehfvwxn'],
    ['\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587', 'ihqwcrb4cv8a8dqg056pqjye'],
    ['\u0050\u0072\u006F\u010D\u0070\u0072\u006F\u0073\u0074\u011B\u006E\u0065\u006D\u006C\u0075\u0076\u00ED\u010D\u0065\u0073\u006B\u0079', 'Proprostnemluvesky-uyb24dma41a'],
    ['\u3072\u3068\u3064\u5C4B\u6839\u306E\u4E0B\u0032', '2-u9tlzr9756bt3uc0v'],
    ['\u305D\u306E\u30B9\u30D4\u30FC\u30C9\u3067', 'd9juau41awczczp'],
    ['-> $1.00 <-', '-> $1.00 <--'],
  ]
  for (const [unicode, puny] of samples) {
    test(`encodes and decodes ${puny}`, () => {
      assert.equal(Punycode.encode(unicode), puny)
      assert.equal(Punycode.decode(puny), unicode)
    })
  }
  test('round-trips any string (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => assert.equal(Punycode.decode(Punycode.encode(s)), s)), { numRuns: 300 })
  })
})

describe('Domain', () => {
  test('valid domains, IDN to A-labels', () => {
    assert.equal(ok(Domain, 'example.org'), 'example.org')
    assert.equal(ok(Domain, 'mx-1.Example.ORG'), 'mx-1.Example.ORG')
    assert.equal(ok(Domain, 'bücher.example'), 'xn--bcher-kva.example')
    assert.equal(ok(Domain, '例え.テスト'), 'xn--r8jz45g.xn--zckzah')
    assert.equal(ok(Domain, 'localhost'), 'localhost')
  })
  const invalid = ['', 'a..b', '.a', 'a.', '-a.example', 'a-.example', 'a_b.example', 'a b.example', 'a\r\n.example', 'a\u0000b', 'x'.repeat(64) + '.example', 'exa mple']
  for (const d of invalid) test(`refuses ${JSON.stringify(d)}`, () => bad(Domain, d))
  test('label and length limits at the boundary', () => {
    ok(Domain, 'x'.repeat(63) + '.example')
    const long = Array.from({ length: 4 }, () => 'x'.repeat(63)).join('.') // 255 octets
    assert.equal(long.length, 255)
    ok(Domain, long)
    bad(Domain, long + 'x')
  })
})

describe('AddressLiteral and EhloName', () => {
  const good = ['[127.0.0.1]', '[0.0.0.0]', '[255.255.255.255]', '[IPv6:::1]', '[IPv6:2001:db8::1]', '[IPv6:2001:db8:0:0:0:0:0:1]', '[IPv6:::ffff:192.0.2.1]']
  const notGood = ['[256.0.0.1]', '[01.2.3.4]', '[1.2.3]', '[IPv6:1:2:3:4:5:6:7:8:9]', '[IPv6:1::2::3]', '[IPv6:12345::]', '[foo:bar]', '127.0.0.1]', '[127.0.0.1']
  for (const g of good) test(`accepts ${g}`, () => assert.equal(ok(AddressLiteral, g), g))
  for (const b of notGood) test(`refuses ${b}`, () => bad(AddressLiteral, b))
  test('EHLO names are domains or address literals', () => {
    assert.equal(ok(EhloName, 'client.example'), 'client.example')
    assert.equal(ok(EhloName, '[IPv6:::1]'), '[IPv6:::1]')
    assert.equal(ok(EhloName, 'bücher.example'), 'xn--bcher-kva.example')
    bad(EhloName, 'client.example\r\nMAIL FROM:<x@y>')
    bad(EhloName, '[not an ip]')
    bad(EhloName, '')
  })
})

describe('Mailbox', () => {
  const good: ReadonlyArray<[string, string]> = [
    ['alice@example.org', 'alice@example.org'],
    ['<alice@example.org>', 'alice@example.org'],
    ['first.last+tag@example.org', 'first.last+tag@example.org'],
    ["o'hara!#$%&*=?^_`{|}~-@example.org", "o'hara!#$%&*=?^_`{|}~-@example.org"],
    ['"john doe"@example.org', '"john doe"@example.org'],
    ['"a\\"b"@example.org', '"a\\"b"@example.org'],
    ['user@[192.0.2.1]', 'user@[192.0.2.1]'],
    ['user@bücher.example', 'user@xn--bcher-kva.example'],
    ['jürgen@example.org', 'jürgen@example.org'],
  ]
  for (const [input, wire] of good) test(`accepts ${input}`, () => assert.equal(ok(Mailbox, input), wire))
  const invalid = [
    '',
    'no-at-sign',
    '@example.org',
    'a@',
    'a..b@example.org',
    '.a@example.org',
    'a.@example.org',
    'a b@example.org',
    'a@b@example.org',
    'alice@example.org\r\nRCPT TO:<victim@example.org>',
    'alice\n@example.org',
    'alice\u0000@example.org',
    '"a\r\nb"@example.org',
    'a@exa mple.org',
    'a@[999.0.0.1]',
    'x'.repeat(65) + '@example.org',
    42,
    null,
  ]
  for (const m of invalid) test(`refuses ${JSON.stringify(m)}`, () => bad(Mailbox, m))
  test('local part limit is 64 octets, counted in UTF-8', () => {
    ok(Mailbox, 'x'.repeat(64) + '@example.org')
    bad(Mailbox, 'ü'.repeat(33) + '@example.org') // 66 octets
  })
  test('SMTPUTF8 is flagged for non-ASCII local parts only', () => {
    assert.equal(Codecs.needsSmtpUtf8(ok(Mailbox, 'jürgen@example.org')), true)
    assert.equal(Codecs.needsSmtpUtf8(ok(Mailbox, 'juergen@bücher.example')), false)
  })
  test('decoded mailboxes never hold CR, LF, NUL or spaces outside quotes, and decode to themselves (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = Mailbox.decode(s)
        if (E.isLeft(r)) return
        assert.doesNotMatch(r.right, /[\r\n\0]/)
        if (!r.right.startsWith('"')) assert.doesNotMatch(r.right, / /)
        assert.ok(new TextEncoder().encode(r.right).length <= 254)
        assert.deepEqual(Mailbox.decode(r.right), E.right(r.right))
      }),
      { numRuns: 2000 },
    )
  })
  test('mailbox-shaped random input never throws (property)', () => {
    const part = fc.string({ unit: fc.constantFrom('a', '.', '"', '\\', ' ', '\r', '\n', 'ü', '@', '[', ']', ':', '1'), maxLength: 20 })
    fc.assert(
      fc.property(part, part, (l, d) => {
        const r = Mailbox.decode(`${l}@${d}`)
        if (E.isRight(r)) assert.doesNotMatch(r.right, /[\r\n]/)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('ReversePath', () => {
  test('the null path', () => {
    assert.equal(ok(ReversePath, ''), '')
    assert.equal(ok(ReversePath, '<>'), '')
    assert.equal(ok(ReversePath, 'a@example.org'), 'a@example.org')
    bad(ReversePath, 'nope')
  })
})

describe('Credentials', () => {
  test('valid credentials', () => {
    ok(Credentials, { username: 'user', password: 'pass' })
    ok(Credentials, { username: 'user', password: 'pass', authzid: 'admin' })
  })
  test('refused: empty, NUL, CR/LF, too long', () => {
    bad(Credentials, { username: '', password: 'x' })
    bad(Credentials, { username: 'a', password: '' })
    bad(Credentials, { username: 'a\u0000b', password: 'x' })
    bad(Credentials, { username: 'a', password: 'x\r\ny' })
    bad(Credentials, { username: 'a', password: 'x'.repeat(256) })
    bad(Credentials, { username: 'a' })
  })
  test('a password never appears in an error message (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 4, maxLength: 40 }), fc.constantFrom('\u0000', '\r', '\n'), (secret, bad) => {
        const password = `${secret}${bad}${secret}`
        const r = decodeWith(Credentials)({ username: 'user', password })
        assert.ok(E.isLeft(r))
        assert.ok(!r.left.message.includes(password))
        assert.ok(!JSON.stringify(r.left).includes(password))
      }),
      { numRuns: 300 },
    )
  })
})

describe('errors name the field', () => {
  test('envelope errors carry the path of each bad field', () => {
    const r = decodeEnvelope({ from: 'ok@example.org', to: ['fine@example.net', 'bad@@x', 'also fine@example.net'] })
    assert.ok(E.isLeft(r))
    assert.equal(r.left.reason, 'InvalidInput')
    assert.deepEqual(
      r.left.issues.map((i) => i.path),
      ['to[1]', 'to[2]'],
    )
    assert.match(r.left.message, /to\[1\]: is not a valid address/)
  })
  test('an empty recipient list and a missing from', () => {
    const r = decodeEnvelope({ to: [] })
    assert.ok(E.isLeft(r))
    const paths = r.left.issues.map((i) => i.path)
    assert.ok(paths.includes('from'))
    assert.ok(paths.includes('to'))
  })
  test('client options: bad TLS policy, bad EHLO name, bad timeout; the password is not echoed', () => {
    const r = decodeConfig({
      serverName: 'mx.example',
      clientName: 'bad name',
      tls: 'sometimes',
      timeouts: { greeting: -1 },
      auth: { credentials: { username: 'u', password: 'hunter2\u0000' } },
    })
    assert.ok(E.isLeft(r))
    const paths = r.left.issues.map((i) => i.path)
    assert.ok(paths.includes('clientName'), paths.join())
    assert.ok(paths.includes('tls'), paths.join())
    assert.ok(paths.includes('timeouts.greeting'), paths.join())
    assert.ok(paths.includes('auth.credentials.password'), paths.join())
    assert.ok(!JSON.stringify(r.left).includes('hunter2'))
  })
})
