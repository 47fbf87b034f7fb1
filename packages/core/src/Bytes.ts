/**
 * Byte helpers shared by the engine: ASCII/UTF-8 conversion and concatenation. The core's only
 * host APIs are TextEncoder and TextDecoder.
 */

// Reached through globalThis with the two methods typed here, so no module needs a DOM or
// runtime type library (JSR checks published code against bare ECMAScript).
interface Encoding {
  readonly TextEncoder: new () => { encode(input: string): Uint8Array }
  readonly TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(input: Uint8Array): string }
}
const host = globalThis as unknown as Encoding
const encoder = new host.TextEncoder()
const decoder = new host.TextDecoder('utf-8', { fatal: false })

/** CR, LF and the other octets the protocol code names. */
export const CR = 0x0d
export const LF = 0x0a
export const DOT = 0x2e
export const NUL = 0x00

/** Strings up to this length are encoded by hand when ASCII (command lines): faster than a host call. */
export const SHORT_ASCII = 512

/** Arrays up to this many octets are cut from a shared slab (`alloc`). */
export const MAX_SLAB_ALLOCATION = 4096
/** Size of one slab: a slab stays alive while any array cut from it does. */
const SLAB_OCTETS = 64 * 1024

let slab: ArrayBuffer | null = null
let slabUsed = 0

/**
 * A new zero-filled array. Small ones are views into a shared slab, as Node's Buffer pool does:
 * a small typed array of its own costs a backing-store allocation and later its sweep (a
 * message's command lines and its dot-stuffed 1 KB body spent more there than in the copying).
 * Each part of a slab is handed out once and never written again by the engine, so arrays
 * never see each other; only `buffer` is shared, so never transfer or detach it.
 */
export const alloc = (size: number): Uint8Array => {
  if (size > MAX_SLAB_ALLOCATION) return new Uint8Array(size)
  if (slab === null || slabUsed + size > SLAB_OCTETS) {
    slab = new ArrayBuffer(SLAB_OCTETS)
    slabUsed = 0
  }
  const out = new Uint8Array(slab, slabUsed, size)
  // The next array starts 8-aligned, so word views of it (dot-stuffing's scan) line up.
  slabUsed = (slabUsed + size + 7) & ~7
  return out
}

/** UTF-8 bytes of a string (ASCII strings give their ASCII bytes). */
export const utf8 = (s: string): Uint8Array => {
  if (s.length <= SHORT_ASCII) {
    const out = alloc(s.length)
    let i = 0
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i)
      if (c > 0x7f) break
      out[i] = c
    }
    if (i === s.length) return out
  }
  return encoder.encode(s)
}

/** Decode UTF-8, replacing malformed sequences: server text is untrusted and only ever shown. */
export const fromUtf8 = (b: Uint8Array): string => decoder.decode(b)

/** An empty byte array, shared. */
export const EMPTY: Uint8Array = new Uint8Array(0)

/** Concatenate byte arrays into one new array. */
export const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  if (parts.length === 1) return parts[0] as Uint8Array
  let n = 0
  for (const p of parts) n += p.length
  const out = alloc(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** True when every octet is 7-bit (no 8-bit data needing 8BITMIME or SMTPUTF8). */
export const isAscii = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

/** True when a string holds CR, LF or NUL: none of them may reach a command line. */
export const hasLineBreakOrNul = (s: string): boolean => /[\r\n\0]/.test(s)
