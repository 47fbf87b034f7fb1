/**
 * The name a client gives in EHLO and HELO (RFC 5321 §4.1.1.1):
 *
 *   ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
 *
 * RFC 5321 §4.1.4 asks for the client's primary host name, or an address literal when it has
 * none. A bare IP address is refused with a hint to bracket it: sent unbracketed it would be
 * read as a (numeric) domain name.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { type AddressLiteral, isIPv6Address, parseAddressLiteral } from './AddressLiteral.ts'
import { type Domain, parseDomain } from './Domain.ts'
import { fromParser } from './fromParser.ts'

/** A domain (as A-labels) or an address literal, valid after EHLO/HELO. */
export type EhloName = Domain | AddressLiteral

/** The canonical EHLO name (IDN as A-labels, literal tag as `IPv6:`), or why it is refused. */
export const parseEhloName = (input: string): E.Either<string, EhloName> => {
  if (input.startsWith('[')) return parseAddressLiteral(input)
  if (input.includes(':') && isIPv6Address(input)) return E.left(`it is an IPv6 address: write it as an address literal, [IPv6:${input}]`)
  return parseDomain(input)
}

/** Codec: a domain or an address literal (RFC 5321 §4.1.1.1). */
export const EhloName: t.Type<EhloName, string, unknown> = fromParser('EhloName', 'EHLO name', parseEhloName)
