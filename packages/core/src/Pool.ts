/**
 * Bulk sending: N connections fed from one bounded queue. A connection carries up to M messages
 * (RSET after a failed transaction is the engine's), is checked with NOOP after being idle, and is
 * replaced when the server closes it (421) or it breaks. Every message gets exactly one outcome;
 * a message is tried again on a fresh connection only when its outcome was a definite "not
 * delivered" caused by the connection, so a retry can never duplicate it. A permanent failure to
 * connect or log in fails the rest at once instead of trying again for each message.
 */
import type { SmtpError } from './SmtpError.ts'
import type { Clock } from './Transport.ts'

// ---- limits and options

/** Upper bound on `connections` (each is a socket and a session). */
export const MAX_POOL_CONNECTIONS = 64
/** Upper bound on `queueLimit` (each queued message holds its body source). */
export const MAX_POOL_QUEUE = 100_000
/** Upper bound on `rate.messages` (the limiter keeps one timestamp per message in the window). */
export const MAX_RATE_WINDOW = 100_000
/** A message whose connection broke before it was delivered is tried this many more times. */
export const POOL_RETRIES = 1
/**
 * After this many connection attempts in a row have failed (or one permanent refusal, such as a
 * wrong password), messages fail at once for the cool-down (`connectCooldownMs`, default
 * CONNECT_COOLDOWN_MS) instead of each trying again.
 */
export const MAX_CONSECUTIVE_CONNECT_FAILURES = 3
export const CONNECT_COOLDOWN_MS = 30_000
/** Upper bound on `connectCooldownMs`: a pool never stays shut for longer than an hour. */
export const MAX_CONNECT_COOLDOWN_MS = 3_600_000

export interface PoolOptions {
  /** Connections to open, at most MAX_POOL_CONNECTIONS. Default 4. */
  readonly connections?: number
  /** Messages per connection before it is closed and a new one opened. Default 100. */
  readonly messagesPerConnection?: number
  /** Messages waiting for a connection; `enqueue` waits while it is full. Default 100. */
  readonly queueLimit?: number
  /** At most `messages` transactions started in any `perMs` window, across the pool. */
  readonly rate?: { readonly messages: number; readonly perMs: number }
  /** Send NOOP before reusing a connection idle for this long (ms). Default 10 000. */
  readonly idleNoopAfterMs?: number
  /**
   * How long (ms) messages fail at once, unsent, after three failed connects in a row or one
   * refused login, before one connection is tried again. Default 30 000, at most
   * MAX_CONNECT_COOLDOWN_MS; 0 tries again with the next message (mind account lock-outs).
   */
  readonly connectCooldownMs?: number
  /**
   * Messages handed to one connection at once (pipelined where the server allows). Default 1.
   * Above 1, messages queued behind one whose connection broke use up a retry too.
   */
  readonly pipelineDepth?: number
}

export const POOL_DEFAULTS: { readonly connections: 4; readonly messagesPerConnection: 100; readonly queueLimit: 100; readonly idleNoopAfterMs: 10_000; readonly pipelineDepth: 1 } = {
  connections: 4,
  messagesPerConnection: 100,
  queueLimit: 100,
  idleNoopAfterMs: 10_000,
  pipelineDepth: 1,
}
/** Upper bound on `pipelineDepth`. */
export const MAX_PIPELINE_DEPTH = 1000

// ---- the rate limiter (pure)

/** The start times of the last `messages` transactions, oldest first. */
export interface RateWindow {
  readonly messages: number
  readonly perMs: number
  readonly starts: ReadonlyArray<number>
}

export const rateWindow = (messages: number, perMs: number): RateWindow => ({ messages, perMs, starts: [] })

/** The earliest time at or after `now` a transaction may start. */
export const nextSlot =
  (now: number): ((w: RateWindow) => number) =>
  (w: RateWindow): number =>
    w.starts.length < w.messages ? now : Math.max(now, w.starts[w.starts.length - w.messages]! + w.perMs)

/** Record a start at `at` (keeping only what `nextSlot` needs). */
export const recordStart =
  (at: number): ((w: RateWindow) => RateWindow) =>
  (w: RateWindow): RateWindow => ({ ...w, starts: [...w.starts.slice(Math.max(0, w.starts.length - w.messages + 1)), at] })

// ---- the pool

/** What the pool needs from a client (SmtpClient satisfies it). */
export interface PoolClient<R> {
  send(message: unknown): Promise<R>
  noop(): Promise<unknown>
  quit(): Promise<void>
  abort(reason?: string): void
  failure(): SmtpError | null
}

/** How the pool reads an error thrown by connect or send. */
export type ErrorKind =
  /** The caller's mistake: reported, never retried. */
  | 'usage'
  /** Not delivered, definitely. */
  | 'failed'
  /** The final reply never came. */
  | 'unknown'

export interface PoolDeps<R, C extends PoolClient<R>> {
  readonly connect: () => Promise<C>
  readonly clock: Clock
  readonly kindOf: (e: unknown) => ErrorKind | null
  readonly transient: (e: unknown) => boolean
}

/** One message's fate. */
export type PoolOutcome<R> =
  | { readonly _tag: 'Sent'; readonly result: R; readonly attempts: number }
  | { readonly _tag: 'Failed'; readonly error: unknown; readonly transient: boolean; readonly attempts: number }
  /** The final reply never came: a blind retry may duplicate it. */
  | { readonly _tag: 'Unknown'; readonly error: unknown; readonly attempts: number }

export interface PoolStats {
  readonly queued: number
  readonly inFlight: number
  readonly sent: number
  readonly failed: number
  readonly unknown: number
  readonly connectionsOpened: number
}

export interface Pool<M, R> {
  /** Queue a message, waiting while the queue is full; the ticket's `outcome` never rejects. */
  enqueue(message: M): Promise<{ readonly outcome: Promise<PoolOutcome<R>> }>
  /** Queue a message and wait for its outcome. */
  send(message: M): Promise<PoolOutcome<R>>
  /**
   * Stop taking messages. With `drain` (default) everything queued is sent first; without, what
   * is still queued is reported Failed (not sent, transient). Connections are closed with QUIT.
   */
  close(options?: { readonly drain?: boolean }): Promise<PoolStats>
  stats(): PoolStats
}

interface Job<M, R> {
  readonly message: M
  readonly settle: (o: PoolOutcome<R>) => void
  /** Tries so far, this one included. */
  attempts: number
}

/** A closed pool refuses new messages with this error. */
export class PoolClosed extends Error {
  override readonly name = 'PoolClosed'
}

const clampInt = (n: number | undefined, fallback: number, max: number): number =>
  n === undefined || !Number.isFinite(n) ? fallback : Math.max(1, Math.min(max, Math.floor(n)))

export const makePool = <M, R, C extends PoolClient<R>>(deps: PoolDeps<R, C>, options: PoolOptions = {}): Pool<M, R> => {
  const size = clampInt(options.connections, POOL_DEFAULTS.connections, MAX_POOL_CONNECTIONS)
  const perConnection = clampInt(options.messagesPerConnection, POOL_DEFAULTS.messagesPerConnection, Number.MAX_SAFE_INTEGER)
  const queueLimit = clampInt(options.queueLimit, POOL_DEFAULTS.queueLimit, MAX_POOL_QUEUE)
  const idleNoop = options.idleNoopAfterMs ?? POOL_DEFAULTS.idleNoopAfterMs
  const cooldown =
    options.connectCooldownMs === undefined || !Number.isFinite(options.connectCooldownMs)
      ? CONNECT_COOLDOWN_MS
      : Math.max(0, Math.min(MAX_CONNECT_COOLDOWN_MS, options.connectCooldownMs))
  const depth = clampInt(options.pipelineDepth, POOL_DEFAULTS.pipelineDepth, MAX_PIPELINE_DEPTH)
  const clock = deps.clock
  let window = options.rate !== undefined ? rateWindow(clampInt(options.rate.messages, 1, MAX_RATE_WINDOW), Math.max(0, options.rate.perMs)) : null

  // The queue: a ring-free array with a head index (O(1) take), compacted as it drains.
  let queue: Array<Job<M, R> | undefined> = []
  let head = 0
  const queued = (): number => queue.length - head
  let closing = false
  let drain = true
  const roomWaiters: Array<() => void> = []
  const jobWaiters: Array<() => void> = []
  let inFlight = 0
  let sent = 0
  let failed = 0
  let unknown = 0
  let opened = 0
  /** Connection attempts that failed in a row, and while (and how) messages fail without one. */
  let connectFailures = 0
  let failFast: { readonly until: number; readonly error: unknown; readonly transient: boolean } | null = null

  const wake = (ws: Array<() => void>): void => {
    const w = ws.shift()
    if (w !== undefined) w()
  }

  /** The next job if one is queued, without waiting. */
  const takeNow = (): Job<M, R> | null => {
    if (queued() === 0) return null
    const job = queue[head]!
    queue[head++] = undefined
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head)
      head = 0
    }
    wake(roomWaiters)
    return job
  }

  /** The next job, waiting for one; null once the pool is closing and the queue is empty. */
  const take = async (): Promise<Job<M, R> | null> => {
    for (;;) {
      const job = takeNow()
      if (job !== null) return job
      if (closing) return null
      await new Promise<void>((resolve) => jobWaiters.push(resolve))
    }
  }

  const sleepUntil = (at: number): Promise<void> =>
    at <= clock.now() ? Promise.resolve() : new Promise<void>((resolve) => void clock.setTimer(at, resolve))

  // One slot at a time, so concurrent workers see each other's starts.
  let slotChain: Promise<void> = Promise.resolve()
  const rateSlot = (): Promise<void> => {
    if (window === null) return Promise.resolve()
    const mine = slotChain.then(async () => {
      const at = nextSlot(clock.now())(window!)
      await sleepUntil(at)
      window = recordStart(Math.max(at, clock.now()))(window!)
    })
    slotChain = mine
    return mine
  }

  const settle = (job: Job<M, R>, o: PoolOutcome<R>): void => {
    if (o._tag === 'Sent') sent++
    else if (o._tag === 'Failed') failed++
    else unknown++
    job.settle(o)
  }

  /** Put a job back at the head of the queue (a retry goes before newer messages). */
  const requeue = (job: Job<M, R>): void => {
    if (head > 0) queue[--head] = job
    else queue.unshift(job)
    wake(jobWaiters)
  }

  const worker = async (): Promise<void> => {
    let client: C | null = null
    let used = 0
    let lastUse = 0
    // Messages of this worker in flight, and who waits for one of them to finish. (A
    // Promise.race over all of them per message added a reaction to every pending send each
    // time: quadratic with a deep pipeline.)
    let pending = 0
    let slotFreed: (() => void) | null = null
    const oneFinished = (): Promise<void> => new Promise((resolve) => (slotFreed = resolve))
    const allFinished = async (): Promise<void> => {
      while (pending > 0) await oneFinished()
    }
    const retire = async (): Promise<void> => {
      const c = client
      client = null
      if (c === null) return
      if (c.failure() === null) await c.quit().catch(() => c.abort())
      else c.abort()
    }
    /** One message's error: settle it, or give it another go on a new connection. */
    const failed = (job: Job<M, R>, e: unknown, broken: boolean): void => {
      lastUse = clock.now()
      const kind = deps.kindOf(e)
      if (kind === null) return settle(job, { _tag: 'Failed', error: e, transient: false, attempts: job.attempts })
      if (kind === 'unknown') return settle(job, { _tag: 'Unknown', error: e, attempts: job.attempts })
      // A definite "not delivered" because the connection broke (421, lost, refused): safe to
      // try again on a new connection, a bounded number of times.
      if (kind === 'failed' && broken && deps.transient(e) && job.attempts <= POOL_RETRIES && !(closing && !drain)) {
        job.attempts++
        return requeue(job)
      }
      settle(job, { _tag: 'Failed', error: e, transient: kind === 'failed' && deps.transient(e), attempts: job.attempts })
    }
    for (;;) {
      if (client !== null && (used >= perConnection || client.failure() !== null)) {
        // Let what is in flight on this connection finish before leaving it.
        await allFinished()
        await retire()
      }
      let job = pending < depth ? takeNow() : null
      if (job === null) {
        if (pending > 0) {
          await oneFinished()
          continue
        }
        job = await take()
        if (job === null) break
      }
      if (window !== null) await rateSlot()
      if (client !== null && pending === 0 && clock.now() - lastUse >= idleNoop) {
        // RFC 5321 §4.1.1.9: NOOP to learn whether an idle connection still works.
        const c: C = client
        const alive = await c.noop().then(
          () => true,
          () => false,
        )
        if (!alive) await retire()
      }
      if (client === null) {
        if (failFast !== null && clock.now() < failFast.until) {
          // The server is down, turning us away, or refused our login for good: report the rest
          // unsent rather than try (and log in) again for each one; accounts lock after
          // repeated failures. After the cool-down one attempt is made again.
          settle(job, { _tag: 'Failed', error: failFast.error, transient: failFast.transient, attempts: job.attempts })
          continue
        }
        try {
          client = await deps.connect()
          opened++
          used = 0
          connectFailures = 0
          failFast = null
        } catch (e) {
          connectFailures++
          const permanent = deps.kindOf(e) !== 'failed' || !deps.transient(e)
          if (permanent || connectFailures >= MAX_CONSECUTIVE_CONNECT_FAILURES) failFast = { until: clock.now() + cooldown, error: e, transient: !permanent }
          failed(job, e, true)
          continue
        }
      }
      used++
      const c: C = client
      const j: Job<M, R> = job
      // Up to `depth` messages are handed to the session at once: it pipelines their envelopes
      // behind each other's final dot where the server allows (RFC 2920).
      const p: Promise<void> = c.send(j.message).then(
        (result) => {
          lastUse = clock.now()
          settle(j, { _tag: 'Sent', result, attempts: j.attempts })
        },
        (e: unknown) => failed(j, e, c.failure() !== null),
      )
      pending++
      inFlight++
      const finished = (): void => {
        pending--
        inFlight--
        const wake = slotFreed
        slotFreed = null
        wake?.()
      }
      void p.then(finished, finished)
    }
    await allFinished()
    await retire()
  }

  const workers = Array.from({ length: size }, () => worker())
  const finished = Promise.all(workers)

  const stats = (): PoolStats => ({ queued: queued(), inFlight, sent, failed, unknown, connectionsOpened: opened })

  const enqueue: Pool<M, R>['enqueue'] = async (message) => {
    while (queued() >= queueLimit && !closing) await new Promise<void>((resolve) => roomWaiters.push(resolve))
    if (closing) throw new PoolClosed('the pool is closed; no new messages are taken')
    let settleOutcome!: (o: PoolOutcome<R>) => void
    const outcome = new Promise<PoolOutcome<R>>((resolve) => (settleOutcome = resolve))
    queue.push({ message, settle: settleOutcome, attempts: 1 })
    wake(jobWaiters)
    return { outcome }
  }

  return {
    enqueue,
    send: async (message) => (await enqueue(message)).outcome,
    close: async (o = {}) => {
      closing = true
      drain = o.drain ?? true
      if (!drain) {
        // Nothing queued has been sent: report each one, so none is lost silently.
        while (queued() > 0) {
          const job = queue[head]!
          queue[head++] = undefined
          settle(job, { _tag: 'Failed', error: new PoolClosed('the pool was closed before this message was sent'), transient: true, attempts: job.attempts - 1 })
        }
      }
      while (roomWaiters.length > 0) wake(roomWaiters)
      while (jobWaiters.length > 0) wake(jobWaiters)
      await finished
      return stats()
    },
    stats,
  }
}
