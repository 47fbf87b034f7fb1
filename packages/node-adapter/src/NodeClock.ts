/** The engine's clock on Node: monotonic time from performance.now(), timers from setTimeout. */
import { performance } from 'node:perf_hooks'
import type { Clock } from '@smtpure/core'

/** A monotonic clock (wall-clock jumps never fire or delay a timeout). */
export const nodeClock: Clock = {
  now: () => performance.now(),
  setTimer: (at, fire) => {
    const t = setTimeout(fire, Math.max(0, at - performance.now()))
    return () => clearTimeout(t)
  },
}
