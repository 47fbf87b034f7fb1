/** Punycode (RFC 3492): the §7.1 sample strings, decoder failures, round trips. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { Punycode, toALabel } from '../../packages/core/src/codecs/index.ts'

const cps = (...points: number[]): string => String.fromCodePoint(...points)

// RFC 3492 §7.1, (A) to (S): the Unicode code points and the Punycode (no ACE prefix).
const SAMPLES: ReadonlyArray<readonly [string, string, string]> = [
  ['(A) Arabic (Egyptian)', cps(0x0644, 0x064a, 0x0647, 0x0645, 0x0627, 0x0628, 0x062a, 0x0643, 0x0644, 0x0645, 0x0648, 0x0634, 0x0639, 0x0631, 0x0628, 0x064a, 0x061f), 'egbpdaj6bu4bxfgehfvwxn'],
  ['(B) Chinese (simplified)', cps(0x4ed6, 0x4eec, 0x4e3a, 0x4ec0, 0x4e48, 0x4e0d, 0x8bf4, 0x4e2d, 0x6587), 'ihqwcrb4cv8a8dqg056pqjye'],
  ['(C) Chinese (traditional)', cps(0x4ed6, 0x5011, 0x7232, 0x4ec0, 0x9ebd, 0x4e0d, 0x8aaa, 0x4e2d, 0x6587), 'ihqwctvzc91f659drss3x8bo0yb'],
  ['(D) Czech', cps(0x50, 0x72, 0x6f, 0x10d, 0x70, 0x72, 0x6f, 0x73, 0x74, 0x11b, 0x6e, 0x65, 0x6d, 0x6c, 0x75, 0x76, 0xed, 0x10d, 0x65, 0x73, 0x6b, 0x79), 'Proprostnemluvesky-uyb24dma41a'],
  ['(E) Hebrew', cps(0x5dc, 0x5de, 0x5d4, 0x5d4, 0x5dd, 0x5e4, 0x5e9, 0x5d5, 0x5d8, 0x5dc, 0x5d0, 0x5de, 0x5d3, 0x5d1, 0x5e8, 0x5d9, 0x5dd, 0x5e2, 0x5d1, 0x5e8, 0x5d9, 0x5ea), '4dbcagdahymbxekheh6e0a7fei0b'],
  [
    '(F) Hindi (Devanagari)',
    cps(0x92f, 0x939, 0x932, 0x94b, 0x917, 0x939, 0x93f, 0x928, 0x94d, 0x926, 0x940, 0x915, 0x94d, 0x92f, 0x94b, 0x902, 0x928, 0x939, 0x940, 0x902, 0x92c, 0x94b, 0x932, 0x938, 0x915, 0x924, 0x947, 0x939, 0x948, 0x902),
    'i1baa7eci9glrd9b2ae1bj0hfcgg6iyaf8o0a1dig0cd',
  ],
  ['(G) Japanese (kanji and hiragana)', cps(0x306a, 0x305c, 0x307f, 0x3093, 0x306a, 0x65e5, 0x672c, 0x8a9e, 0x3092, 0x8a71, 0x3057, 0x3066, 0x304f, 0x308c, 0x306a, 0x3044, 0x306e, 0x304b), 'n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa'],
  [
    '(H) Korean (Hangul syllables)',
    cps(0xc138, 0xacc4, 0xc758, 0xbaa8, 0xb4e0, 0xc0ac, 0xb78c, 0xb4e4, 0xc774, 0xd55c, 0xad6d, 0xc5b4, 0xb97c, 0xc774, 0xd574, 0xd55c, 0xb2e4, 0xba74, 0xc5bc, 0xb9c8, 0xb098, 0xc88b, 0xc744, 0xae4c),
    '989aomsvi5e83db1d2a355cv1e0vak1dwrv93d5xbh15a0dt30a5jpsd879ccm6fea98c',
  ],
  [
    '(I) Russian (Cyrillic)',
    cps(0x43f, 0x43e, 0x447, 0x435, 0x43c, 0x443, 0x436, 0x435, 0x43e, 0x43d, 0x438, 0x43d, 0x435, 0x433, 0x43e, 0x432, 0x43e, 0x440, 0x44f, 0x442, 0x43f, 0x43e, 0x440, 0x443, 0x441, 0x441, 0x43a, 0x438),
    'b1abfaaepdrnnbgefbadotcwatmq2g4l',
  ],
  ['(J) Spanish', 'Porqu\u00e9nopuedensimplementehablarenEspa\u00f1ol', 'PorqunopuedensimplementehablarenEspaol-fmd56a'],
  ['(K) Vietnamese', 'T\u1ea1isaoh\u1ecdkh\u00f4ngth\u1ec3ch\u1ec9n\u00f3iti\u1ebfngVi\u1ec7t', 'TisaohkhngthchnitingVit-kjcr8268qyxafd2f1b9g'],
  ['(L) 3<nen>B<gumi><kinpachi><sensei>', cps(0x33, 0x5e74, 0x42, 0x7d44, 0x91d1, 0x516b, 0x5148, 0x751f), '3B-ww4c5e180e575a65lsy2b'],
  ['(M) <amuro><namie>-with-SUPER-MONKEYS', `${cps(0x5b89, 0x5ba4, 0x5948, 0x7f8e, 0x6075)}-with-SUPER-MONKEYS`, '-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n'],
  ['(N) Hello-Another-Way-<sorezore><no><basho>', `Hello-Another-Way-${cps(0x305d, 0x308c, 0x305e, 0x308c, 0x306e, 0x5834, 0x6240)}`, 'Hello-Another-Way--fc4qua05auwb3674vfr0b'],
  ['(O) <hitotsu><yane><no><shita>2', cps(0x3072, 0x3068, 0x3064, 0x5c4b, 0x6839, 0x306e, 0x4e0b, 0x32), '2-u9tlzr9756bt3uc0v'],
  ['(P) Maji<de>Koi<suru>5<byou><mae>', cps(0x4d, 0x61, 0x6a, 0x69, 0x3067, 0x4b, 0x6f, 0x69, 0x3059, 0x308b, 0x35, 0x79d2, 0x524d), 'MajiKoi5-783gue6qz075azm5e'],
  ['(Q) <pafii>de<runba>', cps(0x30d1, 0x30d5, 0x30a3, 0x30fc, 0x64, 0x65, 0x30eb, 0x30f3, 0x30d0), 'de-jg4avhby1noc0d'],
  ['(R) <sono><supiido><de>', cps(0x305d, 0x306e, 0x30b9, 0x30d4, 0x30fc, 0x30c9, 0x3067), 'd9juau41awczczp'],
  ['(S) -> $1.00 <-', '-> $1.00 <-', '-> $1.00 <--'],
]

describe('Punycode: RFC 3492 §7.1 sample strings', () => {
  for (const [name, unicode, puny] of SAMPLES) {
    test(`${name} encodes to ${puny}`, () => assert.equal(Punycode.encode(unicode), puny))
    test(`${name} decodes from ${puny}`, () => assert.deepEqual(Punycode.decode(puny), E.right(unicode)))
  }
  test('digits decode in either case (RFC 3492 §5)', () => {
    assert.deepEqual(Punycode.decode('EGBPDAJ6BU4BXFGEHFVWXN'), Punycode.decode('egbpdaj6bu4bxfgehfvwxn'))
  })
})

describe('Punycode: the decoder refuses what is not Punycode', () => {
  const bad: ReadonlyArray<readonly [string, RegExp]> = [
    ['ü-abc', /non-ASCII/],
    ['abc-!', /not a Punycode digit/],
    ['a-b-c-d!', /not a Punycode digit/],
    ['-abc', /not a Punycode digit/],
    ['9999999999999999999999a', /overflows/],
    ['99999a', /beyond U\+10FFFF/],
    ['zzzzzz', /ends in the middle/],
  ]
  for (const [input, reason] of bad) {
    test(`refuses ${JSON.stringify(input)}`, () => {
      const r = Punycode.decode(input)
      assert.ok(E.isLeft(r), `decoded to ${JSON.stringify(r)}`)
      assert.match(r.left, reason)
    })
  }
  test('random ASCII never throws (property)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => void Punycode.decode(s)), { numRuns: 3000 })
  })
})

describe('Punycode: round trips and A-labels', () => {
  test('decode(encode(s)) is s for any string of code points (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => assert.deepEqual(Punycode.decode(Punycode.encode(s)), E.right(s))),
      { numRuns: 2000 },
    )
  })
  test('encode writes only basic code points (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => assert.match(Punycode.encode(s), /^[\x00-\x7f]*$/)), { numRuns: 1000 })
  })
  test('toALabel: ASCII unchanged, else xn-- and Punycode', () => {
    assert.equal(toALabel('example'), 'example')
    assert.equal(toALabel('bücher'), 'xn--bcher-kva')
    assert.equal(toALabel('例え'), 'xn--r8jz45g')
    assert.equal(toALabel('テスト'), 'xn--zckzah')
    assert.equal(toALabel('ü'), 'xn--tda')
  })
  test('fromALabel undoes toALabel, prefix in any case', () => {
    assert.deepEqual(Punycode.fromALabel('xn--bcher-kva'), E.right('bücher'))
    // Basic code points are copied as they are (RFC 3492 §6.2); only the digits are case-blind.
    assert.deepEqual(Punycode.fromALabel('XN--BCHER-KVA'), E.right('BüCHER'))
    assert.deepEqual(Punycode.fromALabel('plain'), E.right('plain'))
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), (s) => assert.deepEqual(Punycode.fromALabel(toALabel(s)), E.right(s))), { numRuns: 500 })
  })
})
