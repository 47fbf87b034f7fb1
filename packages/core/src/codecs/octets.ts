/**
 * Octet counting for the limits SMTP states in octets (RFC 5321 §4.5.3.1): a string's length in
 * UTF-8, computed from its code points so the core needs no encoder to check a bound.
 */

/** The largest Unicode code point (RFC 3629 §3: UTF-8 stops at U+10FFFF). */
export const MAX_CODE_POINT = 0x10ffff

/**
 * Length of `s` in UTF-8 octets, as TextEncoder would write it. A lone surrogate counts as the
 * 3 octets of U+FFFD, which is what an encoder substitutes for it.
 */
export const utf8Octets = (s: string): number => {
  let n = 0
  for (const ch of s) {
    const p = ch.codePointAt(0) ?? 0
    // RFC 3629 §3: 1 octet to U+007F, 2 to U+07FF, 3 to U+FFFF, 4 beyond.
    n += p < 0x80 ? 1 : p < 0x800 ? 2 : p < 0x10000 ? 3 : 4
  }
  return n
}

/** Whether every character of `s` is ASCII (U+0000..U+007F). */
export const isAscii = (s: string): boolean => /^[\x00-\x7f]*$/.test(s)

/** Whether `s` holds a lone (unpaired) surrogate, which no UTF-8 encoder can write faithfully. */
export const hasLoneSurrogate = (s: string): boolean => /\p{Cs}/u.test(s)

/** The number of code points in `s` (a surrogate pair is one). */
export const codePointCount = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}
