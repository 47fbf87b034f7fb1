/**
 * The one way a string codec is made here: from a parser that returns the canonical wire form or
 * the reason the input is refused. Failures carry a whole sentence as io-ts's message
 * (`"bob@@x" is not a valid mailbox: it has more than one "@"`), which errors.ts prints as is.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { kindOf, showInput } from './show.ts'

/** A parser: the canonical form of the input, or the reason it is refused (a clause after "…: "). */
export type Parser<A extends string> = (input: string) => E.Either<string, A>

/**
 * A codec for strings that `parse` accepts. `is` holds only for canonical values (those the
 * parser returns unchanged), so decoding a decoded value is the identity. `noun` names the thing
 * in messages: `is not a valid ${noun}`.
 */
export const fromParser = <A extends string>(name: string, noun: string, parse: Parser<A>): t.Type<A, string, unknown> => {
  // The last value found canonical: the same sender and EHLO name come back on every message
  // and connection, and a parse per check cost more than the rest of the check.
  let lastCanonical: string | null = null
  return new t.Type<A, string, unknown>(
    name,
    (u): u is A => {
      if (typeof u !== 'string') return false
      if (u === lastCanonical) return true
      const r = parse(u)
      const canonical = E.isRight(r) && r.right === u
      if (canonical) lastCanonical = u
      return canonical
    },
    (u, c) => {
      if (u === undefined) return t.failure(u, c, 'is required')
      if (typeof u !== 'string') return t.failure(u, c, `must be ${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun} (a string), not ${kindOf(u)}`)
      const r = parse(u)
      return E.isRight(r) ? t.success(r.right) : t.failure(u, c, `${showInput(u)} is not a valid ${noun}: ${r.left}`)
    },
    (a) => a,
  )
}
