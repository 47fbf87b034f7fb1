/** Shared helpers for the codec tests. */
import assert from 'node:assert/strict'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import fc from 'fast-check'
import { formatValidationErrors } from '../../packages/core/src/codecs/index.ts'

/** Decode and return the value; fail the test with the codec's message otherwise. */
export const ok = <A>(codec: t.Decoder<unknown, A>, input: unknown): A => {
  const r = codec.decode(input)
  if (E.isLeft(r)) assert.fail(`expected ${JSON.stringify(input)} to decode, got: ${formatValidationErrors(r.left)}`)
  return r.right
}

/** Decode, expect a refusal, and return the formatted message (to match reasons against). */
export const bad = (codec: t.Decoder<unknown, unknown>, input: unknown): string => {
  const r = codec.decode(input)
  if (E.isRight(r)) assert.fail(`expected ${JSON.stringify(input)} to be refused, got ${JSON.stringify(r.right)}`)
  return formatValidationErrors(r.left)
}

/** UTF-8 length in octets, by the platform's encoder (independent of the code under test). */
export const octets = (s: string): number => new TextEncoder().encode(s).length

/** Any string: code points from the whole range, including lone surrogates and controls. */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('\ud800', '\udc00', '\u0000', '\r', '\n', ' ', '"', '\\', '@', '.', '<', '>', '[', ']', ':', 'a', 'ü', '例', 'x', '-'), maxLength: 60 }),
)

/** A label of LDH characters, 1..63 long, starting and ending with a letter or digit. */
export const ldhLabel: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
    fc.string({ unit: fc.constantFrom(...'abcxyzQRS0189-'), maxLength: 61 }),
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
  )
  .map(([a, mid, z]) => (mid === '' && a === z ? a : `${a}${mid}${z}`))
  .filter((l) => l.slice(2, 4) !== '--')

/** Run enough cases for a codec property. */
export const RUNS = { numRuns: 3000 } as const

/** An optional field: absent, or a value from `a`. */
export const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined })

/**
 * A fast path and the full decode gave the same answer: the same value (as `view` shows it),
 * or the same issues.
 */
export const assertSameDecoding = <A>(
  fast: E.Either<{ readonly issues?: unknown }, A>,
  slow: E.Either<{ readonly issues?: unknown }, A>,
  view: (a: A) => unknown = (a) => a,
): void => {
  assert.equal(E.isRight(fast), E.isRight(slow))
  if (E.isRight(fast) && E.isRight(slow)) assert.deepEqual(view(fast.right), view(slow.right))
  if (E.isLeft(fast) && E.isLeft(slow)) assert.deepEqual(fast.left.issues, slow.left.issues)
}
