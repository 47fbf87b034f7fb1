/**
 * A mailbox as SMTP carries it in MAIL FROM and RCPT TO (RFC 5321 §4.1.2):
 *
 *   Mailbox         = Local-part "@" ( Domain / address-literal )
 *   Local-part      = Dot-string / Quoted-string
 *   Dot-string      = Atom *("." Atom)
 *   Atom            = 1*atext                          ; RFC 5322 §3.2.3
 *   Quoted-string   = DQUOTE *QcontentSMTP DQUOTE
 *   QcontentSMTP    = qtextSMTP / quoted-pairSMTP
 *   qtextSMTP       = %d32-33 / %d35-91 / %d93-126
 *   quoted-pairSMTP = %d92 %d32-126
 *
 * With SMTPUTF8 (RFC 6531 §3.3) atext and qtextSMTP also take UTF8-non-ascii; such a mailbox
 * needs the SMTPUTF8 parameter on MAIL (see `needsSmtpUtf8`).
 *
 * The decoded value is the canonical wire form `local@domain`, without angle brackets:
 *   - input written `<local@domain>` is accepted and unwrapped (people copy paths from logs);
 *   - the domain goes through the Domain codec (IDN becomes A-labels) or is an address literal;
 *   - a quoted local part is unescaped and, when its content is a valid Dot-string, written
 *     unquoted (`"john"` → `john`): RFC 5322 §3.2.4 makes the quotes not part of the value, and
 *     RFC 5322 §3.4.1 says the dot-atom form SHOULD be used when it can be. Otherwise it stays
 *     quoted, with only `"` and `\` escaped;
 *   - nothing else is rewritten: the local part's case and Unicode normalization are the
 *     receiving host's business (RFC 5321 §2.4), so no NFC is applied to it.
 *
 * Refused: any control character (CR, LF, NUL, TAB, DEL, C1) anywhere, even quoted (qtextSMTP
 * has none); a space or other Unicode white space outside quotes; lone surrogates; an empty local
 * part, quoted or not (`""@example.org` is grammatical but never meant); source routes
 * (`@a,@b:user@c`, RFC 5321 Appendix C); a mailbox with no domain (`<Postmaster>` alone, which
 * only RCPT TO may use, RFC 5321 §4.1.1.3, is not a Mailbox).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type AddressLiteral, parseAddressLiteral } from './AddressLiteral.ts'
import { type Domain, parseDomain } from './Domain.ts'
import { fromParser } from './fromParser.ts'
import { hasLoneSurrogate, isAscii, utf8Octets } from './octets.ts'
import { showChar, showInput } from './show.ts'

/** RFC 5321 §4.5.3.1.1: the local part is at most 64 octets. */
export const MAX_LOCAL_PART_OCTETS = 64
/** RFC 5321 §4.5.3.1.3: a path, angle brackets included, is at most 256 octets. */
export const MAX_PATH_OCTETS = 256
/** The longest mailbox: a path without its two angle brackets (RFC 5321 §4.5.3.1.3). */
export const MAX_MAILBOX_OCTETS = MAX_PATH_OCTETS - 2
/**
 * Longest input, in UTF-16 code units, that is even looked at. A valid mailbox cannot be
 * spelled longer (its domain may shrink to A-labels, by NFC at most threefold); checked first so
 * a huge string costs nothing.
 */
export const MAX_MAILBOX_INPUT_LENGTH = 4096

/** The brand of a valid mailbox. */
export interface MailboxBrand {
  readonly Mailbox: unique symbol
}
/** A valid mailbox in wire form `local@domain` (no angle brackets; domain ASCII). */
export type Mailbox = t.Branded<string, MailboxBrand>

// RFC 5322 §3.2.3: atext.
const ASCII_ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]$/
// RFC 6531 §3.3: atext =/ UTF8-non-ascii. White space is kept out of unquoted local parts anyway.
const UNQUOTED_NON_ASCII_REFUSED = /^[\p{Cc}\p{Cs}\p{White_Space}]$/u
// RFC 5321 §4.1.2: qtextSMTP = %d32-33 / %d35-91 / %d93-126 (no '"' and no '\').
const ASCII_QTEXT = /^[\x20\x21\x23-\x5b\x5d-\x7e]$/
// RFC 6531 §3.3: qtextSMTP =/ UTF8-non-ascii; controls and lone surrogates are never sent.
const QUOTED_NON_ASCII_REFUSED = /^[\p{Cc}\p{Cs}]$/u
// RFC 5321 §4.1.2: quoted-pairSMTP = %d92 %d32-126.
const QUOTABLE = /^[\x20-\x7e]$/

const isAtext = (ch: string): boolean => (ch < '\x80' ? ASCII_ATEXT.test(ch) : !UNQUOTED_NON_ASCII_REFUSED.test(ch))
const isQtext = (ch: string): boolean => (ch < '\x80' ? ASCII_QTEXT.test(ch) : !QUOTED_NON_ASCII_REFUSED.test(ch))

const ATEXT_HINT = "an unquoted local part holds letters, digits and !#$%&'*+-/=?^_`{|}~ (quote it to use others)"

/** Why `s` is not a Dot-string (RFC 5321 §4.1.2), or null when it is one. */
const dotStringProblem = (s: string): string | null => {
  if (s === '') return 'the local part is empty'
  if (s.startsWith('.')) return 'the local part starts with a dot'
  if (s.endsWith('.')) return 'the local part ends with a dot'
  if (s.includes('..')) return 'the local part has two dots in a row'
  for (const ch of s) {
    if (ch !== '.' && !isAtext(ch)) return `the local part contains ${showChar(ch)}: ${ATEXT_HINT}`
  }
  return null
}

/** The quoted local part at the start of `s`: its unescaped content and where it ends. */
const scanQuoted = (s: string): E.Either<string, { readonly content: string; readonly end: number }> => {
  let content = ''
  let i = 1
  while (i < s.length) {
    const ch = String.fromCodePoint(s.codePointAt(i) ?? 0)
    if (ch === '"') return E.right({ content, end: i + 1 })
    if (ch === '\\') {
      const cp = s.codePointAt(i + 1)
      if (cp === undefined) return E.left('the quoted local part ends with a lone backslash')
      const next = String.fromCodePoint(cp)
      // RFC 5321 §4.1.2: quoted-pairSMTP escapes printable ASCII or a space, nothing else.
      if (!QUOTABLE.test(next)) return E.left(`a backslash in the quoted local part escapes ${showChar(next)}; only printable ASCII or a space may be escaped`)
      content += next
      i += 2
      continue
    }
    if (!isQtext(ch)) return E.left(`the quoted local part contains ${showChar(ch)}`)
    content += ch
    i += ch.length
  }
  return E.left('the quoted local part has no closing quote')
}

/** The canonical local part for quoted content: unquoted when it is a Dot-string. */
const canonicalQuoted = (content: string): string =>
  dotStringProblem(content) === null ? content : `"${content.replace(/["\\]/g, (c) => `\\${c}`)}"`

const parseMailDomain = (d: string): E.Either<string, Domain | AddressLiteral> => {
  if (d === '') return E.left('it has no domain after "@"')
  const r: E.Either<string, Domain | AddressLiteral> = d.startsWith('[') ? parseAddressLiteral(d) : parseDomain(d)
  return E.isRight(r) ? r : E.left(`the domain ${showInput(d)} is not valid: ${r.left}`)
}

/** How many recently accepted mailboxes are remembered (bulk sends repeat the same sender). */
export const MAILBOX_CACHE_SIZE = 256
const accepted = new Map<string, E.Either<string, Mailbox>>()

/** The canonical wire form of a mailbox (see the module comment), or why it is refused. */
export const parseMailbox = (input: string): E.Either<string, Mailbox> => {
  // A pure function, so a bounded memo of its successes changes nothing but the time it takes.
  const known = accepted.get(input)
  if (known !== undefined) return known
  const r = parseMailboxUncached(input)
  if (E.isRight(r)) {
    if (accepted.size >= MAILBOX_CACHE_SIZE) accepted.delete(accepted.keys().next().value as string)
    accepted.set(input, r)
  }
  return r
}

const parseMailboxUncached = (input: string): E.Either<string, Mailbox> => {
  if (input.length > MAX_MAILBOX_INPUT_LENGTH) return E.left(`it is longer than ${MAX_MAILBOX_OCTETS} octets`)
  // CR, LF and NUL would end or split the command line: refused anywhere, quoted or not.
  const ctl = /\p{Cc}/u.exec(input)
  if (ctl !== null) return E.left(`it contains ${showChar(ctl[0])}`)
  if (hasLoneSurrogate(input)) return E.left('it is not well-formed Unicode (it holds a lone surrogate)')
  let s = input
  if (s.startsWith('<') || s.endsWith('>')) {
    if (s.length < 2 || !s.startsWith('<') || !s.endsWith('>')) return E.left('it has an unmatched angle bracket')
    s = s.slice(1, -1)
    if (s === '') return E.left('it is the null path <>, which only MAIL FROM may use')
  }
  if (s === '') return E.left('it is empty')
  // RFC 5321 §4.1.2 A-d-l / Appendix C: source routes SHOULD NOT be sent.
  if (s.startsWith('@') && s.includes(':')) return E.left('it has a source route (@host:...), which clients must not send')
  let local: string
  let domain: string
  if (s.startsWith('"')) {
    const q = scanQuoted(s)
    if (E.isLeft(q)) return q
    if (q.right.content === '') return E.left('the local part is empty')
    const after = s[q.right.end]
    if (after === undefined) return E.left('it has no "@domain"')
    if (after !== '@') return E.left(`the quoted local part is followed by ${showChar(after)}, not "@"`)
    local = canonicalQuoted(q.right.content)
    domain = s.slice(q.right.end + 1)
  } else {
    const at = s.indexOf('@')
    if (at < 0) return E.left('it has no "@domain"')
    domain = s.slice(at + 1)
    if (domain.includes('@')) return E.left('it has more than one "@" (a local part holding "@" must be quoted)')
    local = s.slice(0, at)
    const p = dotStringProblem(local)
    if (p !== null) return E.left(p)
  }
  // RFC 5321 §4.5.3.1.1: the maximum total length of a user name or other local-part is 64 octets.
  const localOctets = utf8Octets(local)
  if (localOctets > MAX_LOCAL_PART_OCTETS) return E.left(`the local part is ${localOctets} octets long; at most ${MAX_LOCAL_PART_OCTETS} are allowed`)
  const d = parseMailDomain(domain)
  if (E.isLeft(d)) return d
  const value = `${local}@${d.right}`
  // RFC 5321 §4.5.3.1.3: the maximum total length of a reverse-path or forward-path is 256 octets.
  const octets = utf8Octets(value)
  if (octets > MAX_MAILBOX_OCTETS) return E.left(`it is ${octets} octets long; at most ${MAX_MAILBOX_OCTETS} are allowed (${MAX_PATH_OCTETS} with the angle brackets)`)
  return E.right(value as Mailbox)
}

/** Codec: a mailbox, decoded to its canonical wire form `local@domain`. */
export const Mailbox: t.Type<Mailbox, string, unknown> = fromParser('Mailbox', 'mailbox', parseMailbox)

/**
 * RFC 6531 §3.4: a mailbox with a non-ASCII character needs the SMTPUTF8 parameter on MAIL.
 * Only the local part can be non-ASCII (the domain is kept as A-labels).
 */
export const needsSmtpUtf8 = (m: Mailbox): boolean => !isAscii(m)

/** The local part, as on the wire (quoted when it needs quotes). */
export const localPart = (m: Mailbox): string => m.slice(0, m.lastIndexOf('@'))

/** The domain (ASCII, A-labels) or address literal after the last "@". */
export const domainOf = (m: Mailbox): Domain | AddressLiteral => m.slice(m.lastIndexOf('@') + 1) as Domain | AddressLiteral
