import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { renderStates } from '../../scripts/render-states.ts'

test('docs/STATES.md is generated from the current transition table (npm run docs)', () => {
  const committed = readFileSync(new URL('../../docs/STATES.md', import.meta.url), 'utf8')
  assert.equal(committed, renderStates())
})
