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

describe('pool fail-fast and cool-down', () => {
  test('three failed connects in a row: the rest fail at once (transient); after the cool-down it tries again', async () => {
    const clock = new VirtualClock(0)
    let attempts = 0
    let up = false
    const pool = Pool.makePool<string, string, Pool.PoolClient<string>>(
      deps(clock, async () => {
        attempts++
        if (!up) throw new Down(true)
        return okClient()
      }),
      { connections: 1 },
    )
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.send(`m${i}`)))
    assert.ok(outcomes.every((o) => o._tag === 'Failed' && o.transient))
    assert.equal(attempts, Pool.MAX_CONSECUTIVE_CONNECT_FAILURES)
    // Still cooling down: no attempt.
    clock.advance(Pool.CONNECT_COOLDOWN_MS - 1)
    assert.equal((await pool.send('early'))._tag, 'Failed')
    assert.equal(attempts, Pool.MAX_CONSECUTIVE_CONNECT_FAILURES)
    // The server is back and the cool-down is over: delivered.
    up = true
    clock.advance(1)
    const later = await pool.send('later')
    assert.deepEqual(later, { _tag: 'Sent', result: 'sent later', attempts: 1 })
    await pool.close()
    await settleAll()
  })

  test('connectCooldownMs sets the cool-down; out-of-range values are clamped', async () => {
    const clock = new VirtualClock(0)
    let attempts = 0
    let up = false
    const pool = Pool.makePool<string, string, Pool.PoolClient<string>>(
      deps(clock, async () => {
        attempts++
        if (!up) throw new Down(true)
        return okClient()
      }),
      { connections: 1, connectCooldownMs: 5000 },
    )
    await Promise.all(Array.from({ length: 5 }, (_, i) => pool.send(`m${i}`)))
    assert.equal(attempts, Pool.MAX_CONSECUTIVE_CONNECT_FAILURES)
    clock.advance(4999)
    assert.equal((await pool.send('early'))._tag, 'Failed')
    assert.equal(attempts, Pool.MAX_CONSECUTIVE_CONNECT_FAILURES)
    up = true
    clock.advance(1)
    assert.equal((await pool.send('later'))._tag, 'Sent')
    await pool.close()
    await settleAll()

    // A day is cut to the bound; a negative value means no cool-down.
    for (const [asked, expected] of [
      [86_400_000, Pool.MAX_CONNECT_COOLDOWN_MS],
      [-1, 0],
    ] as const) {
      const c = new VirtualClock(0)
      let tries = 0
      const p = Pool.makePool<string, string, Pool.PoolClient<string>>(
        deps(c, async () => {
          tries++
          throw new Down(false)
        }),
        { connections: 1, connectCooldownMs: asked },
      )
      assert.equal((await p.send('a'))._tag, 'Failed')
      assert.equal(tries, 1)
      if (expected > 0) c.advance(expected - 1)
      assert.equal((await p.send('b'))._tag, 'Failed')
      // Tried again only once the cool-down is over.
      assert.equal(tries, expected === 0 ? 2 : 1)
      await p.close()
    }
  })

  test('a permanent refusal (wrong password) stops logins at once, not after three', async () => {
    const clock = new VirtualClock(0)
    let attempts = 0
    const pool = Pool.makePool<string, string, Pool.PoolClient<string>>(
      deps(clock, async () => {
        attempts++
        throw new Down(false)
      }),
      { connections: 1 },
    )
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.send(`m${i}`)))
    assert.ok(outcomes.every((o) => o._tag === 'Failed' && !o.transient))
    assert.equal(attempts, 1)
    await pool.close()
  })
})
