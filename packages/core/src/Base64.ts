/**
 * Base64 (RFC 4648 §4) in plain ECMAScript: SASL (RFC 4954 §4) carries every challenge and
 * response in it, and the core may not use a platform's btoa/Buffer.
 */
import * as E from 'fp-ts/lib/Either.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const REVERSE: ReadonlyArray<number> = (() => {
  const r = new Array<number>(256).fill(-1)
  for (let i = 0; i < ALPHABET.length; i++) r[ALPHABET.charCodeAt(i)] = i
  return r
})()

/** Encode bytes as padded base64 text. */
export const encode = (bytes: Uint8Array): string => {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = (bytes[i] as number) << 16
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + '=='
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8)
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '='
  }
  return out
}

/**
 * Decode strict base64: the RFC 4648 alphabet, length a multiple of 4, padding only at the end.
 * Anything else is a Left (a server's undecodable challenge must be noticed, not guessed at).
 */
export const decode = (text: string): E.Either<string, Uint8Array> => {
  if (text.length % 4 !== 0) return E.left('base64 length is not a multiple of 4')
  let pad = 0
  if (text.endsWith('==')) pad = 2
  else if (text.endsWith('=')) pad = 1
  const out = new Uint8Array((text.length / 4) * 3 - pad)
  let o = 0
  for (let i = 0; i < text.length; i += 4) {
    let n = 0
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j)
      const isPad = c === 0x3d && i + 4 === text.length && j >= 4 - pad
      const v = isPad ? 0 : c < 256 ? (REVERSE[c] as number) : -1
      if (v < 0) return E.left('invalid base64 character')
      n = (n << 6) | v
    }
    if (o < out.length) out[o++] = (n >> 16) & 255
    if (o < out.length) out[o++] = (n >> 8) & 255
    if (o < out.length) out[o++] = n & 255
  }
  return E.right(out)
}
