/**
 * The name a client gives in EHLO/HELO (RFC 5321 §4.1.1.1):
 *
 *   ehlo = "EHLO" SP ( Domain / address-literal ) CRLF
 */
import * as t from 'io-ts'
import { isAddressLiteral } from './AddressLiteral.ts'
import { toAsciiDomain } from './Domain.ts'

interface EhloNameBrand {
  readonly EhloName: unique symbol
}
/** A domain (as A-labels) or an address literal. */
export type EhloName = t.Branded<string, EhloNameBrand>

/** Codec for EHLO names. */
export const EhloName: t.Type<EhloName, string, unknown> = new t.Type<EhloName, string, unknown>(
  'EhloName',
  (u): u is EhloName => typeof u === 'string' && (isAddressLiteral(u) || (() => { const r = toAsciiDomain(u); return r.ok && r.value === u })()),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'must be a domain or an address literal')
    if (u.startsWith('[')) {
      return isAddressLiteral(u) ? t.success(u as EhloName) : t.failure(u, c, 'is not a valid address literal like [192.0.2.1] or [IPv6:::1]')
    }
    const r = toAsciiDomain(u)
    return r.ok ? t.success(r.value as EhloName) : t.failure(u, c, `is not a valid EHLO name: it ${r.reason}`)
  },
  (n) => n,
)
