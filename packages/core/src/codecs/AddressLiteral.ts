/**
 * Address literals (RFC 5321 §4.1.3), used where a host has no name:
 *
 *   address-literal   = "[" ( IPv4-address-literal / IPv6-address-literal ) "]"
 *   IPv4-address-literal = Snum 3("."  Snum)
 *   IPv6-address-literal = "IPv6:" IPv6-addr
 *
 * The General-address-literal form is not accepted (nothing defines a tag for it in practice).
 */
import * as t from 'io-ts'

interface AddressLiteralBrand {
  readonly AddressLiteral: unique symbol
}
/** `[192.0.2.1]` or `[IPv6:2001:db8::1]`. */
export type AddressLiteral = t.Branded<string, AddressLiteralBrand>

/** RFC 5321 §4.1.3: Snum = 1*3DIGIT, representing a decimal integer value in the range 0 through 255. */
export const isIPv4 = (s: string): boolean => {
  const parts = s.split('.')
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)
}

/** RFC 5321 §4.1.3 IPv6-addr: full, compressed (`::`), and with an IPv4 tail. */
export const isIPv6 = (s: string): boolean => {
  if (!/^[0-9A-Fa-f:.]+$/.test(s)) return false
  let groups = s
  let tail = 0
  const lastColon = s.lastIndexOf(':')
  if (s.includes('.')) {
    if (!isIPv4(s.slice(lastColon + 1))) return false
    groups = s.slice(0, lastColon + 1) + '0:0'
    tail = 0
  }
  const halves = groups.split('::')
  if (halves.length > 2) return false
  const hex = (x: string): boolean => /^[0-9A-Fa-f]{1,4}$/.test(x)
  const split = (x: string): string[] => (x === '' ? [] : x.split(':'))
  if (halves.length === 1) {
    const g = split(halves[0]!)
    return g.length === 8 && g.every(hex)
  }
  const a = split(halves[0]!)
  const b = split(halves[1]!)
  return a.every(hex) && b.every(hex) && a.length + b.length + tail <= 7
}

/** Whether a string is an address literal. */
export const isAddressLiteral = (s: string): boolean => {
  const m = /^\[(.*)\]$/.exec(s)
  if (m === null) return false
  const inner = m[1]!
  if (/^IPv6:/i.test(inner)) return isIPv6(inner.slice(5))
  return isIPv4(inner)
}

/** Codec for address literals. */
export const AddressLiteral: t.Type<AddressLiteral, string, unknown> = new t.Type<AddressLiteral, string, unknown>(
  'AddressLiteral',
  (u): u is AddressLiteral => typeof u === 'string' && isAddressLiteral(u),
  (u, c) =>
    typeof u === 'string' && isAddressLiteral(u)
      ? t.success(u as AddressLiteral)
      : t.failure(u, c, 'is not an address literal like [192.0.2.1] or [IPv6:2001:db8::1]'),
  (a) => a,
)

/** The address literal for an IP address (`[v4]` or `[IPv6:v6]`). */
export const literalFor = (ip: string): string => (ip.includes(':') ? `[IPv6:${ip}]` : `[${ip}]`)
