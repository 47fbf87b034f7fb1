/**
 * A clock that moves only when a test says so. Timers fire in deadline order as time is
 * advanced, so timeout tests take no real time.
 */
import type { Clock } from '@smtpure/core'

interface Timer {
  readonly at: number
  readonly fire: () => void
  cancelled: boolean
}

export class VirtualClock implements Clock {
  private t: number
  private timers: Timer[] = []

  constructor(start = 0) {
    this.t = start
  }

  now(): number {
    return this.t
  }

  setTimer(at: number, fire: () => void): () => void {
    const timer: Timer = { at, fire, cancelled: false }
    this.timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  }

  /** The earliest armed deadline, if any. */
  nextDeadline(): number | null {
    const live = this.timers.filter((x) => !x.cancelled)
    return live.length === 0 ? null : Math.min(...live.map((x) => x.at))
  }

  /** Move to `at`, firing every timer due on the way, in order. */
  advanceTo(at: number): void {
    for (;;) {
      this.timers = this.timers.filter((x) => !x.cancelled)
      const due = this.timers.filter((x) => x.at <= at).sort((a, b) => a.at - b.at)[0]
      if (due === undefined) break
      this.t = Math.max(this.t, due.at)
      due.cancelled = true
      due.fire()
    }
    this.t = Math.max(this.t, at)
  }

  advance(ms: number): void {
    this.advanceTo(this.t + ms)
  }
}
