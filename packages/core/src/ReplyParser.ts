/**
 * Incremental reply parser (RFC 5321 §4.2). Bytes arrive split anywhere; complete replies come
 * out one at a time, so the engine can check what is left after each (RFC 3207 response
 * injection). Memory is bounded by the named limits; bytes already scanned are never rescanned.
 *
 *   reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF
 *   Reply-code = %x32-35 %x30-35 %x30-39
 */
import { CR, LF, EMPTY, concat, fromUtf8 } from './Bytes.ts'
import { MAX_REPLY_LINE_OCTETS, MAX_REPLY_LINES } from './Limits.ts'
import type { Reply } from './Reply.ts'

// ---- model

/** Parser state: the unfinished line and the lines of the unfinished reply. Plain data. */
export interface ReplyParser {
  /** Bytes of a line whose LF has not arrived yet (never holds an LF). */
  readonly partial: Uint8Array
  /** Code of the multi-line reply in progress, or 0 when none. */
  readonly code: number
  /** Text lines of the reply in progress. */
  readonly lines: ReadonlyArray<string>
}

/** One parse step: a complete reply (continue at `offset`), more bytes needed, or a violation. */
export type ParseStep =
  | { readonly _tag: 'Reply'; readonly reply: Reply; readonly parser: ReplyParser; readonly offset: number }
  | { readonly _tag: 'NeedMore'; readonly parser: ReplyParser }
  | { readonly _tag: 'Violation'; readonly message: string }

// ---- constructors

/** A parser that has seen nothing. */
export const empty: ReplyParser = { partial: EMPTY, code: 0, lines: [] }

// ---- queries

/** True when the parser holds bytes of a reply not yet complete. */
export const isMidReply = (p: ReplyParser): boolean => p.partial.length > 0 || p.lines.length > 0

// ---- combinators

const digit = (c: number, lo: number, hi: number): boolean => c >= 0x30 + lo && c <= 0x30 + hi

const violation = (message: string): ParseStep => ({ _tag: 'Violation', message })

/**
 * Parse from `input[offset..]` until one reply is complete or the input is used up.
 * The returned parser must be used for the next call (with the same input and the returned
 * offset when a reply came out, or with the next input after NeedMore).
 */
export const next =
  (input: Uint8Array, offset: number) =>
  (p: ReplyParser): ParseStep =>
    parseAt(input, offset, p)

/** `next`, uncurried for the engine's hot path (no closure per reply). */
export const parseAt = (input: Uint8Array, offset: number, p: ReplyParser): ParseStep => {
  let partial = p.partial
  let code = p.code
  // Copied on first append, so the caller's arrays are never changed.
  let lines = p.lines as string[]
  let own = false
  let at = offset
  const n = input.length
  for (;;) {
    // Reply lines are short: a plain loop finds the LF sooner than a native call per line.
    let lf = at
    while (lf < n && input[lf] !== LF) lf++
    if (lf === n) {
      const rest = input.subarray(at)
      // The line so far plus CRLF must still fit (RFC 5321 §4.5.3.1.5, generously).
      if (partial.length + rest.length + 2 > MAX_REPLY_LINE_OCTETS) {
        return violation(`reply line longer than ${MAX_REPLY_LINE_OCTETS} octets`)
      }
      // Copy: the caller's buffer may be reused once this step returns.
      const kept = rest.length === 0 ? partial : concat([partial, rest.slice()])
      return { _tag: 'NeedMore', parser: { partial: kept, code, lines } }
    }
    if (partial.length + (lf - at) + 1 > MAX_REPLY_LINE_OCTETS) {
      return violation(`reply line longer than ${MAX_REPLY_LINE_OCTETS} octets`)
    }
    // The line is line[start..end) of `buf`: the input itself unless a partial line came first.
    let buf = input
    let start = at
    let end = lf
    if (partial.length > 0) {
      buf = concat([partial, input.subarray(at, lf)])
      start = 0
      end = buf.length
      partial = EMPTY
    }
    at = lf + 1
    // CRLF is the terminator; a bare LF is tolerated (many test servers send it).
    if (end > start && buf[end - 1] === CR) end--
    if (end - start < 3 || !digit(buf[start]!, 2, 5) || !digit(buf[start + 1]!, 0, 5) || !digit(buf[start + 2]!, 0, 9)) {
      return violation(`malformed reply line: ${JSON.stringify(fromUtf8(buf.subarray(start, Math.min(end, start + 40))))}`)
    }
    const lineCode = (buf[start]! - 0x30) * 100 + (buf[start + 1]! - 0x30) * 10 + (buf[start + 2]! - 0x30)
    if (code !== 0 && lineCode !== code) {
      return violation(`reply code changed from ${code} to ${lineCode} inside a multi-line reply`)
    }
    const sep = end - start > 3 ? buf[start + 3]! : 0x20
    if (sep !== 0x20 && sep !== 0x2d) {
      return violation(`malformed reply line: ${JSON.stringify(fromUtf8(buf.subarray(start, Math.min(end, start + 40))))}`)
    }
    const text = end - start > 4 ? textOf(buf, start + 4, end) : ''
    if (lines.length + 1 > MAX_REPLY_LINES) {
      return violation(`reply longer than ${MAX_REPLY_LINES} lines`)
    }
    // A one-line reply (most of them): an array of exactly one, not an empty one grown by push.
    if (sep === 0x20 && lines.length === 0) return { _tag: 'Reply', reply: { code: lineCode, lines: [text] }, parser: empty, offset: at }
    if (!own) {
      lines = lines.length === 0 ? [] : lines.slice()
      own = true
    }
    lines.push(text)
    if (sep === 0x2d) {
      code = lineCode
      continue
    }
    return { _tag: 'Reply', reply: { code: lineCode, lines }, parser: empty, offset: at }
  }
}

/** Longest reply text decoded by hand: short ASCII text skips the UTF-8 decoder's native call. */
const MAX_HAND_DECODED = 64

/**
 * Recently seen short reply texts by a hash of their octets. A server repeats the same few texts
 * ("2.1.0 Ok") on every transaction; a hit costs a comparison instead of a new string.
 */
export const REPLY_TEXT_MEMO_SIZE = 64
const memo: Array<string | undefined> = new Array(REPLY_TEXT_MEMO_SIZE)

/** The text of `buf[start..end)`, UTF-8 decoded. */
const textOf = (buf: Uint8Array, start: number, end: number): string => {
  if (end - start > MAX_HAND_DECODED) return fromUtf8(buf.subarray(start, end))
  let h = end - start
  for (let i = start; i < end; i++) {
    const b = buf[i]!
    if (b >= 0x80) return fromUtf8(buf.subarray(start, end))
    h = (h * 31 + b) | 0
  }
  const slot = (h >>> 0) % REPLY_TEXT_MEMO_SIZE
  const known = memo[slot]
  if (known !== undefined && known.length === end - start) {
    let same = true
    for (let i = 0; i < known.length; i++) {
      if (known.charCodeAt(i) !== buf[start + i]) {
        same = false
        break
      }
    }
    if (same) return known
  }
  let t = ''
  for (let i = start; i < end; i++) t += String.fromCharCode(buf[i]!)
  memo[slot] = t
  return t
}
