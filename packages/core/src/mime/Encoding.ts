/**
 * Content and header encodings: base64 (RFC 2045 §6.8, streaming), quoted-printable (RFC 2045
 * §6.7), RFC 2047 encoded words and RFC 2231 parameter values.
 */
import * as Base64 from '../Base64.ts'
import { utf8 } from '../Bytes.ts'
import { BASE64_LINE, ENCODED_WORD_HEADROOM, MAX_ENCODED_WORD, QP_LINE } from './Limits.ts'

const HEX = '0123456789ABCDEF'
const hex2 = (b: number): string => HEX[b >> 4]! + HEX[b & 15]!

// ---- base64, streaming

/** Base64 state between chunks: up to 2 octets not yet encoded, and the column on the line. */
export interface Base64Stream {
  readonly carry: Uint8Array
  readonly column: number
}

/** Before the first octet. */
export const base64Start: Base64Stream = { carry: new Uint8Array(0), column: 0 }

const wrap = (text: string, column: number): [string, number] => {
  let out = ''
  let col = column
  let i = 0
  while (i < text.length) {
    const take = Math.min(BASE64_LINE - col, text.length - i)
    out += text.slice(i, i + take)
    i += take
    col += take
    if (col === BASE64_LINE) {
      out += '\r\n'
      col = 0
    }
  }
  return [out, col]
}

/** Encode one chunk; returns the text ready to write and the state for the next chunk. */
export const base64Chunk = (chunk: Uint8Array, s: Base64Stream): [string, Base64Stream] => {
  const all = s.carry.length === 0 ? chunk : (() => {
    const a = new Uint8Array(s.carry.length + chunk.length)
    a.set(s.carry)
    a.set(chunk, s.carry.length)
    return a
  })()
  const whole = all.length - (all.length % 3)
  const [text, column] = wrap(Base64.encode(all.subarray(0, whole)), s.column)
  return [text, { carry: all.slice(whole), column }]
}

/** The last octets and the final line end. */
export const base64End = (s: Base64Stream): string => {
  const [text, column] = wrap(Base64.encode(s.carry), s.column)
  return column === 0 ? text : text + '\r\n'
}

/** Base64 of a whole buffer, in 76-column lines, ending with CRLF. */
export const base64Lines = (bytes: Uint8Array): string => {
  const [text, s] = base64Chunk(bytes, base64Start)
  return text + base64End(s)
}

// ---- quoted-printable

/**
 * Quoted-printable of text whose lines end in CRLF (RFC 2045 §6.7): printable ASCII but '='
 * stays, other octets become =XX, trailing space or tab is encoded, and soft line breaks keep
 * every line at most 76 characters.
 */
export const quotedPrintable = (text: string): string => {
  const lines = text.split('\r\n')
  return lines
    .map((line) => {
      const bytes = utf8(line)
      let out = ''
      let col = 0
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!
        const last = i === bytes.length - 1
        const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last)
        const piece = literal ? String.fromCharCode(b) : '=' + hex2(b)
        // Keep room for the soft break "=" (RFC 2045 §6.7 rule 5).
        if (col + piece.length > QP_LINE - 1) {
          out += '=\r\n'
          col = 0
        }
        out += piece
        col += piece.length
      }
      return out
    })
    .join('\r\n')
}

// ---- RFC 2047 encoded words

const Q_SAFE = /^[A-Za-z0-9!*+\-/]$/

const qWord = (bytes: Uint8Array): string => {
  let out = ''
  for (const b of bytes) {
    const ch = String.fromCharCode(b)
    // RFC 2047 §5 rule 3: in a phrase only letters, digits and "!*+-/=_" may stand for themselves.
    out += b === 32 ? '_' : b < 128 && Q_SAFE.test(ch) ? ch : '=' + hex2(b)
  }
  return out
}

/** True when the text can go into a header as it is (printable ASCII and space). */
export const isPlainHeaderText = (s: string): boolean => /^[\x20-\x7e]*$/.test(s)

/**
 * Encode text as RFC 2047 encoded words of at most 75 characters, splitting only between
 * characters (never inside a UTF-8 sequence), with B or Q encoding, whichever is shorter.
 * The words are joined by a space (the folder may break the line there).
 */
export const encodedWords = (text: string): string => {
  const chars = Array.from(text)
  const qLen = qWord(utf8(text)).length
  const bLen = Math.ceil(utf8(text).length / 3) * 4
  const useB = bLen < qLen
  const prefix = useB ? '=?UTF-8?B?' : '=?UTF-8?Q?'
  // Leave room for the field name on the first line (RFC 2047 §2: lines with encoded words
  // at most 76 characters).
  const room = MAX_ENCODED_WORD - ENCODED_WORD_HEADROOM - prefix.length - 2
  const words: string[] = []
  let current = ''
  for (const ch of chars) {
    const next = current + ch
    const encoded = useB ? Base64.encode(utf8(next)) : qWord(utf8(next))
    if (encoded.length > room && current !== '') {
      words.push(current)
      current = ch
    } else {
      current = next
    }
  }
  if (current !== '' || words.length === 0) words.push(current)
  return words.map((w) => prefix + (useB ? Base64.encode(utf8(w)) : qWord(utf8(w))) + '?=').join(' ')
}

// ---- RFC 2231 parameters

/** A MIME parameter: a token, a quoted string, or RFC 2231 `name*=utf-8''%XX` for non-ASCII. */
export const parameter = (name: string, value: string): string => {
  if (/^[\x20-\x7e]*$/.test(value)) {
    if (/^[A-Za-z0-9!#$&+\-.^_`|~]+$/.test(value)) return `${name}=${value}`
    return `${name}="${value.replace(/(["\\])/g, '\\$1')}"`
  }
  let encoded = ''
  for (const b of utf8(value)) {
    const ch = String.fromCharCode(b)
    encoded += b < 128 && /[A-Za-z0-9!#$&+\-.^_`|~]/.test(ch) ? ch : '%' + hex2(b)
  }
  // RFC 2231 §4: extended-parameter := attribute "*" "=" charset "'" [language] "'" value-chars
  return `${name}*=utf-8''${encoded}`
}
