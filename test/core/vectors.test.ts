import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadVectors, matches, runVector } from '../harness/vectors.ts'

const vectors = loadVectors()

describe('transcript vectors', () => {
  test('there are at least 40 vectors', () => {
    assert.ok(vectors.length >= 40, `only ${vectors.length} vectors`)
  })
  for (const { file, vector } of vectors) {
    test(`${file}: ${vector.name}`, () => {
      const { results } = runVector(vector)
      vector.steps.forEach((s, i) => {
        const r = results[i]!
        const where = `step ${i} (${s.in.type})`
        if (s.error !== undefined) {
          assert.equal(r.error, s.error, `${where}: expected UsageError ${s.error}`)
          return
        }
        assert.equal(r.error, null, `${where}: unexpected UsageError ${r.error}`)
        if (s.out !== undefined) {
          assert.ok(
            matches(s.out, r.outputs),
            `${where}: outputs differ\nexpected: ${JSON.stringify(s.out, null, 1)}\nactual:   ${JSON.stringify(r.outputs, null, 1)}`,
          )
        }
        if (s.deadline !== undefined) assert.equal(r.deadline, s.deadline, `${where}: deadline`)
        if (s.wantsRead !== undefined) assert.equal(r.wantsRead, s.wantsRead, `${where}: wantsRead`)
      })
    })
  }
})
