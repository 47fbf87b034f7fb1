/**
 * The DATA body transducer (RFC 5321 §4.5.2 and §2.3.8). Over any split of the body into
 * chunks it:
 *   - turns every bare CR and every bare LF into CRLF (§2.3.8: a bare CR or LF is not a line
 *     ending, and letting one through is how "SMTP smuggling" hides a second end-of-data);
 *   - doubles a `.` at the start of a line (§4.5.2 transparency);
 *   - ends the body with CRLF if needed, then `.` CRLF.
 * So the only `CRLF . CRLF` that reaches the wire is the terminator. State is two booleans,
 * memory is O(chunk), and a chunk that needs no change is passed through without a copy.
 */
import { CR, LF, DOT, alloc, utf8 } from './Bytes.ts'

// ---- model

/** Where the previous chunk left off. */
export interface DotStuffer {
  /** The next octet starts a line. */
  readonly atLineStart: boolean
  /** The previous octet was a CR already written; an LF must follow it. */
  readonly afterCr: boolean
}

// ---- constructors

/** Before the first octet of a body. */
export const initial: DotStuffer = { atLineStart: true, afterCr: false }

// ---- combinators

/**
 * Transform one chunk (`dots = false` normalizes line ends only, for BDAT). Returns the bytes
 * to write and the state for the next chunk. When the
 * chunk needs no change the very same array is returned (the caller must not reuse it until it
 * has been written).
 *
 * `into` is room the result may be written to instead of a new array (as `TextEncoder.encodeInto`
 * does): when it is large enough the result is a view of it. A body then reuses one buffer for
 * all its chunks; a new array per chunk would pile up as garbage the collector frees late
 * (16 MB of peak RSS for a 1 GB streamed body, bench scenario F).
 *
 * Clean text and ordinary line ends (CR LF) are scanned a word (four octets) at a time; the
 * per-octet state machine sees only a word with anything else below 0x0E, from its first low
 * octet on. Changes are recorded as insertions and applied in one copy at the end.
 */
export const stuff =
  (chunk: Uint8Array, dots = true, into: Uint8Array | null = null) =>
  (s: DotStuffer): readonly [Uint8Array, DotStuffer] =>
    transform(chunk, dots, s, null, into)

/**
 * The last chunk of a body with what ends it (`finish`, or with `dots = false` the BDAT ending
 * `finishUnstuffed`), built in one array: the message is not copied a second time to add them.
 */
export const stuffLast =
  (chunk: Uint8Array, dots = true) =>
  (s: DotStuffer): Uint8Array =>
    transform(chunk, dots, s, dots ? finish : finishUnstuffed, null)[0]

/** Word lanes are octets in memory order on this machine (every platform JavaScript runs on today). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** Chunks shorter than this are scanned octet by octet (a word view costs more than it saves). */
const MIN_WORD_SCAN = 64

/** Insertion scratch larger than this (entries) is dropped after the chunk that needed it. */
const KEEP_INSERT_SCRATCH = 1 << 14
/**
 * Insertions found in one chunk: `insertOctet[k]` goes in before `chunk[insertAt[k]]`. Scratch
 * shared by every call: a transform runs to its end synchronously and keeps nothing here, so
 * no caller can observe it, and no chunk leaves an array of positions behind as garbage.
 */
let insertAt = new Int32Array(256)
let insertOctet = new Uint8Array(256)
let inserted = 0

const insert = (at: number, octet: number): void => {
  if (inserted === insertAt.length) {
    // At most one insertion per octet of the chunk, so this stays O(chunk).
    const at2 = new Int32Array(inserted * 2)
    at2.set(insertAt)
    insertAt = at2
    const octet2 = new Uint8Array(inserted * 2)
    octet2.set(insertOctet)
    insertOctet = octet2
  }
  insertAt[inserted] = at
  insertOctet[inserted++] = octet
}

const transform = (chunk: Uint8Array, dots: boolean, s: DotStuffer, ending: ((s: DotStuffer) => Uint8Array) | null, into: Uint8Array | null): readonly [Uint8Array, DotStuffer] => {
  const n = chunk.length
  let atLineStart = s.atLineStart
  let afterCr = s.afterCr
  inserted = 0
  // The chunk's 4-aligned middle as words, scanned four octets per step.
  const wordsAt = ((chunk.byteOffset + 3) & ~3) - chunk.byteOffset
  const wordCount = n < MIN_WORD_SCAN ? 0 : (n - wordsAt) >> 2
  const words = wordCount > 0 ? new Uint32Array(chunk.buffer, chunk.byteOffset + wordsAt, wordCount) : NO_WORDS
  const wordsEnd = wordCount > 0 ? wordsAt + (wordCount << 2) : 0
  // Octets in [i, stop) go through the state machine one by one: the octets before the first
  // whole word, a word that may hold a line break (or follows one), and the octets after the
  // last whole word. Between those, clean words are skipped four octets per step.
  let i = 0
  let stop = wordCount > 0 ? wordsAt : n
  for (;;) {
    for (; i < stop; i++) {
      const b = chunk[i]!
      if (afterCr) {
        afterCr = false
        atLineStart = true
        if (b === LF) continue
        // RFC 5321 §2.3.8: a bare CR is not a line end; complete it as CRLF.
        insert(i, LF)
      }
      if (atLineStart) {
        atLineStart = false
        // RFC 5321 §4.5.2: "If the first character is a period, one additional period is inserted".
        if (dots && b === DOT) insert(i, DOT)
      }
      if (b === CR) {
        afterCr = true
      } else if (b === LF) {
        // A bare LF: write CRLF.
        insert(i, CR)
        atLineStart = true
      }
    }
    if (i >= wordsEnd) {
      if (i >= n) break
      stop = n
      continue
    }
    if (afterCr) {
      // After a CR the next word goes octet by octet: it must start with the LF.
      stop = i + 4
      continue
    }
    if (atLineStart) {
      atLineStart = false
      // RFC 5321 §4.5.2, for a line that starts at a word's first octet.
      if (dots && chunk[i] === DOT) insert(i, DOT)
    }
    i = scanLines(chunk, words, (i - wordsAt) >> 2, dots, wordsAt, LITTLE_ENDIAN)
    // The octet loop takes the rest of the word the scan stopped in (or the octets after the last).
    stop = i < wordsEnd ? wordsAt + ((i - wordsAt) & ~3) + 4 : n
  }
  const state: DotStuffer = { atLineStart, afterCr }
  const end = ending === null ? NO_BYTES : ending(state)
  if (inserted === 0 && end.length === 0) return [chunk, state]
  const added = inserted
  const size = n + added + end.length
  const out = into !== null && into.length >= size ? into.subarray(0, size) : alloc(size)
  // Copy the chunk once, then open the gaps from the back: every octet after the k-th insertion
  // moves right by k + 1, and `copyWithin` moves it without the view per segment a
  // `set(chunk.subarray(...))` would allocate (26 KB of garbage per 64 KB chunk in scenario F).
  out.set(chunk)
  let to = n
  for (let k = added - 1; k >= 0; k--) {
    const at = insertAt[k]!
    out.copyWithin(at + k + 1, at, to)
    out[at + k] = insertOctet[k]!
    to = at
  }
  out.set(end, n + added)
  if (insertAt.length > KEEP_INSERT_SCRATCH) {
    // A body with very many insertions does not keep its scratch for good.
    insertAt = new Int32Array(256)
    insertOctet = new Uint8Array(256)
  }
  return [out, state]
}

/**
 * Word-wise scan from word `k` of `bytes` (mid-line, no CR pending): skips clean words and
 * passes over ordinary line ends, `CR LF` and a line whose octets up to the next word are plain,
 * recording the doubled dot of a line that starts with one. Returns the position of the first
 * octet it leaves to the octet loop, where the state is again mid-line with no CR pending: the
 * first low octet of a word it does not pass over (a bare CR or LF, a TAB or other low octet, an
 * empty line, a line end in the chunk's last word), or the end of the words.
 *
 * A word with no octet below 0x0E (the classic "has a byte less than n" test) holds no line
 * break. Four words are tested per step, their flags or'ed: each typed-array load carries checks
 * that V8 11 (Node 20) does not hoist out of a loop. Line ends are handled here, not by the
 * octet loop, as that cost about 60 ns a line (a 72-octet line took 150 ns, now about 70). The
 * same few steps serve a line end at any lane: with a branch per lane V8 had no type feedback
 * for the rarer lanes, each first use of one threw the optimized code away, and scenario D took
 * a quarter more CPU from a cold process.
 *
 * The first low octet is found from the lowest flag only on a little-endian machine (`lanes`);
 * elsewhere only the skip runs, and it returns the flagged word's start. Octets are literals here (CR 0x0d, LF 0x0a, `.` 0x2e): a
 * module-level constant is a context load and a hole check on every use, and the scan ran 8%
 * slower with them.
 */
const scanLines = (bytes: Uint8Array, words: Uint32Array, k: number, dots: boolean, wordsAt: number, lanes: boolean): number => {
  const count = words.length
  const end = wordsAt + (count << 2)
  for (;;) {
    for (; k + 3 < count; k += 4) {
      const a = words[k]!
      const b = words[k + 1]!
      const c = words[k + 2]!
      const d = words[k + 3]!
      if (((((a - 0x0e0e0e0e) & ~a) | ((b - 0x0e0e0e0e) & ~b) | ((c - 0x0e0e0e0e) & ~c) | ((d - 0x0e0e0e0e) & ~d)) & 0x80808080) !== 0) break
    }
    let x = 0
    for (; k < count; k++) {
      x = words[k]!
      if (((x - 0x0e0e0e0e) & ~x & 0x80808080) !== 0) break
    }
    if (k === count) return end
    if (!lanes) return wordsAt + (k << 2)
    // The lowest flag is exact (a borrow only sets flags above it): the first low octet, and the
    // octets before it are plain text.
    const flags = (x - 0x0e0e0e0e) & ~x & 0x80808080
    const cr = wordsAt + (k << 2) + ((31 - Math.clz32(flags & -flags)) >> 3)
    // An ordinary line end is CR LF, then a line whose octets up to the next word are plain.
    const start = cr + 2
    const next = wordsAt + ((start - wordsAt + 3) & ~3)
    if (next >= end || bytes[cr] !== 0x0d || bytes[cr + 1] !== 0x0a) return cr
    for (let j = start; j < next; j++) if (bytes[j]! < 0x0e) return cr
    // RFC 5321 §4.5.2: a line that starts with a period gets one more.
    if (dots && bytes[start] === 0x2e) insert(start, 0x2e)
    k = (next - wordsAt) >> 2
  }
}

const NO_WORDS = new Uint32Array(0)
const NO_BYTES = new Uint8Array(0)

const TERMINATOR = utf8('.\r\n')
const CRLF_TERMINATOR = utf8('\r\n.\r\n')
const LF_TERMINATOR = utf8('\n.\r\n')

/** The bytes that end the body: a missing line end, then `.` CRLF (RFC 5321 §4.1.1.4). */
export const finish = (s: DotStuffer): Uint8Array =>
  s.afterCr ? LF_TERMINATOR : s.atLineStart ? TERMINATOR : CRLF_TERMINATOR

/**
 * With BDAT (RFC 3030) no dot is stuffed and no terminator is sent (`stuff(chunk, false)`);
 * this completes a CR left dangling at the very end.
 */
export const finishUnstuffed = (s: DotStuffer): Uint8Array => (s.afterCr ? LF_ONLY : EMPTY_BYTES)

const LF_ONLY = utf8('\n')
const EMPTY_BYTES = new Uint8Array(0)

/** Stuff a whole body at once (tests and small messages). */
export const stuffAll = (body: Uint8Array): Uint8Array => {
  const [bytes, s] = stuff(body)(initial)
  const tail = finish(s)
  const out = new Uint8Array(bytes.length + tail.length)
  out.set(bytes)
  out.set(tail, bytes.length)
  return out
}
