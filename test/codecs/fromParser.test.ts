import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { CANONICAL_MEMO_SIZE, fromParser } from '../../packages/core/src/codecs/fromParser.ts'

// A parser that lower-cases: canonical values are the lower-case ones; it counts its calls.
const counting = () => {
  let calls = 0
  const codec = fromParser('Lower', 'lower-case word', (u: string) => {
    calls++
    return /^[a-zA-Z]+$/.test(u) ? E.right(u.toLowerCase()) : E.left('it is not a word')
  })
  return { codec, calls: () => calls }
}

describe('fromParser', () => {
  test('the guard answers what the parser says, remembered or not (property)', () => {
    const { codec } = counting()
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('abc', 'ABC', 'x1', '', 'zz'), fc.string({ maxLength: 6 })), { maxLength: 50 }), (xs) => {
        for (const x of [...xs, ...xs]) assert.equal(codec.is(x), /^[a-z]+$/.test(x))
      }),
    )
  })

  test('a canonical value is parsed once; the memo is bounded and starts over when full', () => {
    const { codec, calls } = counting()
    assert.equal(codec.is('abc'), true)
    assert.equal(codec.is('abc'), true)
    assert.equal(calls(), 1)
    // Non-canonical values are never remembered.
    assert.equal(codec.is('ABC'), false)
    assert.equal(codec.is('ABC'), false)
    assert.equal(calls(), 3)
    const word = (i: number): string => i.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)]!)
    for (let i = 0; i <= CANONICAL_MEMO_SIZE; i++) assert.equal(codec.is(word(i)), true)
    const before = calls()
    // The memo was cleared when it filled, so the first words are parsed again, and still pass.
    assert.equal(codec.is(word(0)), true)
    assert.equal(calls(), before + 1)
  })
})
