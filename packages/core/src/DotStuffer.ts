/**
 * The DATA body transducer (RFC 5321 §4.5.2 and §2.3.8). Over any split of the body into
 * chunks it:
 *   - turns every bare CR and every bare LF into CRLF (§2.3.8: a bare CR or LF is not a line
 *     ending, and letting one through is how "SMTP smuggling" hides a second end-of-data);
 *   - doubles a `.` at the start of a line (§4.5.2 transparency);
 *   - ends the body with CRLF if needed, then `.` CRLF.
 * So the only `CRLF . CRLF` that reaches the wire is the terminator. State is two booleans,
 * memory is O(chunk), and a chunk that needs no change is passed through without a copy.
 */
import { CR, LF, DOT, utf8 } from './Bytes.ts'

// ---- model

/** Where the previous chunk left off. */
export interface DotStuffer {
  /** The next octet starts a line. */
  readonly atLineStart: boolean
  /** The previous octet was a CR already written; an LF must follow it. */
  readonly afterCr: boolean
}

// ---- constructors

/** Before the first octet of a body. */
export const initial: DotStuffer = { atLineStart: true, afterCr: false }

// ---- combinators

/**
 * Transform one chunk (`dots = false` normalizes line ends only, for BDAT). Returns the bytes
 * to write and the state for the next chunk. When the
 * chunk needs no change the very same array is returned (the caller must not reuse it until it
 * has been written).
 *
 * Line breaks are found with the native `indexOf`, so ordinary text is never walked byte by byte
 * in JavaScript; changes are recorded as insertions and applied in one copy at the end.
 */
export const stuff =
  (chunk: Uint8Array, dots = true) =>
  (s: DotStuffer): readonly [Uint8Array, DotStuffer] => {
    const n = chunk.length
    let atLineStart = s.atLineStart
    let afterCr = s.afterCr
    // Insertions as (position, octet) pairs: the octet goes in before chunk[position].
    let inserts: number[] | null = null
    let lf = -2 // next LF at or after i (-1: none left, -2: not looked for yet)
    let cr = -2 // next CR at or after i
    let i = 0
    while (i < n) {
      if (afterCr) {
        afterCr = false
        atLineStart = true
        if (chunk[i] === LF) {
          i++
          continue
        }
        // RFC 5321 §2.3.8: a bare CR is not a line end; complete it as CRLF.
        ;(inserts ??= []).push(i, LF)
      }
      if (atLineStart) {
        atLineStart = false
        // RFC 5321 §4.5.2: "If the first character is a period, one additional period is inserted".
        if (dots && chunk[i] === DOT) (inserts ??= []).push(i, DOT)
      }
      if (lf !== -1 && lf < i) lf = chunk.indexOf(LF, i)
      if (cr !== -1 && cr < i) cr = chunk.indexOf(CR, i)
      const next = lf === -1 ? (cr === -1 ? n : cr) : cr === -1 ? lf : Math.min(lf, cr)
      if (next === n) break
      if (chunk[next] === CR) {
        afterCr = true
      } else {
        // A bare LF: write CRLF.
        ;(inserts ??= []).push(next, CR)
        atLineStart = true
      }
      i = next + 1
    }
    const state: DotStuffer = { atLineStart, afterCr }
    if (inserts === null) return [chunk, state]
    const out = new Uint8Array(n + inserts.length / 2)
    let from = 0
    let o = 0
    for (let k = 0; k < inserts.length; k += 2) {
      const at = inserts[k]!
      out.set(chunk.subarray(from, at), o)
      o += at - from
      out[o++] = inserts[k + 1]!
      from = at
    }
    out.set(chunk.subarray(from), o)
    return [out, state]
  }

const TERMINATOR = utf8('.\r\n')
const CRLF_TERMINATOR = utf8('\r\n.\r\n')
const LF_TERMINATOR = utf8('\n.\r\n')

/** The bytes that end the body: a missing line end, then `.` CRLF (RFC 5321 §4.1.1.4). */
export const finish = (s: DotStuffer): Uint8Array =>
  s.afterCr ? LF_TERMINATOR : s.atLineStart ? TERMINATOR : CRLF_TERMINATOR

/**
 * With BDAT (RFC 3030) no dot is stuffed and no terminator is sent (`stuff(chunk, false)`);
 * this completes a CR left dangling at the very end.
 */
export const finishUnstuffed = (s: DotStuffer): Uint8Array => (s.afterCr ? LF_ONLY : EMPTY_BYTES)

const LF_ONLY = utf8('\n')
const EMPTY_BYTES = new Uint8Array(0)

/** Stuff a whole body at once (tests and small messages). */
export const stuffAll = (body: Uint8Array): Uint8Array => {
  const [bytes, s] = stuff(body)(initial)
  const tail = finish(s)
  const out = new Uint8Array(bytes.length + tail.length)
  out.set(bytes)
  out.set(tail, bytes.length)
  return out
}
