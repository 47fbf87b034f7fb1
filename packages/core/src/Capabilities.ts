/**
 * What the server said it supports, parsed from the EHLO reply (RFC 5321 §4.1.1.1):
 *
 *   ehlo-ok-rsp = ( "250" SP Domain [ SP ehlo-greet ] CRLF )
 *               / ( "250-" Domain [ SP ehlo-greet ] CRLF *( "250-" ehlo-line CRLF ) "250" SP ehlo-line CRLF )
 *   ehlo-line    = ehlo-keyword *( SP ehlo-param )
 *   ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
 *
 * Keywords are matched exactly (case-insensitively), never by substring: "XSTARTTLSX" is not
 * STARTTLS and "PIPELINING-NOT" is not PIPELINING.
 */
import * as O from 'fp-ts/lib/Option.js'
import type { Reply } from './Reply.ts'

// ---- model

/** One advertised extension: its upper-cased keyword and its parameters as sent. */
export interface Extension {
  readonly keyword: string
  readonly params: ReadonlyArray<string>
}

/** The typed view of an EHLO reply. */
export interface Capabilities {
  /** Every extension line, in order. */
  readonly extensions: ReadonlyArray<Extension>
  /** RFC 2920 */
  readonly pipelining: boolean
  /** RFC 3207 */
  readonly startTls: boolean
  /** RFC 6152 */
  readonly eightBitMime: boolean
  /** RFC 6531 */
  readonly smtpUtf8: boolean
  /** RFC 3030 */
  readonly chunking: boolean
  /** RFC 3030 */
  readonly binaryMime: boolean
  /** RFC 3461 */
  readonly dsn: boolean
  /** RFC 2034 */
  readonly enhancedStatusCodes: boolean
  /** RFC 8689 */
  readonly requireTls: boolean
  /** RFC 1870: Some(limit) when SIZE was advertised; 0 means "no fixed limit". */
  readonly size: O.Option<number>
  /** RFC 4954: the SASL mechanisms offered, upper-cased. */
  readonly auth: ReadonlyArray<string>
}

// ---- constructors

/** No extensions: what a HELO (or an EHLO with no extension lines) gives. */
export const none: Capabilities = {
  extensions: [],
  pipelining: false,
  startTls: false,
  eightBitMime: false,
  smtpUtf8: false,
  chunking: false,
  binaryMime: false,
  dsn: false,
  enhancedStatusCodes: false,
  requireTls: false,
  size: O.none,
  auth: [],
}

const KEYWORD = /^[A-Za-z0-9][A-Za-z0-9-]*$/

/**
 * Parse an extension line. Lines that are not an ehlo-keyword are skipped rather than failing
 * the session; the one legacy form kept is `AUTH=PLAIN LOGIN` (pre-RFC 4954 servers).
 */
const parseLine = (line: string): O.Option<Extension> => {
  const words = line.trim().split(/[ \t]+/).filter((w) => w.length > 0)
  const first = words[0]
  if (first === undefined) return O.none
  const eq = first.indexOf('=')
  if (eq > 0 && first.slice(0, eq).toUpperCase() === 'AUTH') {
    return O.some({ keyword: 'AUTH', params: [first.slice(eq + 1), ...words.slice(1)].filter((w) => w !== '') })
  }
  if (!KEYWORD.test(first)) return O.none
  return O.some({ keyword: first.toUpperCase(), params: words.slice(1) })
}

/** The capabilities advertised by a positive EHLO reply (its first line is the greeting). */
export const fromEhloReply = (r: Reply): Capabilities => {
  const extensions: Extension[] = []
  for (const line of r.lines.slice(1)) {
    const ext = parseLine(line)
    if (O.isSome(ext)) extensions.push(ext.value)
  }
  const has = (k: string): boolean => extensions.some((e) => e.keyword === k)
  const sizeExt = extensions.find((e) => e.keyword === 'SIZE')
  const sizeParam = sizeExt?.params[0]
  const auth = new Set<string>()
  for (const e of extensions) if (e.keyword === 'AUTH') for (const m of e.params) auth.add(m.toUpperCase())
  return {
    extensions,
    pipelining: has('PIPELINING'),
    startTls: has('STARTTLS'),
    eightBitMime: has('8BITMIME'),
    smtpUtf8: has('SMTPUTF8'),
    chunking: has('CHUNKING'),
    binaryMime: has('BINARYMIME'),
    dsn: has('DSN'),
    enhancedStatusCodes: has('ENHANCEDSTATUSCODES'),
    requireTls: has('REQUIRETLS'),
    // RFC 1870 §4: "SIZE" [SP number]; a missing or zero number means no fixed maximum.
    size:
      sizeExt === undefined
        ? O.none
        : O.some(sizeParam !== undefined && /^\d{1,20}$/.test(sizeParam) ? Number(sizeParam) : 0),
    auth: [...auth],
  }
}
