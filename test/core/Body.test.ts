import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { Body } from '@smtpure/core'

describe('Body facts', () => {
  test('hasEightBit equals a byte-by-byte check at every alignment and length (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat({ max: 7 }), fc.boolean(), (raw, shift, ascii) => {
        // Mostly 7-bit text, so the one high octet (if any) can sit anywhere, even in the tail.
        const bytes = ascii ? raw.map((b) => b & 0x7f) : raw
        const padded = new Uint8Array(bytes.length + shift)
        padded.set(bytes, shift)
        const view = padded.subarray(shift)
        assert.equal(Body.hasEightBit(view), view.some((b) => b > 0x7f))
      }),
      { numRuns: 1000 },
    )
  })

  test('one high octet is found wherever it is, in every block of words and the tail', () => {
    // Blocks are 1024 words (4096 octets): positions around the first two block ends.
    const base = new Uint8Array(12_000).fill(0x41)
    for (const at of [0, 1, 2, 3, 4, 1023, 1024, 1027, 2047, 4095, 4096, 4099, 8191, 8192, 8195, 11_995, 11_999]) {
      for (const shift of [0, 1, 3]) {
        const b = new Uint8Array(base.length + shift)
        b.set(base, shift)
        b[shift + at] = 0xc3
        assert.equal(Body.hasEightBit(b.subarray(shift)), true, `at ${at}, shift ${shift}`)
      }
    }
    assert.equal(Body.hasEightBit(base), false)
    assert.deepEqual(Body.knownFacts('héllo'), { size: 6, eightBit: true })
    assert.deepEqual(Body.knownFacts('hello'), { size: 5, eightBit: false })
  })
})
