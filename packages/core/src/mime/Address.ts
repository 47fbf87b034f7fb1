/**
 * Addresses in header fields (RFC 5322 §3.4): `Display Name <local@domain>`, the name quoted
 * when it holds specials and encoded (RFC 2047) when it is not ASCII. Input may be
 * `"Name <a@b>"`, `"a@b"` or `{ name, address }`; the address goes through the Mailbox codec
 * (so IDN domains become A-labels and CR/LF is impossible).
 */
import * as t from 'io-ts'
import { Mailbox } from '../codecs/Mailbox.ts'
import { encodedWords, isPlainHeaderText } from './Encoding.ts'

/** A named address. */
export interface NamedAddress {
  readonly name: string | null
  readonly address: Mailbox
}

const split = (s: string): { name: string | null; address: string } => {
  const m = /^\s*(.*?)\s*<([^<>]*)>\s*$/s.exec(s)
  if (m === null) return { name: null, address: s.trim() }
  const raw = m[1]!.trim()
  const unquoted = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw
  return { name: unquoted === '' ? null : unquoted, address: m[2]!.trim() }
}

/** Codec: `"Name <a@b>"`, `"a@b"` or `{ name?, address }`. */
export const AddressInput: t.Type<NamedAddress, unknown, unknown> = new t.Type<NamedAddress, unknown, unknown>(
  'Address',
  (u): u is NamedAddress => typeof u === 'object' && u !== null && 'address' in u && Mailbox.is((u as NamedAddress).address),
  (u, c) => {
    let name: string | null
    let address: unknown
    if (typeof u === 'string') ({ name, address } = split(u))
    else if (typeof u === 'object' && u !== null && 'address' in u) {
      const o = u as { name?: unknown; address: unknown }
      if (o.name !== undefined && o.name !== null && typeof o.name !== 'string') return t.failure(u, c, 'the name must be a string')
      name = (o.name as string | undefined) ?? null
      address = o.address
    } else return t.failure(u, c, 'must be an address: "Name <a@example.org>", "a@example.org" or { name, address }')
    if (name !== null && /[\r\n\0]/.test(name)) return t.failure(u, c, 'the display name must not contain CR, LF or NUL')
    const m = Mailbox.validate(address, c)
    if (m._tag === 'Left') return m
    return t.success({ name, address: m.right })
  },
  (a) => a,
)

// RFC 5322 §3.2.3: atext; a phrase of atoms separated by spaces needs no quotes.
const PLAIN_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/

/** The address as a header value. */
export const formatAddress = (a: NamedAddress): string => {
  if (a.name === null) return a.address
  const name = a.name
  const phrase = !isPlainHeaderText(name)
    ? encodedWords(name)
    : PLAIN_PHRASE.test(name) && !name.startsWith(' ') && !name.endsWith(' ')
      ? name
      : `"${name.replace(/(["\\])/g, '\\$1')}"`
  return `${phrase} <${a.address}>`
}

/** A list of addresses as one header value (folding happens at the spaces). */
export const formatList = (list: ReadonlyArray<NamedAddress>): string => list.map(formatAddress).join(', ')
