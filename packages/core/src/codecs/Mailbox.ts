/**
 * A mailbox as SMTP carries it in MAIL FROM and RCPT TO (RFC 5321 §4.1.2):
 *
 *   Mailbox       = Local-part "@" ( Domain / address-literal )
 *   Local-part    = Dot-string / Quoted-string
 *   Dot-string    = Atom *("."  Atom)
 *   Quoted-string = DQUOTE *QcontentSMTP DQUOTE
 *   QcontentSMTP  = qtextSMTP / quoted-pairSMTP
 *   qtextSMTP     = %d32-33 / %d35-91 / %d93-126
 *   quoted-pairSMTP = %d92 %d32-126
 *
 * With SMTPUTF8 (RFC 6531 §3.3) atext and qtextSMTP also take UTF8-non-ascii; such a mailbox
 * needs the SMTPUTF8 parameter. The value is kept in wire form `local@domain`, without angle
 * brackets (input in `<...>` is accepted and unwrapped), its domain as A-labels.
 * No CR, LF, NUL or other control character can be in a Mailbox.
 */
import * as t from 'io-ts'
import { isAddressLiteral } from './AddressLiteral.ts'
import { toAsciiDomain } from './Domain.ts'

/** RFC 5321 §4.5.3.1.1: the local part is at most 64 octets. */
export const MAX_LOCAL_PART_OCTETS = 64
/** RFC 5321 §4.5.3.1.3: a path (the mailbox plus its angle brackets) is at most 256 octets. */
export const MAX_PATH_OCTETS = 256

interface MailboxBrand {
  readonly Mailbox: unique symbol
}
/** A valid mailbox `local@domain` (wire form). */
export type Mailbox = t.Branded<string, MailboxBrand>

const utf8Length = (s: string): number => {
  let n = 0
  for (const ch of s) {
    const p = ch.codePointAt(0)!
    n += p < 0x80 ? 1 : p < 0x800 ? 2 : p < 0x10000 ? 3 : 4
  }
  return n
}

// RFC 5322 §3.2.3 atext, plus UTF8-non-ascii (RFC 6531 §3.3).
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10FFFF}]+$/u
// qtextSMTP / quoted-pairSMTP, plus UTF8-non-ascii.
const QUOTED = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\u{10FFFF}]|\\[\x20-\x7e])*"$/u

const localPartProblem = (local: string): string | null => {
  if (local.length === 0) return 'the local part is empty'
  if (/[\u0000-\u001f\u007f]/.test(local)) return 'the local part holds a control character (CR, LF, NUL, ...)'
  if (/[\u0080-\u009f]/.test(local)) return 'the local part holds a C1 control character'
  if (utf8Length(local) > MAX_LOCAL_PART_OCTETS) return `the local part is longer than ${MAX_LOCAL_PART_OCTETS} octets`
  if (local.startsWith('"')) return QUOTED.test(local) ? null : 'the quoted local part is malformed'
  if (local.split('.').every((a) => ATOM.test(a))) return null
  return 'the local part must be dot-separated atoms (no spaces, no "..", no leading or trailing dot) or a quoted string'
}

/** The wire form of a mailbox, or the reason it is not one. */
export const toMailbox = (input: string): { ok: true; value: string } | { ok: false; reason: string } => {
  const s = input.startsWith('<') && input.endsWith('>') ? input.slice(1, -1) : input
  if (/[\r\n\0]/.test(s)) return { ok: false, reason: 'it holds CR, LF or NUL' }
  const at = s.lastIndexOf('@')
  if (at < 0) return { ok: false, reason: 'it has no "@domain"' }
  const local = s.slice(0, at)
  const domain = s.slice(at + 1)
  const lp = localPartProblem(local)
  if (lp !== null) return { ok: false, reason: lp }
  let d: string
  if (domain.startsWith('[')) {
    if (!isAddressLiteral(domain)) return { ok: false, reason: 'the address literal after "@" is malformed' }
    d = domain
  } else {
    const r = toAsciiDomain(domain)
    if (!r.ok) return { ok: false, reason: `the domain ${r.reason}` }
    d = r.value
  }
  const value = `${local}@${d}`
  if (utf8Length(value) + 2 > MAX_PATH_OCTETS) return { ok: false, reason: `the address is longer than ${MAX_PATH_OCTETS - 2} octets` }
  return { ok: true, value }
}

/** Codec: a mailbox in wire form (angle brackets accepted and removed; IDN domains to A-labels). */
export const Mailbox: t.Type<Mailbox, string, unknown> = new t.Type<Mailbox, string, unknown>(
  'Mailbox',
  (u): u is Mailbox => typeof u === 'string' && (() => { const r = toMailbox(u); return r.ok && r.value === u })(),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'must be an email address (a string)')
    const r = toMailbox(u)
    return r.ok ? t.success(r.value as Mailbox) : t.failure(u, c, `is not a valid address: ${r.reason}`)
  },
  (m) => m,
)

/** RFC 6531 §3.4: a mailbox with non-ASCII characters needs SMTPUTF8. */
export const needsSmtpUtf8 = (m: Mailbox): boolean => /[^\x00-\x7f]/.test(m)

/** The local part. */
export const localPart = (m: Mailbox): string => m.slice(0, m.lastIndexOf('@'))

/** The domain (A-labels) or address literal. */
export const domainOf = (m: Mailbox): string => m.slice(m.lastIndexOf('@') + 1)
