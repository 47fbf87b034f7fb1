/**
 * The shared transcript vectors, replayed under Deno: the core runs unchanged in this runtime.
 */
import { loadVectors, matches, runVector } from '../../../test/harness/vectors.ts'

const vectors = loadVectors()

Deno.test('there are transcript vectors', () => {
  if (vectors.length < 40) throw new Error(`only ${vectors.length} vectors`)
})

for (const { file, vector } of vectors) {
  Deno.test(`vector ${file}`, () => {
    const { results } = runVector(vector)
    vector.steps.forEach((s, i) => {
      const r = results[i]!
      if (s.error !== undefined) {
        if (r.error !== s.error) throw new Error(`step ${i}: expected UsageError ${s.error}, got ${r.error}`)
        return
      }
      if (r.error !== null) throw new Error(`step ${i}: unexpected UsageError ${r.error}`)
      if (s.out !== undefined && !matches(s.out, r.outputs)) {
        throw new Error(`step ${i}: outputs differ\nexpected ${JSON.stringify(s.out)}\nactual   ${JSON.stringify(r.outputs)}`)
      }
      if (s.deadline !== undefined && r.deadline !== s.deadline) throw new Error(`step ${i}: deadline ${r.deadline}`)
      if (s.wantsRead !== undefined && r.wantsRead !== s.wantsRead) throw new Error(`step ${i}: wantsRead ${r.wantsRead}`)
    })
  })
}
