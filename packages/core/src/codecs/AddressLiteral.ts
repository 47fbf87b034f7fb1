/**
 * Address literals (RFC 5321 §4.1.3), for a host that has no name:
 *
 *   address-literal      = "[" ( IPv4-address-literal / IPv6-address-literal /
 *                                General-address-literal ) "]"
 *   IPv4-address-literal = Snum 3("." Snum)
 *   IPv6-address-literal = "IPv6:" IPv6-addr
 *   IPv6-addr            = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp
 *
 * Choices: the General-address-literal form (`[tag:content]`) is refused, since no standardized
 * tag besides IPv6 exists. A Snum with a leading zero (`01`) is refused: RFC 5321's grammar
 * allows it, but readers disagree on whether it is octal. The "IPv6:" tag is matched
 * case-insensitively (RFC 5234 §2.3) and written `IPv6:`; the address itself is kept as written
 * (it is validated, not rewritten to RFC 5952 form). Zone identifiers (`%eth0`) are refused.
 * "::" must stand for at least two groups, as RFC 5321 says (stricter than RFC 4291).
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { fromParser } from './fromParser.ts'

/** RFC 5321 §4.1.3: an Snum is at most 255. */
export const MAX_SNUM = 255
/** RFC 5321 §4.1.3: an Snum is 1*3DIGIT. */
export const MAX_SNUM_DIGITS = 3
/** RFC 5321 §4.1.3: IPv6-full is 8 groups of 16 bits. */
export const IPV6_GROUPS = 8
/** RFC 5321 §4.1.3: IPv6-hex is 1*4HEXDIG. */
export const MAX_IPV6_HEX_DIGITS = 4
/** RFC 5321 §4.1.3: with "::", no more than 6 groups besides it ("::" is at least 2 groups). */
export const MAX_IPV6_COMPRESSED_GROUPS = 6
/** RFC 5321 §4.1.3: an embedded IPv4 address takes the place of 2 groups. */
export const IPV4_AS_IPV6_GROUPS = 2
/** RFC 5321 §4.1.3: the tag of an IPv6 address literal, as written on the wire. */
export const IPV6_TAG = 'IPv6:'

/** The brand of a valid address literal. */
export interface AddressLiteralBrand {
  readonly AddressLiteral: unique symbol
}
/** `[192.0.2.1]` or `[IPv6:2001:db8::1]`, valid per RFC 5321 §4.1.3. */
export type AddressLiteral = t.Branded<string, AddressLiteralBrand>

/** Why `s` is not a dotted-quad IPv4 address, or null when it is one. */
export const ipv4Problem = (s: string): string | null => {
  const parts = s.split('.')
  if (parts.length !== 4) return `an IPv4 address has 4 numbers separated by dots, not ${parts.length}`
  for (const p of parts) {
    // RFC 5321 §4.1.3: Snum = 1*3DIGIT; no leading zero by our choice (see the module comment).
    if (!/^[0-9]+$/.test(p)) return `${JSON.stringify(p)} is not a number from 0 to ${MAX_SNUM}`
    if (p.length > 1 && p.startsWith('0')) return `${JSON.stringify(p)} has a leading zero`
    // RFC 5321 §4.1.3: Snum represents a decimal integer value in the range 0 through 255.
    if (p.length > MAX_SNUM_DIGITS || Number(p) > MAX_SNUM) return `${p} is larger than ${MAX_SNUM}`
  }
  return null
}

/** Whether `s` is a dotted-quad IPv4 address (`192.0.2.1`, no leading zeros). */
export const isIPv4Address = (s: string): boolean => ipv4Problem(s) === null

const groupsOf = (s: string): string[] => (s === '' ? [] : s.split(':'))

/** Why `s` is not an RFC 5321 IPv6-addr, or null when it is one. */
export const ipv6Problem = (s: string): string | null => {
  if (s === '') return 'the IPv6 address is empty'
  const bad = /[^0-9A-Fa-f:.]/.exec(s)
  if (bad !== null) return `an IPv6 address holds only hex digits, ":" and "." (not ${JSON.stringify(bad[0])})`
  let head = s
  let v4Groups = 0
  if (s.includes('.')) {
    // RFC 5321 §4.1.3: IPv6v4-full / IPv6v4-comp end with an IPv4-address-literal after a ":".
    const lastColon = s.lastIndexOf(':')
    if (lastColon < 0) return 'an IPv4 address inside IPv6: needs a prefix such as ::ffff:'
    const v4 = ipv4Problem(s.slice(lastColon + 1))
    if (v4 !== null) return `its IPv4 part is invalid: ${v4}`
    head = s.slice(0, lastColon + 1)
    // Keep a trailing "::" (it belongs to the compression); drop the single ":" before the IPv4 part.
    if (!head.endsWith('::')) head = head.slice(0, -1)
    if (head === '') return 'an IPv4 address inside IPv6: needs the groups before it'
    v4Groups = IPV4_AS_IPV6_GROUPS
  }
  const halves = head.split('::')
  if (halves.length > 2) return '"::" may appear only once'
  const groups = halves.flatMap(groupsOf)
  for (const g of groups) {
    // RFC 5321 §4.1.3: IPv6-hex = 1*4HEXDIG.
    if (g.length === 0) return 'it has an empty group (a stray ":")'
    if (g.includes('.')) return 'an IPv4 part may only come last'
    if (g.length > MAX_IPV6_HEX_DIGITS) return `the group ${JSON.stringify(g)} has more than ${MAX_IPV6_HEX_DIGITS} hex digits`
  }
  const n = groups.length + v4Groups
  if (halves.length === 1) {
    // RFC 5321 §4.1.3: IPv6-full = IPv6-hex 7(":" IPv6-hex); IPv6v4-full has 6 groups and IPv4.
    return n === IPV6_GROUPS ? null : `it has ${n} groups of 16 bits; a full IPv6 address has ${IPV6_GROUPS}`
  }
  // RFC 5321 §4.1.3: the "::" represents at least 2 16-bit groups of zeros. No more than 6 groups
  // in addition to the "::" may be present (4 with an IPv4 address, which counts as 2 here).
  return n <= MAX_IPV6_COMPRESSED_GROUPS ? null : `with "::" it may have at most ${MAX_IPV6_COMPRESSED_GROUPS} groups besides it, not ${n}`
}

/** Whether `s` is an RFC 5321 IPv6-addr (full, compressed, or with an IPv4 tail). */
export const isIPv6Address = (s: string): boolean => ipv6Problem(s) === null

/** The canonical address literal (tag written `IPv6:`), or why the input is refused. */
export const parseAddressLiteral = (input: string): E.Either<string, AddressLiteral> => {
  if (!input.startsWith('[') || !input.endsWith(']') || input.length < 2) {
    return E.left('an address literal is written in square brackets, like [192.0.2.1] or [IPv6:2001:db8::1]')
  }
  const inner = input.slice(1, -1)
  if (inner.slice(0, IPV6_TAG.length).toLowerCase() === IPV6_TAG.toLowerCase()) {
    const addr = inner.slice(IPV6_TAG.length)
    const p = ipv6Problem(addr)
    return p === null ? E.right(`[${IPV6_TAG}${addr}]` as AddressLiteral) : E.left(p)
  }
  // RFC 5321 §4.1.3: General-address-literal = Standardized-tag ":" 1*dcontent; refused here.
  if (inner.includes(':')) {
    return E.left(/^[0-9A-Fa-f:.]*$/.test(inner) ? 'an IPv6 address needs the "IPv6:" tag, like [IPv6:2001:db8::1]' : 'only IPv4 and IPv6: address literals are supported')
  }
  const p = ipv4Problem(inner)
  return p === null ? E.right(input as AddressLiteral) : E.left(p)
}

/** Codec: an IPv4 or IPv6 address literal in square brackets. */
export const AddressLiteral: t.Type<AddressLiteral, string, unknown> = fromParser('AddressLiteral', 'address literal', parseAddressLiteral)
