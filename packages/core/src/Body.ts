/**
 * Message bodies from whatever a user has: a string, bytes, a Node Readable, a web
 * ReadableStream, or any (async) iterable of strings or bytes. All become an async iterable of
 * byte chunks that is pulled one chunk at a time (never concatenated whole).
 */
import { utf8 } from './Bytes.ts'

/** The part of a web ReadableStream used here (declared structurally: the core has no DOM types). */
export interface ByteStream {
  getReader(): { read(): Promise<{ done: true; value?: undefined } | { done: false; value: Uint8Array }>; releaseLock(): void }
}

/** Anything a body may be given as (a Node Readable is an AsyncIterable). */
export type BodyInput = string | Uint8Array | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | ByteStream

/** Largest chunk handed to the engine at once when a body is given whole. */
export const WHOLE_BODY_CHUNK = 256 * 1024


const toBytes = (c: Uint8Array | string): Uint8Array => (typeof c === 'string' ? utf8(c) : c)

/** A whole body as views of at most WHOLE_BODY_CHUNK octets (no copy); an array, so the driver
 * knows which chunk is the last and can send it with the terminator in one write. */
const slices = (bytes: Uint8Array): ReadonlyArray<Uint8Array> => {
  if (bytes.length <= WHOLE_BODY_CHUNK) return [bytes]
  const out: Array<Uint8Array> = []
  for (let i = 0; i < bytes.length; i += WHOLE_BODY_CHUNK) out.push(bytes.subarray(i, i + WHOLE_BODY_CHUNK))
  return out
}

async function* mapped(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncGenerator<Uint8Array> {
  for await (const c of source) yield toBytes(c)
}

/** The body as chunks. */
export const bodyChunks = (body: BodyInput): AsyncIterable<Uint8Array> | ReadonlyArray<Uint8Array> => {
  if (typeof body === 'string') return slices(utf8(body))
  if (body instanceof Uint8Array) return slices(body)
  if (!(Symbol.asyncIterator in body) && !(Symbol.iterator in body) && typeof (body as ByteStream).getReader === 'function') {
    const reader = (body as ByteStream).getReader()
    return (async function* () {
      try {
        for (;;) {
          const r = await reader.read()
          if (r.done) return
          yield r.value
        }
      } finally {
        reader.releaseLock()
      }
    })()
  }
  return mapped(body as AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>)
}

/** What is known about a body before it is read: its size and whether it has 8-bit octets. */
export const knownFacts = (body: BodyInput): { size?: number; eightBit?: boolean } => {
  const bytes = typeof body === 'string' ? utf8(body) : body instanceof Uint8Array ? body : null
  if (bytes === null) return {}
  return { size: bytes.length, eightBit: hasEightBit(bytes) }
}

/** Words OR-ed together between two looks for a high bit (`hasEightBit`). */
const EIGHT_BIT_BLOCK_WORDS = 1024

/**
 * Whether any octet has its high bit set. The aligned middle is read four octets at a time
 * (a byte loop over a 20 MB body cost more than dot-stuffing it), four words per loop step: V8
 * 11 (Node 20) checks a typed array's bounds on every load, and one word per step took 9–18 ms
 * for 20 MB where four take 6–8 (and about 16 instead of 15–26 in a cold process).
 */
export const hasEightBit = (bytes: Uint8Array): boolean => {
  const n = bytes.length
  const at = Math.min(n, ((bytes.byteOffset + 3) & ~3) - bytes.byteOffset)
  for (let i = 0; i < at; i++) if (bytes[i]! > 0x7f) return true
  const count = (n - at) >> 2
  if (count > 0) {
    // Signed words: an octet's high bit only needs to survive the OR, and no load is a double.
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + at, count)
    const whole = count & ~3
    // Checked after every block of words, so a long 8-bit body stops early, and the inner loop
    // is a bare OR with no branch on the data (twice the speed of a check per word).
    for (let k = 0; k < whole; ) {
      const end = Math.min(whole, k + EIGHT_BIT_BLOCK_WORDS)
      let seen = 0
      for (; k < end; k += 4) seen |= words[k]! | words[k + 1]! | words[k + 2]! | words[k + 3]!
      if ((seen & 0x80808080) !== 0) return true
    }
    let seen = 0
    for (let k = whole; k < count; k++) seen |= words[k]!
    if ((seen & 0x80808080) !== 0) return true
  }
  for (let i = at + count * 4; i < n; i++) if (bytes[i]! > 0x7f) return true
  return false
}
