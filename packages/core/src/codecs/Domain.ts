/**
 * A domain name as SMTP carries it (RFC 5321 §4.1.2):
 *
 *   Domain     = sub-domain *("." sub-domain)
 *   sub-domain = Let-dig [Ldh-str]
 *
 * Unicode input is accepted and each non-ASCII label becomes its A-label (RFC 5890, Punycode per
 * RFC 3492) after NFC normalization and lower-casing. This is a simplified UTS #46 mapping: it
 * does not apply the full IDNA2008 disallowed-code-point tables or the bidi and contextual
 * rules; a label that maps to a valid LDH A-label is accepted. The result is ASCII only.
 */
import * as t from 'io-ts'
import { toALabel } from './punycode.ts'

/** RFC 1035 §2.3.4: a label is at most 63 octets. */
export const MAX_LABEL_OCTETS = 63
/** RFC 5321 §4.5.3.1.2: a domain is at most 255 octets. */
export const MAX_DOMAIN_OCTETS = 255

interface DomainBrand {
  readonly Domain: unique symbol
}
/** An ASCII (A-label) domain name, valid per RFC 5321 §4.1.2. */
export type Domain = t.Branded<string, DomainBrand>

const LDH_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/

/** The ASCII form of a domain, or the reason it is not one. */
export const toAsciiDomain = (input: string): { ok: true; value: string } | { ok: false; reason: string } => {
  if (input.length === 0) return { ok: false, reason: 'is empty' }
  if (/[\u0000-\u0020\u007f]/.test(input)) return { ok: false, reason: 'must not contain spaces or control characters' }
  if (input.endsWith('.')) return { ok: false, reason: 'must not end with a dot' }
  const labels = input.split('.')
  const ascii: string[] = []
  for (const raw of labels) {
    if (raw.length === 0) return { ok: false, reason: 'has an empty label' }
    let label = raw
    if (!/^[\x00-\x7f]*$/.test(raw)) {
      label = toALabel(raw.normalize('NFC').toLowerCase())
    }
    if (label.length > MAX_LABEL_OCTETS) return { ok: false, reason: `has a label longer than ${MAX_LABEL_OCTETS} octets` }
    if (!LDH_LABEL.test(label)) {
      return { ok: false, reason: 'labels may hold only letters, digits and inner hyphens' }
    }
    ascii.push(label)
  }
  const value = ascii.join('.')
  if (value.length > MAX_DOMAIN_OCTETS) return { ok: false, reason: `is longer than ${MAX_DOMAIN_OCTETS} octets` }
  return { ok: true, value }
}

/** Codec: a string that is a domain (IDN accepted and converted to A-labels). */
export const Domain: t.Type<Domain, string, unknown> = new t.Type<Domain, string, unknown>(
  'Domain',
  (u): u is Domain => typeof u === 'string' && (() => { const r = toAsciiDomain(u); return r.ok && r.value === u })(),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'must be a domain name (a string)')
    const r = toAsciiDomain(u)
    return r.ok ? t.success(r.value as Domain) : t.failure(u, c, `is not a valid domain: it ${r.reason}`)
  },
  (d) => d,
)
