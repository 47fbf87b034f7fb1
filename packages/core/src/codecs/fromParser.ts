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
 * Most values one codec's guard remembers as canonical (then it starts over). The same sender,
 * recipients and EHLO name come back on every message and connection, and a parse per check
 * cost more than the rest of the check (50 recipients per message: 8% of scenario C). Only
 * addresses and host names are parsed this way; no secret is ever kept here.
 */
export const CANONICAL_MEMO_SIZE = 1024

/**
 * A codec for strings that `parse` accepts. `is` holds only for canonical values (those the
 * parser returns unchanged), so decoding a decoded value is the identity. `noun` names the thing
 * in messages: `is not a valid ${noun}`.
 */
export const fromParser = <A extends string>(name: string, noun: string, parse: Parser<A>): t.Type<A, string, unknown> => {
  const canonical = new Set<string>()
  return new t.Type<A, string, unknown>(
    name,
    (u): u is A => {
      if (typeof u !== 'string') return false
      if (canonical.has(u)) return true
      const r = parse(u)
      if (!E.isRight(r) || r.right !== u) return false
      if (canonical.size >= CANONICAL_MEMO_SIZE) canonical.clear()
      canonical.add(u)
      return true
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
