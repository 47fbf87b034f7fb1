import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { MAX_SLAB_ALLOCATION, alloc, concat, utf8 } from '../../packages/core/src/Bytes.ts'

describe('Bytes', () => {
  test('arrays cut from the slab start zero-filled and never overlap (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: MAX_SLAB_ALLOCATION + 100 }), { minLength: 1, maxLength: 200 }), (sizes) => {
        const arrays = sizes.map((n, k) => {
          const a = alloc(n)
          assert.equal(a.length, n)
          assert.ok(a.every((b) => b === 0), 'not zero-filled')
          a.fill((k % 255) + 1)
          return a
        })
        arrays.forEach((a, k) => {
          assert.ok(a.every((b) => b === (k % 255) + 1), `array ${k} was overwritten`)
          // Larger arrays get a buffer of their own; small ones start 8-aligned in the slab.
          if (a.length > MAX_SLAB_ALLOCATION) assert.equal(a.buffer.byteLength, a.length)
          else assert.equal(a.byteOffset % 8, 0)
        })
      }),
      { numRuns: 200 },
    )
  })

  test('utf8 and concat give exact bytes whether or not they come from the slab', () => {
    assert.deepEqual([...utf8('MAIL FROM:<a@b>\r\n')], [...Buffer.from('MAIL FROM:<a@b>\r\n')])
    assert.deepEqual([...utf8('é')], [0xc3, 0xa9])
    const big = 'x'.repeat(MAX_SLAB_ALLOCATION + 1)
    assert.equal(Buffer.from(utf8(big)).toString(), big)
    assert.deepEqual([...concat([utf8('ab'), utf8('c')])], [0x61, 0x62, 0x63])
  })
})
