/**
 * Punycode (RFC 3492), hand-written: the Bootstring instance that writes an internationalized
 * domain label as ASCII, so the label can travel in SMTP commands as an A-label (`xn--…`,
 * RFC 5890 §2.3.2.1). Only the algorithm lives here; which labels are acceptable (IDNA mapping,
 * LDH rules, lengths) is the Domain codec's business.
 *
 * Arithmetic is done on JavaScript numbers, which are exact up to 2^53: RFC 3492 §6.4's overflow
 * checks are done against that bound rather than against 32 bits. Encoding cannot reach it (the
 * delta between two emitted code points is at most 0x10FFFF times the length of a string), so
 * `encode` is total; `decode` reports overflow as a Left.
 *
 * Mixed-case annotation (RFC 3492 Appendix A) is not produced: digits are written lower-case and
 * read in either case; basic code points are copied as they are.
 */
import * as E from 'fp-ts/lib/Either.js'
import { MAX_CODE_POINT } from './octets.ts'

// RFC 3492 §5: parameter values for Punycode.
/** RFC 3492 §5: base. */
export const BASE = 36
/** RFC 3492 §5: tmin. */
export const TMIN = 1
/** RFC 3492 §5: tmax. */
export const TMAX = 26
/** RFC 3492 §5: skew. */
export const SKEW = 38
/** RFC 3492 §5: damp. */
export const DAMP = 700
/** RFC 3492 §5: initial_bias. */
export const INITIAL_BIAS = 72
/** RFC 3492 §5: initial_n (the first code point that is not basic). */
export const INITIAL_N = 0x80
/** RFC 3492 §5: the delimiter between the basic code points and the deltas. */
export const DELIMITER = '-'

/** The ACE prefix that marks an A-label (RFC 5890 §2.3.2.1). */
export const ACE_PREFIX = 'xn--'

// RFC 3492 §6.1: bias adaptation after each delta.
const adapt = (delta0: number, numPoints: number, firstTime: boolean): number => {
  let delta = firstTime ? Math.floor(delta0 / DAMP) : Math.floor(delta0 / 2)
  delta += Math.floor(delta / numPoints)
  let k = 0
  while (delta > ((BASE - TMIN) * TMAX) >> 1) {
    delta = Math.floor(delta / (BASE - TMIN))
    k += BASE
  }
  return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW))
}

// RFC 3492 §6.2/§6.3: the threshold t for the digit at position k.
const threshold = (k: number, bias: number): number => (k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias)

// RFC 3492 §5: digit values 0..25 are a..z, 26..35 are 0..9.
const encodeDigit = (d: number): string => String.fromCharCode(d < 26 ? d + 0x61 : d + 0x16)

// RFC 3492 §5: decoders must recognize both upper- and lower-case letters as digits.
const decodeDigit = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x16 : c >= 0x41 && c <= 0x5a ? c - 0x41 : c >= 0x61 && c <= 0x7a ? c - 0x61 : BASE

/** Encode a Unicode string with Punycode (RFC 3492 §6.3), without the ACE prefix. */
export const encode = (input: string): string => {
  const points = Array.from(input, (ch) => ch.codePointAt(0) ?? 0)
  // RFC 3492 §6.3: copy the basic code points in order, then the delimiter if there were any.
  let output = ''
  for (const p of points) if (p < INITIAL_N) output += String.fromCharCode(p)
  const basic = output.length
  if (basic > 0) output += DELIMITER
  let n = INITIAL_N
  let delta = 0
  let bias = INITIAL_BIAS
  let handled = basic
  while (handled < points.length) {
    let m = MAX_CODE_POINT + 1
    for (const p of points) if (p >= n && p < m) m = p
    delta += (m - n) * (handled + 1)
    n = m
    for (const p of points) {
      if (p < n) delta++
      if (p === n) {
        // RFC 3492 §6.3: write delta as a generalized variable-length integer.
        let q = delta
        for (let k = BASE; ; k += BASE) {
          const t = threshold(k, bias)
          if (q < t) break
          output += encodeDigit(t + ((q - t) % (BASE - t)))
          q = Math.floor((q - t) / (BASE - t))
        }
        output += encodeDigit(q)
        bias = adapt(delta, handled + 1, handled === basic)
        delta = 0
        handled++
      }
    }
    delta++
    n++
  }
  return output
}

/**
 * Decode Punycode (RFC 3492 §6.2), without the ACE prefix. Left says why the input is not
 * Punycode: a non-basic code point, a character that is not a digit, a truncated integer, an
 * overflow, or a code point beyond U+10FFFF.
 */
export const decode = (input: string): E.Either<string, string> => {
  // RFC 3492 §6.2: the basic code points are everything before the last delimiter, if any.
  const d = input.lastIndexOf(DELIMITER)
  const basicEnd = d < 0 ? 0 : d
  const out: number[] = []
  for (let j = 0; j < basicEnd; j++) {
    const c = input.charCodeAt(j)
    if (c >= INITIAL_N) return E.left('holds a non-ASCII character before the last "-"')
    out.push(c)
  }
  let n = INITIAL_N
  let i = 0
  let bias = INITIAL_BIAS
  // RFC 3492 §6.2: the delimiter is consumed only when some basic code points were.
  for (let index = basicEnd > 0 ? basicEnd + 1 : 0; index < input.length; ) {
    const oldi = i
    let w = 1
    for (let k = BASE; ; k += BASE) {
      if (index >= input.length) return E.left('ends in the middle of a number')
      const digit = decodeDigit(input.charCodeAt(index++))
      if (digit >= BASE) return E.left(`holds ${JSON.stringify(input[index - 1])}, which is not a Punycode digit`)
      i += digit * w
      // RFC 3492 §6.4: fail on overflow (here: beyond exact double arithmetic).
      if (!Number.isSafeInteger(i)) return E.left('overflows')
      const t = threshold(k, bias)
      if (digit < t) break
      w *= BASE - t
    }
    bias = adapt(i - oldi, out.length + 1, oldi === 0)
    n += Math.floor(i / (out.length + 1))
    i %= out.length + 1
    if (n > MAX_CODE_POINT) return E.left('decodes beyond U+10FFFF')
    out.splice(i, 0, n)
    i++
  }
  let s = ''
  for (const p of out) s += String.fromCodePoint(p)
  return E.right(s)
}

/**
 * A label's A-label: the label itself when it is ASCII, else `xn--` and its Punycode
 * (RFC 5891 §4.4). No mapping or validation is done here (see the Domain codec).
 */
export const toALabel = (label: string): string => (/^[\x00-\x7f]*$/.test(label) ? label : ACE_PREFIX + encode(label))

/**
 * The Unicode form of an `xn--` label (RFC 5891 §5.4 steps, minus validation of the result),
 * or why it is not one. A label without the prefix is returned as it is.
 */
export const fromALabel = (label: string): E.Either<string, string> =>
  label.slice(0, ACE_PREFIX.length).toLowerCase() === ACE_PREFIX ? decode(label.slice(ACE_PREFIX.length)) : E.right(label)
