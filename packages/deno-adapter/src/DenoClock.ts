/** The engine's clock on Deno: monotonic performance.now(), timers from setTimeout. */
import type { Clock } from '@smtpure/core'

export const denoClock: Clock = {
  now: () => performance.now(),
  setTimer: (at, fire) => {
    const t = setTimeout(fire, Math.max(0, at - performance.now()))
    return () => clearTimeout(t)
  },
}
