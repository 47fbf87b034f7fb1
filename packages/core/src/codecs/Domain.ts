/**
 * A domain name as SMTP carries it (RFC 5321 §4.1.2):
 *
 *   Domain     = sub-domain *("." sub-domain)
 *   sub-domain = Let-dig [Ldh-str]
 *   Let-dig    = ALPHA / DIGIT
 *   Ldh-str    = *( ALPHA / DIGIT / "-" ) Let-dig
 *
 * The decoded value is ASCII only. Unicode (IDN) input is accepted: each non-ASCII label is
 * mapped (NFKC, lower case) and written as its A-label, `xn--` + Punycode (RFC 5891 §4.4).
 * ASCII labels keep their case (domains compare case-insensitively, RFC 5321 §2.4).
 *
 * This is a simplified UTS #46 / IDNA2008, and deliberately so. What is done:
 *   - labels split on "." and on the full stops U+3002, U+FF0E, U+FF61 (RFC 3490 §3.1);
 *   - each non-ASCII label is mapped: NFKC, lower case, NFKC again (`mapLabel`); this folds
 *     full-width letters and other compatibility forms as UTS #46 does;
 *   - a U-label holds only letters, marks and decimal digits (RFC 5892 §2.1 LetterDigits) and
 *     ASCII hyphens; it may not start with a mark (RFC 5891 §4.2.3.2), start or end with "-",
 *     or have "--" in positions 3-4 (RFC 5891 §4.2.3.1);
 *   - an ASCII label beginning `xn--` must be a real A-label: valid Punycode whose Unicode form
 *     is non-ASCII and maps back to the same label (RFC 5891 §5.4).
 * What is not done: the rest of the UTS #46 mapping table (default ignorables such as U+00AD
 * and ZWJ/ZWNJ are refused, not removed or checked in context; ß and ς are kept, as IDNA2008
 * and UTS #46 nontransitional processing do, not mapped to "ss" and "σ"); its status table (a
 * letter UTS #46 disallows, e.g. an unassigned or obsolete one, is accepted here); the IDNA2008
 * code point exceptions, BackwardCompatible and Unstable rules (RFC 5892 §2.2-§2.7); the
 * CONTEXTJ/CONTEXTO rules (RFC 5892 Appendix A); the Bidi rule (RFC 5893); script-mixing
 * checks. An A-label that a registry would refuse can
 * therefore come out of this codec; a label that is not plain LDH cannot.
 *
 * A trailing dot (the root, `example.org.`) is refused rather than stripped: RFC 5321 §4.1.2 has
 * no empty label, and silently changing what the caller wrote is worse than telling them.
 * A last label of all digits is refused too (RFC 1123 §2.1: no top-level domain is numeric), so
 * `192.0.2.1` is never mistaken for a name; it must be written `[192.0.2.1]`.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { fromParser } from './fromParser.ts'
import { codePointCount, hasLoneSurrogate, isAscii } from './octets.ts'
import { ACE_PREFIX, fromALabel, toALabel } from './punycode.ts'
import { showChar, showInput } from './show.ts'

/** RFC 1035 §2.3.4 (kept by RFC 5321 §2.3.5): a label is at most 63 octets. */
export const MAX_LABEL_OCTETS = 63
/** RFC 5321 §4.5.3.1.2: a domain name is at most 255 octets. */
export const MAX_DOMAIN_OCTETS = 255
/**
 * Longest input, in UTF-16 code units, that is even looked at. No spelling of a 255-octet
 * domain is longer (NFC at most triples a label, a surrogate pair doubles a code point); the
 * check keeps a huge string from being normalized and split.
 */
export const MAX_DOMAIN_INPUT_LENGTH = 2048

/** The brand of a valid domain. */
export interface DomainBrand {
  readonly Domain: unique symbol
}
/** A domain name valid per RFC 5321 §4.1.2, ASCII only (IDN labels as A-labels). */
export type Domain = t.Branded<string, DomainBrand>

// RFC 3490 §3.1: U+3002, U+FF0E and U+FF61 MUST be recognized as dots (UTS #46 maps them to ".").
const LABEL_SEPARATOR = /[.\u3002\uff0e\uff61]/
// RFC 5321 §4.1.2: ALPHA / DIGIT / "-".
const NOT_LDH = /[^A-Za-z0-9-]/
// RFC 5892 §2.1 LetterDigits (Ll, Lu, Lo, Lm, Mn, Mc, Nd; plus Lt and Me, which the mapping may leave).
const U_LABEL_CHAR = /^[a-z0-9-]$|^[\p{L}\p{M}\p{Nd}]$/u

/**
 * The simplified UTS #46 mapping of a Unicode label: NFKC, lower case, NFKC again (so the
 * result is also NFC). UTS #46's mapping table (§5) is derived from NFKC_Casefold; NFKC is
 * what folds full-width `ｅｘａｍｐｌｅ` to `example` and the ligature `ﬁ` to `fi` rather than
 * encoding look-alikes. Capital sigma is mapped to `σ` everywhere, as case folding does, since
 * `toLowerCase` would write a final `ς` at the end of a word (a different label). Lower-casing
 * is not full case folding: for a few scripts (Cherokee, some Greek with iota subscript) the
 * result differs from UTS #46.
 */
export const mapLabel = (label: string): string =>
  label.normalize('NFKC').replace(/\u03a3/g, '\u03c3').toLowerCase().normalize('NFKC')

const hyphenProblem = (label: string, raw: string): string | null => {
  // RFC 5321 §4.1.2: a sub-domain starts and ends with a letter or digit.
  if (label.startsWith('-')) return `the label ${showInput(raw)} starts with a hyphen`
  if (label.endsWith('-')) return `the label ${showInput(raw)} ends with a hyphen`
  return null
}

const asciiLabel = (label: string): E.Either<string, string> => {
  const shown = (): string => showInput(label)
  const bad = NOT_LDH.exec(label)
  if (bad !== null) return E.left(`the label ${shown()} contains ${showChar(bad[0])}: a label holds only letters, digits and hyphens`)
  // RFC 1035 §2.3.4: labels are 63 octets or less.
  if (label.length > MAX_LABEL_OCTETS) return E.left(`the label ${shown()} is ${label.length} octets long; at most ${MAX_LABEL_OCTETS} are allowed`)
  const h = hyphenProblem(label, label)
  if (h !== null) return E.left(h)
  if (label.slice(0, ACE_PREFIX.length).toLowerCase() === ACE_PREFIX) return aLabel(label)
  return E.right(label)
}

// RFC 5891 §5.4: an "xn--" label must decode to a valid U-label that encodes back to it.
const aLabel = (label: string): E.Either<string, string> => {
  const shown = (): string => showInput(label)
  const u = fromALabel(label)
  if (E.isLeft(u)) return E.left(`the label ${shown()} starts with "xn--" but is not Punycode: it ${u.left}`)
  if (isAscii(u.right)) return E.left(`the label ${shown()} starts with "xn--" but encodes no non-ASCII character`)
  const again = unicodeLabel(u.right)
  if (E.isLeft(again) || again.right.toLowerCase() !== label.toLowerCase()) {
    return E.left(`the label ${shown()} starts with "xn--" but is not a valid A-label (its Unicode form is not a valid, normalized label)`)
  }
  return E.right(label)
}

const unicodeLabel = (raw: string): E.Either<string, string> => {
  const shown = (): string => showInput(raw)
  if (hasLoneSurrogate(raw)) return E.left(`the label ${shown()} is not well-formed Unicode (it holds a lone surrogate)`)
  const mapped = mapLabel(raw)
  if (isAscii(mapped)) return asciiLabel(mapped)
  for (const ch of mapped) {
    if (!U_LABEL_CHAR.test(ch)) return E.left(`the label ${shown()} contains ${showChar(ch)}, which is not a letter, mark, digit or hyphen`)
  }
  // RFC 5891 §4.2.3.2: a U-label must not begin with a combining mark.
  if (/^\p{M}/u.test(mapped)) return E.left(`the label ${shown()} starts with a combining mark`)
  const h = hyphenProblem(mapped, raw)
  if (h !== null) return E.left(h)
  // RFC 5891 §4.2.3.1: "--" in the third and fourth positions is reserved for A-labels and the like.
  if (mapped.slice(2, 4) === '--') return E.left(`the label ${shown()} has "--" in its third and fourth positions`)
  // Every code point costs at least one A-label character: bound the work before encoding.
  if (codePointCount(mapped) > MAX_LABEL_OCTETS - ACE_PREFIX.length) {
    return E.left(`the label ${shown()} is too long: its A-label would exceed ${MAX_LABEL_OCTETS} octets`)
  }
  const a = toALabel(mapped)
  // RFC 1035 §2.3.4, applied to the A-label, which is what travels.
  if (a.length > MAX_LABEL_OCTETS) return E.left(`the label ${shown()} is too long: its A-label ${showInput(a)} is ${a.length} octets; at most ${MAX_LABEL_OCTETS} are allowed`)
  return E.right(a)
}

/** One label as ASCII (an A-label when it was not ASCII), or why it is refused. */
export const parseLabel = (label: string): E.Either<string, string> => {
  if (label === '') return E.left('it has an empty label (a leading dot, or two dots in a row)')
  return isAscii(label) ? asciiLabel(label) : unicodeLabel(label)
}

/** The ASCII form of a domain (see the module comment), or why it is refused. */
export const parseDomain = (input: string): E.Either<string, Domain> => {
  if (input === '') return E.left('it is empty')
  if (input.length > MAX_DOMAIN_INPUT_LENGTH) return E.left(`it is longer than ${MAX_DOMAIN_OCTETS} octets`)
  // CR, LF, NUL, TAB, space, DEL and the C1 controls are named precisely before anything else.
  const ctl = /[\u0000-\u0020\u007f-\u009f]/.exec(input)
  if (ctl !== null) return E.left(`it contains ${showChar(ctl[0])}`)
  const labels = input.split(LABEL_SEPARATOR)
  if (labels.length > 1 && labels[labels.length - 1] === '') {
    return E.left('it ends with a dot: write it without the trailing dot')
  }
  const ascii: string[] = []
  for (const label of labels) {
    const r = parseLabel(label)
    if (E.isLeft(r)) return r
    ascii.push(r.right)
  }
  const value = ascii.join('.')
  // RFC 5321 §4.5.3.1.2: the maximum total length of a domain name is 255 octets.
  if (value.length > MAX_DOMAIN_OCTETS) {
    return E.left(`it is ${value.length} octets long${value === input ? '' : ' (as A-labels)'}; at most ${MAX_DOMAIN_OCTETS} are allowed`)
  }
  // RFC 1123 §2.1: a top-level label is never all digits, so a dotted quad is not a domain.
  if (/^\d+$/.test(ascii[ascii.length - 1] ?? '')) {
    return /^\d+\.\d+\.\d+\.\d+$/.test(value)
      ? E.left(`it is an IPv4 address: write it as an address literal, [${value}]`)
      : E.left('its last label is all digits, which no top-level domain is')
  }
  return E.right(value as Domain)
}

/** Codec: a domain name (IDN accepted and converted to A-labels); decodes to its ASCII form. */
export const Domain: t.Type<Domain, string, unknown> = fromParser('Domain', 'domain', parseDomain)
