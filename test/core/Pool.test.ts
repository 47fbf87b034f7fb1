/** The pool's bookkeeping with fake clients and the virtual clock: retries, fail-fast, cool-down. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Pool } from '@smtpure/core'
import { VirtualClock } from '../harness/VirtualClock.ts'

class Down extends Error {
  constructor(readonly transient: boolean) {
    super(transient ? 'connection refused' : '535 authentication failed')
  }
}

/** A client whose sends always succeed, echoing the message. */
const okClient = (): Pool.PoolClient<string> => ({
  send: async (m) => `sent ${String(m)}`,
  noop: async () => undefined,
  quit: async () => undefined,
  abort: () => undefined,
  failure: () => null,
})

const deps = (clock: VirtualClock, connect: () => Promise<Pool.PoolClient<string>>) => ({
  connect,
  clock,
  kindOf: (e: unknown): Pool.ErrorKind | null => (e instanceof Down ? 'failed' : null),
  transient: (e: unknown) => e instanceof Down && e.transient,
})

const settleAll = () => new Promise((r) => setImmediate(r))

/**
 * A server that is down until the cool-down is over: three failed connects, the rest fail at once
 * (transient, no attempt) until `cooldownMs` has passed, then the server is back and delivers.
 */
const coolDownCase = async (options: Pool.PoolOptions, cooldownMs: number): Promise<void> => {
  const clock = new VirtualClock(0)
  let attempts = 0
  let up = false
  const pool = Pool.makePool<string, string, Pool.PoolClient<string>>(
    deps(clock, async () => {
      attempts++
      if (!up) throw new Down(true)
      return okClient()
    }),
    options,
  )
  const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.send(`m${i}`)))
  assert.ok(outcomes.every((o) => o._tag === 'Failed' && o.transient))
  assert.equal(attempts, Pool.MAX_CONSECUTIVE_CONNECT_FAILURES)
  // Still cooling down: no attempt.
  clock.advance(cooldownMs - 1)
  assert.equal((await pool.send('early'))._tag, 'Failed')
  assert.equal(attempts, Pool.MAX_CONSECUTIVE_CONNECT_FAILURES)
  // The server is back and the cool-down is over: delivered.
  up = true
  clock.advance(1)
  const later = await pool.send('later')
  assert.deepEqual(later, { _tag: 'Sent', result: 'sent later', attempts: 1 })
  await pool.close()
  await settleAll()
}

/** A pool whose every login is refused for good (a wrong password), and its attempt count. */
const refusing = (options: Pool.PoolOptions) => {
  const clock = new VirtualClock(0)
  let attempts = 0
  const pool = Pool.makePool<string, string, Pool.PoolClient<string>>(
    deps(clock, async () => {
      attempts++
      throw new Down(false)
    }),
    options,
  )
  return { pool, clock, attempts: () => attempts }
}

describe('pool fail-fast and cool-down', () => {
  test('three failed connects in a row: the rest fail at once (transient); after the cool-down it tries again', async () => {
    await coolDownCase({ connections: 1 }, Pool.CONNECT_COOLDOWN_MS)
  })

  test('connectCooldownMs sets the cool-down; out-of-range values are clamped', async () => {
    await coolDownCase({ connections: 1, connectCooldownMs: 5000 }, 5000)

    // A day is cut to the bound; a negative value means no cool-down.
    for (const [asked, expected] of [
      [86_400_000, Pool.MAX_CONNECT_COOLDOWN_MS],
      [-1, 0],
    ] as const) {
      const r = refusing({ connections: 1, connectCooldownMs: asked })
      assert.equal((await r.pool.send('a'))._tag, 'Failed')
      assert.equal(r.attempts(), 1)
      if (expected > 0) r.clock.advance(expected - 1)
      assert.equal((await r.pool.send('b'))._tag, 'Failed')
      // Tried again only once the cool-down is over.
      assert.equal(r.attempts(), expected === 0 ? 2 : 1)
      await r.pool.close()
    }
  })

  test('a permanent refusal (wrong password) stops logins at once, not after three', async () => {
    const { pool, attempts } = refusing({ connections: 1 })
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.send(`m${i}`)))
    assert.ok(outcomes.every((o) => o._tag === 'Failed' && !o.transient))
    assert.equal(attempts(), 1)
    await pool.close()
  })
})
