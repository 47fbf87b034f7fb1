/**
 * Punycode (RFC 3492), used to write internationalized domain labels as ASCII A-labels
 * (`xn--...`, RFC 5890 §2.3.2.1) so they can travel in SMTP commands (RFC 5321 §2.3.5).
 */

// RFC 3492 §5: parameter values for Punycode.
const BASE = 36
const TMIN = 1
const TMAX = 26
const SKEW = 38
const DAMP = 700
const INITIAL_BIAS = 72
const INITIAL_N = 128
const DELIMITER = '-'

/** The A-label prefix (RFC 5890 §2.3.2.1). */
export const ACE_PREFIX = 'xn--'

const adapt = (delta0: number, numPoints: number, firstTime: boolean): number => {
  // RFC 3492 §6.1
  let delta = firstTime ? Math.floor(delta0 / DAMP) : delta0 >> 1
  delta += Math.floor(delta / numPoints)
  let k = 0
  while (delta > ((BASE - TMIN) * TMAX) >> 1) {
    delta = Math.floor(delta / (BASE - TMIN))
    k += BASE
  }
  return k + Math.floor(((BASE - TMIN + 1) * delta) / (delta + SKEW))
}

const digit = (d: number): string => String.fromCharCode(d < 26 ? d + 97 : d + 22)

const digitValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 22 : c >= 65 && c <= 90 ? c - 65 : c >= 97 && c <= 122 ? c - 97 : BASE

/** Encode a Unicode string with Punycode (RFC 3492 §6.3). Throws only on overflow. */
export const encode = (input: string): string => {
  const points = Array.from(input, (ch) => ch.codePointAt(0)!)
  let output = points.filter((p) => p < 0x80).map((p) => String.fromCharCode(p)).join('')
  const basic = output.length
  let handled = basic
  if (basic > 0) output += DELIMITER
  let n = INITIAL_N
  let delta = 0
  let bias = INITIAL_BIAS
  while (handled < points.length) {
    let m = Number.MAX_SAFE_INTEGER
    for (const p of points) if (p >= n && p < m) m = p
    delta += (m - n) * (handled + 1)
    if (!Number.isSafeInteger(delta)) throw new RangeError('punycode overflow')
    n = m
    for (const p of points) {
      if (p < n) delta++
      if (p === n) {
        let q = delta
        for (let k = BASE; ; k += BASE) {
          const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias
          if (q < t) break
          output += digit(t + ((q - t) % (BASE - t)))
          q = Math.floor((q - t) / (BASE - t))
        }
        output += digit(q)
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

/** Decode Punycode (RFC 3492 §6.2). Undefined when the input is not valid Punycode. */
export const decode = (input: string): string | undefined => {
  const out: number[] = []
  const d = input.lastIndexOf(DELIMITER)
  const basicEnd = d < 0 ? 0 : d
  for (let j = 0; j < basicEnd; j++) {
    const c = input.charCodeAt(j)
    if (c >= 0x80) return undefined
    out.push(c)
  }
  let n = INITIAL_N
  let i = 0
  let bias = INITIAL_BIAS
  for (let index = basicEnd > 0 ? basicEnd + 1 : 0; index < input.length; ) {
    const oldi = i
    let w = 1
    for (let k = BASE; ; k += BASE) {
      if (index >= input.length) return undefined
      const v = digitValue(input.charCodeAt(index++))
      if (v >= BASE) return undefined
      i += v * w
      if (!Number.isSafeInteger(i)) return undefined
      const t = k <= bias ? TMIN : k >= bias + TMAX ? TMAX : k - bias
      if (v < t) break
      w *= BASE - t
    }
    bias = adapt(i - oldi, out.length + 1, oldi === 0)
    n += Math.floor(i / (out.length + 1))
    i %= out.length + 1
    if (n > 0x10ffff) return undefined
    out.splice(i, 0, n)
    i++
  }
  return String.fromCodePoint(...out)
}

/** A label's A-label: unchanged when ASCII, else `xn--` + Punycode. */
export const toALabel = (label: string): string => (/^[\x00-\x7f]*$/.test(label) ? label : ACE_PREFIX + encode(label))
