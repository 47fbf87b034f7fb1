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
 * Transform one chunk. Returns the bytes to write and the state for the next chunk. When the
 * chunk needs no change the very same array is returned (the caller must not reuse it until it
 * has been written).
 */
export const stuff =
  (chunk: Uint8Array) =>
  (s: DotStuffer): readonly [Uint8Array, DotStuffer] => {
    let atLineStart = s.atLineStart
    let afterCr = s.afterCr
    const n = chunk.length
    let out: Uint8Array | null = null
    let o = 0
    for (let i = 0; i < n; i++) {
      const c = chunk[i]!
      if (c > CR && c !== DOT) {
        // The common case: an ordinary octet in the middle of a line.
        if (afterCr) {
          if (out === null) {
            out = new Uint8Array(n * 2 + 1)
            out.set(chunk.subarray(0, i))
            o = i
          }
          out[o++] = LF
          afterCr = false
        }
        atLineStart = false
        if (out !== null) out[o++] = c
        continue
      }
      if (c === LF) {
        if (!afterCr) {
          // Bare LF: write CRLF.
          if (out === null) {
            out = new Uint8Array(n * 2 + 1)
            out.set(chunk.subarray(0, i))
            o = i
          }
          out[o++] = CR
        }
        if (out !== null) out[o++] = LF
        afterCr = false
        atLineStart = true
        continue
      }
      if (afterCr) {
        // The CR before this octet was bare: complete it as CRLF.
        if (out === null) {
          out = new Uint8Array(n * 2 + 1)
          out.set(chunk.subarray(0, i))
          o = i
        }
        out[o++] = LF
        afterCr = false
        atLineStart = true
      }
      if (c === CR) {
        if (out !== null) out[o++] = CR
        afterCr = true
        atLineStart = true
        continue
      }
      if (c === DOT && atLineStart) {
        // RFC 5321 §4.5.2: "If the first character is a period, one additional period is inserted".
        if (out === null) {
          out = new Uint8Array(n * 2 + 1)
          out.set(chunk.subarray(0, i))
          o = i
        }
        out[o++] = DOT
      }
      atLineStart = false
      if (out !== null) out[o++] = c
    }
    return [out === null ? chunk : out.subarray(0, o), { atLineStart, afterCr }]
  }

const TERMINATOR = utf8('.\r\n')
const CRLF_TERMINATOR = utf8('\r\n.\r\n')
const LF_TERMINATOR = utf8('\n.\r\n')

/** The bytes that end the body: a missing line end, then `.` CRLF (RFC 5321 §4.1.1.4). */
export const finish = (s: DotStuffer): Uint8Array =>
  s.afterCr ? LF_TERMINATOR : s.atLineStart ? TERMINATOR : CRLF_TERMINATOR

/** Stuff a whole body at once (tests and small messages). */
export const stuffAll = (body: Uint8Array): Uint8Array => {
  const [bytes, s] = stuff(body)(initial)
  const tail = finish(s)
  const out = new Uint8Array(bytes.length + tail.length)
  out.set(bytes)
  out.set(tail, bytes.length)
  return out
}
