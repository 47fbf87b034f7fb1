/**
 * A server reply (RFC 5321 §4.2): a three-digit code and one or more text lines, plus the
 * enhanced status code (RFC 3463) when the server advertised ENHANCEDSTATUSCODES (RFC 2034).
 */
import * as O from 'fp-ts/lib/Option.js'

// ---- model

/** A complete reply. `lines` hold the text after `ddd-`/`ddd ` of each line. */
export interface Reply {
  readonly code: number
  readonly lines: ReadonlyArray<string>
}

/** RFC 3463 §2: class.subject.detail, e.g. 5.1.1 (bad destination mailbox). */
export interface EnhancedStatus {
  readonly class: 2 | 4 | 5
  readonly subject: number
  readonly detail: number
}

// ---- constructors

/** A reply from its code and lines. */
export const reply = (code: number, ...lines: ReadonlyArray<string>): Reply => ({
  code,
  lines: lines.length === 0 ? [''] : lines,
})

// ---- queries

/** 2yz: the requested action was completed (RFC 5321 §4.2.1). */
export const isPositive = (r: Reply): boolean => r.code >= 200 && r.code < 300
/** 3yz: the command was accepted, more information is needed. */
export const isIntermediate = (r: Reply): boolean => r.code >= 300 && r.code < 400
/** 4yz: transient negative completion; the same request may succeed later. */
export const isTransient = (r: Reply): boolean => r.code >= 400 && r.code < 500
/** 5yz: permanent negative completion. */
export const isPermanent = (r: Reply): boolean => r.code >= 500

/** The reply's text, lines joined with a space (for error messages). */
export const text = (r: Reply): string => r.lines.join(' ').trim()

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?:\s|$)/

/**
 * The enhanced status code at the start of the first line, when its class matches the reply's
 * first digit (RFC 3463 §2: "the class sub-code ... MUST match the first digit of the reply").
 */
export const enhancedStatus = (r: Reply): O.Option<EnhancedStatus> => {
  const m = ENHANCED.exec(r.lines[0] ?? '')
  if (m === null) return O.none
  const cls = Number(m[1]) as 2 | 4 | 5
  if (cls !== Math.floor(r.code / 100)) return O.none
  return O.some({ class: cls, subject: Number(m[2]), detail: Number(m[3]) })
}

/** `5.1.1` form of an enhanced status. */
export const formatEnhanced = (e: EnhancedStatus): string => `${e.class}.${e.subject}.${e.detail}`

/** The reply as it would appear on the wire (CRLF line ends), for transcripts and vectors. */
export const format = (r: Reply): string =>
  r.lines.map((l, i) => `${r.code}${i === r.lines.length - 1 ? ' ' : '-'}${l}`.trimEnd() + '\r\n').join('')
