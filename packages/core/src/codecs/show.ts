/**
 * How refused input is quoted inside error messages: as a JSON string literal, so CR, LF, NUL
 * and other controls appear escaped (a message can be logged without forging log lines), and cut
 * short so a megabyte of garbage is not copied into the error. Secrets are never passed here.
 */

/** Most characters of a refused value quoted in an error message (longer values are cut). */
export const MAX_SHOWN_CHARS = 80

/** A refused value as it appears in a message: `"bob@@x"`, `42`, `a list`, `an object`. */
export const showInput = (u: unknown): string => {
  if (typeof u === 'string') {
    // Look at no more than needed: MAX_SHOWN_CHARS code points are at most twice as many units.
    const head = Array.from(u.slice(0, 2 * MAX_SHOWN_CHARS + 1))
    return head.length <= MAX_SHOWN_CHARS ? JSON.stringify(u) : `${JSON.stringify(head.slice(0, MAX_SHOWN_CHARS).join(''))}…`
  }
  if (typeof u === 'number' || typeof u === 'boolean' || typeof u === 'bigint') return String(u)
  if (u === null) return 'null'
  if (u === undefined) return 'undefined'
  if (Array.isArray(u)) return 'a list'
  return typeof u === 'object' ? 'an object' : `a ${typeof u}`
}

/** What a value is, for "must be a string, not …" messages. */
export const kindOf = (u: unknown): string =>
  u === null ? 'null' : Array.isArray(u) ? 'a list' : typeof u === 'object' ? 'an object' : u === undefined ? 'missing' : `a ${typeof u}`

/** One character as it appears in a message: `"_"` when printable ASCII, else `U+000D`. */
export const showChar = (ch: string): string => {
  const p = ch.codePointAt(0) ?? 0
  if (p >= 0x21 && p <= 0x7e) return JSON.stringify(ch)
  if (p === 0x20) return 'a space'
  const hex = p.toString(16).toUpperCase().padStart(4, '0')
  const name = p === 0x0d ? ' (CR)' : p === 0x0a ? ' (LF)' : p === 0x00 ? ' (NUL)' : p === 0x09 ? ' (TAB)' : ''
  return `U+${hex}${name}`
}
