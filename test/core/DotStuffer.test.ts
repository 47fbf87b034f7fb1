import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { DotStuffer } from '@smtpure/core'
import { splitAt } from '../harness/split.ts'

const b = (s: string): Uint8Array => Buffer.from(s, 'latin1')
const s = (u: Uint8Array): string => Buffer.from(u).toString('latin1')

const stuffChunks = (chunks: ReadonlyArray<Uint8Array>): string => {
  let st = DotStuffer.initial
  let out = ''
  for (const c of chunks) {
    const [bytes, next] = DotStuffer.stuff(c)(st)
    out += s(bytes)
    st = next
  }
  return out + s(DotStuffer.finish(st))
}

/** A slow, obviously-right reference: normalize line ends, then dot-stuff, then terminate. */
const reference = (body: string): string => {
  const normalized = body.replace(/\r\n|\r|\n/g, '\r\n')
  const stuffed = normalized
    .split('\r\n')
    .map((l) => (l.startsWith('.') ? '.' + l : l))
    .join('\r\n')
  const ended = stuffed === '' || stuffed.endsWith('\r\n') ? stuffed : stuffed + '\r\n'
  return ended + '.\r\n'
}

describe('DotStuffer', () => {
  const cases: ReadonlyArray<[string, string, string]> = [
    ['empty body', '', '.\r\n'],
    ['one line with CRLF', 'a\r\n', 'a\r\n.\r\n'],
    ['missing final CRLF', 'a', 'a\r\n.\r\n'],
    ['leading dot', '.a\r\n', '..a\r\n.\r\n'],
    ['a lone dot line', 'a\r\n.\r\nb\r\n', 'a\r\n..\r\nb\r\n.\r\n'],
    ['bare LF', 'a\nb\n', 'a\r\nb\r\n.\r\n'],
    ['bare CR', 'a\rb\r', 'a\r\nb\r\n.\r\n'],
    ['smuggling: LF.LF', 'a\n.\nb', 'a\r\n..\r\nb\r\n.\r\n'],
    ['smuggling: CR.CR', 'a\r.\rb', 'a\r\n..\r\nb\r\n.\r\n'],
    ['smuggling: CRLF.LF', 'a\r\n.\nMAIL FROM:<x>\r\n', 'a\r\n..\r\nMAIL FROM:<x>\r\n.\r\n'],
    ['CR CR LF', 'a\r\r\n', 'a\r\n\r\n.\r\n'],
    ['dot after bare CR', '\r.', '\r\n..\r\n.\r\n'],
  ]
  for (const [name, input, expected] of cases) {
    test(name, () => {
      assert.equal(stuffChunks([b(input)]), expected)
      assert.equal(reference(input), expected)
    })
  }

  test('a chunk that needs no change is passed through without a copy', () => {
    const chunk = b('hello\r\nworld\r\n')
    const [out] = DotStuffer.stuff(chunk)(DotStuffer.initial)
    assert.equal(out, chunk)
  })

  const bodyChars = fc.constantFrom('a', '.', '\r', '\n', ' ', 'Z', '\r\n', '.\r\n', '\r\n.\r\n')
  const body = fc.array(bodyChars, { maxLength: 60 }).map((xs) => xs.join(''))

  test('any chunking equals the one-shot result and the reference (property)', () => {
    fc.assert(
      fc.property(body, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const all = b(text)
        const pieces = splitAt(all, cuts)
        const once = stuffChunks([all])
        assert.equal(stuffChunks(pieces), once)
        assert.equal(once, reference(text))
      }),
      { numRuns: 1000 },
    )
  })

  // Long runs without a line break go through the word-at-a-time scan; TABs and 8-bit octets
  // flag a word without ending a line; the chunks start at every alignment.
  const longRun = fc.constantFrom('abcdefghij', 'x\ty', '\u00e9t\u00e9', '\x0b\x0c', '\x0e\x0f')
  const longBody = fc.array(fc.oneof(bodyChars, longRun), { maxLength: 120 }).map((xs) => xs.join(''))
  test('long lines, TABs and 8-bit octets at every alignment equal the reference (property)', () => {
    fc.assert(
      fc.property(longBody, fc.nat({ max: 7 }), fc.array(fc.nat(), { maxLength: 4 }), (text, shift, cuts) => {
        const bytes = b(text)
        const padded = new Uint8Array(bytes.length + shift)
        padded.set(bytes, shift)
        const all = padded.subarray(shift)
        const pieces = splitAt(all, cuts)
        assert.equal(stuffChunks(pieces), reference(text))
        // The last chunk with its ending in one array is the same bytes (DATA and BDAT).
        let st = DotStuffer.initial
        let viaLast = ''
        let viaLastBdat = ''
        let stBdat = DotStuffer.initial
        pieces.forEach((p, k) => {
          if (k < pieces.length - 1) {
            const [o, next] = DotStuffer.stuff(p)(st)
            viaLast += s(o)
            st = next
            const [ob, nextB] = DotStuffer.stuff(p, false)(stBdat)
            viaLastBdat += s(ob)
            stBdat = nextB
          } else {
            viaLast += s(DotStuffer.stuffLast(p)(st))
            viaLastBdat += s(DotStuffer.stuffLast(p, false)(stBdat))
          }
        })
        assert.equal(viaLast, reference(text))
        assert.equal(viaLastBdat, text.replace(/\r\n|\r|\n/g, '\r\n'))
      }),
      { numRuns: 2000 },
    )
  })

  // Kilobyte chunks of mostly plain text, with now and then an 8-bit octet (alone, in valid
  // UTF-8, a BOM) or a TAB flagging a word of the scan.
  const textPiece = fc.oneof(
    { arbitrary: bodyChars, weight: 20 },
    { arbitrary: fc.constantFrom('x'.repeat(100), 'a line of text\r\n', '.a dot line\r\n', '\t\x0b'), weight: 10 },
    { arbitrary: fc.constantFrom('\u00e9', '\u00c3\u00a9', '\u00ef\u00bb\u00bf', '\u0080', '\u00ef\u00bf\u00bd'), weight: 1 },
  )
  const textBody = fc.array(textPiece, { minLength: 100, maxLength: 500 }).map((xs) => xs.join(''))
  test('kilobyte chunks of text, with an 8-bit octet anywhere, equal the reference (property)', () => {
    fc.assert(
      fc.property(textBody, fc.array(fc.nat(), { maxLength: 4 }), (text, cuts) => {
        const pieces = splitAt(b(text), cuts)
        assert.equal(stuffChunks(pieces), reference(text))
        let st = DotStuffer.initial
        let bdat = ''
        for (const p of pieces) {
          const [o, next] = DotStuffer.stuff(p, false)(st)
          bdat += s(o)
          st = next
        }
        assert.equal(bdat + s(DotStuffer.finishUnstuffed(st)), text.replace(/\r\n|\r|\n/g, '\r\n'))
      }),
      { numRuns: 500 },
    )
  })

  // Lines of every short length put their CR LF at every lane of a word: the scan passes over
  // ordinary line ends word by word and leaves the rest (a bare CR or LF, a TAB, an empty line,
  // a CR LF cut by a chunk's end) to the octet loop. Chunks start at every alignment.
  const shortLine = fc
    .tuple(fc.constantFrom('', '', '.', '..'), fc.nat({ max: 11 }), fc.constantFrom('\r\n', '\r\n', '\r\n', '\r', '\n', '\t\r\n', '\r\n\r\n'))
    .map(([lead, length, end]) => lead + 'abcdefghijk'.slice(0, length) + end)
  const linesBody = fc.array(shortLine, { minLength: 20, maxLength: 200 }).map((xs) => xs.join(''))
  test('short lines with their line ends at every lane equal the reference (property)', () => {
    fc.assert(
      fc.property(linesBody, fc.nat({ max: 7 }), fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), (text, shift, cuts, dots) => {
        const bytes = b(text)
        const padded = new Uint8Array(bytes.length + shift)
        padded.set(bytes, shift)
        let st = DotStuffer.initial
        let out = ''
        for (const p of splitAt(padded.subarray(shift), cuts)) {
          const [o, next] = DotStuffer.stuff(p, dots)(st)
          out += s(o)
          st = next
        }
        if (dots) assert.equal(out + s(DotStuffer.finish(st)), reference(text))
        else assert.equal(out + s(DotStuffer.finishUnstuffed(st)), text.replace(/\r\n|\r|\n/g, '\r\n'))
      }),
      { numRuns: 1000 },
    )
  })

  test('stuffing into given room gives the same bytes, in that room when it is large enough (property)', () => {
    fc.assert(
      fc.property(longBody, fc.array(fc.nat(), { maxLength: 4 }), fc.nat({ max: 64 }), fc.boolean(), (text, cuts, slack, dots) => {
        let st = DotStuffer.initial
        let viaInto = ''
        // One room reused for every chunk, as the driver does; sometimes too small for a chunk.
        const room = new Uint8Array(Math.max(0, b(text).length - 32 + slack))
        for (const p of splitAt(b(text), cuts)) {
          const [plain] = DotStuffer.stuff(p, dots)(st)
          const [o, next] = DotStuffer.stuff(p, dots, room)(st)
          assert.equal(s(o), s(plain))
          if (o !== p) assert.equal(o.buffer === room.buffer, room.length >= o.length)
          viaInto += s(o)
          st = next
        }
        const expected = dots ? reference(text) : text.replace(/\r\n|\r|\n/g, '\r\n')
        assert.equal(viaInto + s(dots ? DotStuffer.finish(st) : DotStuffer.finishUnstuffed(st)), expected)
      }),
      { numRuns: 1000 },
    )
  })

  test('the wire holds no CRLF.CRLF but the terminator, and no bare CR or LF (property)', () => {
    fc.assert(
      fc.property(body, (text) => {
        const wire = stuffChunks([b(text)])
        const first = ('\r\n' + wire).indexOf('\r\n.\r\n')
        assert.equal(first, ('\r\n' + wire).length - 5, `early terminator in ${JSON.stringify(wire)}`)
        assert.doesNotMatch(wire.replace(/\r\n/g, ''), /[\r\n]/)
      }),
      { numRuns: 1000 },
    )
  })
})
