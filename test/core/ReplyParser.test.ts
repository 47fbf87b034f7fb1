import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { Limits, ReplyParser, type ReplyType } from '@smtpure/core'
import { splitAt } from '../harness/split.ts'

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1')

/** Parse a whole input delivered in the given pieces; returns replies or the violation. */
const parseAll = (pieces: ReadonlyArray<Uint8Array>): { replies: ReplyType[]; violation: string | null; midReply: boolean } => {
  let p = ReplyParser.empty
  const replies: ReplyType[] = []
  for (const piece of pieces) {
    let offset = 0
    for (;;) {
      const r = ReplyParser.next(piece, offset)(p)
      if (r._tag === 'Violation') return { replies, violation: r.message, midReply: false }
      if (r._tag === 'NeedMore') {
        p = r.parser
        break
      }
      replies.push(r.reply)
      p = r.parser
      offset = r.offset
      if (offset >= piece.length) break
    }
  }
  return { replies, violation: null, midReply: ReplyParser.isMidReply(p) }
}

describe('ReplyParser', () => {
  test('single and multi-line replies', () => {
    const r = parseAll([bytes('220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250 SIZE 1000\r\n')])
    assert.equal(r.violation, null)
    assert.deepEqual(r.replies, [
      { code: 220, lines: ['mx ESMTP'] },
      { code: 250, lines: ['mx', 'PIPELINING', 'SIZE 1000'] },
    ])
  })

  test('bare LF line endings are tolerated', () => {
    const r = parseAll([bytes('250-a\n250 b\n')])
    assert.deepEqual(r.replies, [{ code: 250, lines: ['a', 'b'] }])
  })

  test('a code with no text, and a code followed by a lone space', () => {
    assert.deepEqual(parseAll([bytes('250\r\n250 \r\n')]).replies, [
      { code: 250, lines: [''] },
      { code: 250, lines: [''] },
    ])
  })

  const malformed: ReadonlyArray<[string, string]> = [
    ['letter in the code', '25O ok\r\n'],
    ['first digit out of range', '650 no\r\n'],
    ['second digit out of range', '260 no\r\n'],
    ['first digit 1', '150 no\r\n'],
    ['short line', '25\r\n'],
    ['bad separator', '250_ok\r\n'],
    ['code changes inside a multi-line reply', '250-a\r\n251 b\r\n'],
    ['empty line', '\r\n'],
  ]
  for (const [name, input] of malformed) {
    test(`violation: ${name}`, () => {
      assert.notEqual(parseAll([bytes(input)]).violation, null)
    })
  }

  test('an over-long line is a violation, without waiting for its end', () => {
    const r = parseAll([bytes('250 ' + 'x'.repeat(Limits.MAX_REPLY_LINE_OCTETS))])
    assert.match(r.violation ?? '', /longer than/)
  })

  test('a line exactly at the limit is accepted', () => {
    const text = 'x'.repeat(Limits.MAX_REPLY_LINE_OCTETS - 6)
    const r = parseAll([bytes(`250 ${text}\r\n`)])
    assert.equal(r.violation, null)
    assert.equal(r.replies[0]?.lines[0], text)
  })

  test('an endless multi-line reply is cut at MAX_REPLY_LINES', () => {
    const r = parseAll([bytes('250-x\r\n'.repeat(Limits.MAX_REPLY_LINES + 1))])
    assert.match(r.violation ?? '', /lines/)
  })

  test('any split of the input gives the same replies (property)', () => {
    const line = fc.stringMatching(/^[ -~]{0,30}$/)
    const reply = fc.tuple(fc.integer({ min: 200, max: 559 }).filter((c) => c % 100 < 60 && (c % 100) % 10 <= 9 && Math.floor((c % 100) / 10) <= 5), fc.array(line, { minLength: 1, maxLength: 5 }), fc.boolean())
    fc.assert(
      fc.property(fc.array(reply, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (replies, cuts) => {
        const wire = replies
          .map(([code, lines, bareLf]) => lines.map((l, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${l}${bareLf ? '\n' : '\r\n'}`).join(''))
          .join('')
        const all = bytes(wire)
        const pieces = splitAt(all, cuts)
        const whole = parseAll([all])
        const split = parseAll(pieces)
        assert.equal(whole.violation, null)
        assert.deepEqual(split, whole)
        assert.equal(whole.replies.length, replies.length)
      }),
      { numRuns: 300 },
    )
  })

  test('random bytes never throw and never buffer past the limits (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 3000 }), { maxLength: 5 }), (pieces) => {
        let p = ReplyParser.empty
        for (const piece of pieces) {
          let offset = 0
          for (;;) {
            const r = ReplyParser.next(piece, offset)(p)
            if (r._tag === 'Violation') return
            if (r._tag === 'NeedMore') {
              p = r.parser
              assert.ok(p.partial.length < Limits.MAX_REPLY_LINE_OCTETS)
              assert.ok(p.lines.length <= Limits.MAX_REPLY_LINES)
              break
            }
            p = r.parser
            offset = r.offset
            if (offset >= piece.length) break
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
