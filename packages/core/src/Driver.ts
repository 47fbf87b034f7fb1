/**
 * The platform-free loop that runs the engine over a `Transport` and a `Clock`. It performs the
 * engine's outputs in order, reads only when the engine wants to, arms one timer for the
 * engine's deadline, feeds body chunks when asked, and turns events into promises. Adapters
 * add only sockets and timers.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { absurd } from 'fp-ts/lib/function.js'
import type { Stepped } from './Client.ts'
import { idle, initial, isClosed, nextTransactionId, pollTimeout, step, wantsRead } from './Client.ts'
import type { Config } from './Config.ts'
import type { Envelope } from './Envelope.ts'
import type { AppInput, Input } from './Input.ts'
import type { Delivered, DeliveryFailed, DeliveryUnknown, Event, Ready, Replied, RequestFailed } from './Output.ts'
import type { SmtpError, UsageError } from './SmtpError.ts'
import type { State } from './State.ts'
import type { Clock, Transport, TlsInfo } from './Transport.ts'
import type { TranscriptLine } from './Transcript.ts'
import * as Transcript from './Transcript.ts'
import { fromUtf8, utf8 } from './Bytes.ts'
import { MAX_BODY_SCRATCH_OCTETS } from './Limits.ts'

// ---- model

/** Where a message body comes from: any (async) iterable of byte chunks. */
export type BodySource = AsyncIterable<Uint8Array> | Iterable<Uint8Array>

/** How a transaction ended. */
export type TransactionOutcome = Delivered | DeliveryFailed | DeliveryUnknown

/** Options of a session. */
export interface SessionOptions {
  /** Keep a redacted transcript (see Transcript.ts). */
  readonly transcript?: boolean
  /** Called with every event, in order (for logging and progress). */
  readonly onEvent?: (event: Event) => void
  /** Called with every transcript line as it is recorded. */
  readonly onTranscript?: (line: TranscriptLine) => void
}

/** A ready SMTP session. */
export interface Session {
  /** What the server offered and how the session was secured. */
  readonly ready: Ready
  /** Send one message. Resolves with its outcome; rejects only with a UsageError. */
  send(envelope: Envelope, body: BodySource): Promise<TransactionOutcome>
  /** NOOP. */
  noop(): Promise<Replied | RequestFailed>
  /** RSET. */
  reset(): Promise<Replied | RequestFailed>
  /** VRFY. */
  verify(argument: string): Promise<Replied | RequestFailed>
  /** QUIT and close; resolves when closed. */
  quit(): Promise<void>
  /** Close at once; open transactions are reported (delivery unknown after the final dot). */
  abort(reason: string): void
  /** The transcript so far (empty unless asked for). */
  transcript(): ReadonlyArray<TranscriptLine>
  /** The error that ended the session, if it failed. */
  failure(): SmtpError | null
  /** What TLS was negotiated, if the transport can say (null on plain connections). */
  tlsInfo(): TlsInfo | null
  /** Resolves once the connection is closed. */
  readonly closed: Promise<void>
}

/** Why a session could not be opened: the server's (or network's) error. */
export interface OpenFailed {
  readonly _tag: 'OpenFailed'
  readonly error: SmtpError
  readonly transcript: ReadonlyArray<TranscriptLine>
}

// ---- the loop

/**
 * An app request waiting for the engine, as data (thousands may queue behind a busy connection,
 * so no closures per request). `input.now` is replaced when it is stepped. Once taken: a Send's
 * body is registered and `resolve` gets its outcome; NOOP/RSET/VRFY resolve with their reply;
 * QUIT resolves at once (the session then closes). A refused request rejects with a UsageError.
 */
interface Request {
  readonly input: Exclude<AppInput, { readonly _tag: 'BodyChunk' | 'BodyEnd' | 'Abort' }>
  readonly body: BodySource | null
  readonly resolve: (value: never) => void
  readonly reject: (e: unknown) => void
}

const BODY_LINE = /^<message content: (\d+) octets>$/

/** How the driver reads a body: an iterator, or a whole body's chunks with a cursor. */
type BodyReader = AsyncIterator<Uint8Array> | Iterator<Uint8Array> | { readonly chunks: ReadonlyArray<Uint8Array>; cursor: number }

/** Most bytes of one unfinished server line the transcript keeps. */
const MAX_TRANSCRIPT_PARTIAL = 4096

/** A queued request as the engine's input at `now` (built as a literal: V8 spreads slowly). */
const stamped = (input: Request['input'], now: number): Input => {
  switch (input._tag) {
    case 'Send':
      return { _tag: 'Send', envelope: input.envelope, now }
    case 'Verify':
      return { _tag: 'Verify', argument: input.argument, now }
    case 'Reset':
    case 'Noop':
    case 'Quit':
      return { _tag: input._tag, now }
    default:
      return absurd(input)
  }
}

class Loop {
  state: State
  private transport: Transport
  private reading = false
  private io: Promise<void> = Promise.resolve()
  /** Transport operations started and not yet settled. */
  private ioBusy = 0
  private timer: { at: number; cancel: () => void } | null = null
  /** The engine's current deadline (the timer may be set earlier). */
  private deadline: number | null = null
  /** Inputs waiting to be stepped (see `drain`); `inboxHead` is the next one. */
  private inbox: Input[] = []
  private inboxHead = 0
  private draining = false
  /** Transmits of the current drain, not yet handed to the transport. */
  private writes: Uint8Array[] = []
  private requests: Request[] = []
  /** Index of the oldest waiting request in `requests` (a queue without O(n) shifts). */
  private requestsHead = 0
  private readonly recording: boolean
  /** The shortest configured timeout: the timer is never set further ahead than this. */
  private readonly shortestTimeout: number
  private readonly bodies = new Map<number, BodyReader>()
  private readonly outcomes = new Map<number, (o: TransactionOutcome) => void>()
  private readonly replyWaiters: Array<(e: Replied | RequestFailed) => void> = []
  private readonly lines: TranscriptLine[] = []
  private serverPartial = ''
  private bodyOctets = 0
  /** Reused room for a body's stuffed chunks (`BodyChunk.into`), if the transport allows. */
  private bodyScratch: Uint8Array | null = null
  readyWaiter: ((e: E.Either<SmtpError, Ready>) => void) | null = null
  private closedResolve: () => void = () => {}
  readonly closed: Promise<void>

  constructor(
    transport: Transport,
    private readonly clock: Clock,
    config: Config,
    private readonly options: SessionOptions,
  ) {
    this.transport = transport
    this.state = initial(config, clock.now())
    this.closed = new Promise((resolve) => (this.closedResolve = resolve))
    this.recording = options.transcript === true || options.onTranscript !== undefined
    this.shortestTimeout = Math.min(...Object.values(config.timeouts))
  }

  start(): void {
    this.drain()
  }

  private record(l: TranscriptLine): void {
    const body = BODY_LINE.exec(l.text)
    if (body !== null && l.direction === 'C') {
      // One summary line per body, however many chunks it came in: written when the body ends.
      this.bodyOctets += Number(body[1])
      return
    }
    if (this.bodyOctets > 0) {
      this.keep({ direction: 'C', text: `<message content: ${this.bodyOctets} octets>` })
      this.bodyOctets = 0
    }
    this.keep(l)
  }

  private keep(l: TranscriptLine): void {
    if (this.options.transcript === true) this.lines.push(l)
    this.options.onTranscript?.(l)
  }

  private recordReceived(bytes: Uint8Array): void {
    if (!this.recording) return
    const text = this.serverPartial + fromUtf8(bytes)
    const cut = text.lastIndexOf('\n')
    const done = cut < 0 ? '' : text.slice(0, cut + 1)
    this.serverPartial = (cut < 0 ? text : text.slice(cut + 1)).slice(0, MAX_TRANSCRIPT_PARTIAL)
    if (done !== '') for (const l of Transcript.fromReceived(utf8(done))) this.record(l)
  }

  /** Step one input and perform its outputs (after the inputs already waiting). */
  feed(input: Input): void {
    this.inbox.push(input)
    this.drain()
  }

  /**
   * Step every waiting input in order, then the app requests the engine can take, then write
   * what they produced and re-arm the timer and the read. Inputs raised while this runs (a body
   * chunk asked for by an output) wait in the inbox, so outputs are always performed in order and
   * no step runs inside another. One drain per wake-up, not one per input.
   */
  private drain(): void {
    if (this.draining) return
    this.draining = true
    try {
      for (;;) {
        while (this.inboxHead < this.inbox.length) {
          const input = this.inbox[this.inboxHead]!
          this.inbox[this.inboxHead++] = undefined as unknown as Input
          const r = step(input)(this.state)
          if (E.isRight(r)) this.commit(r.right)
          else if ((input._tag === 'BodyChunk' || input._tag === 'BodyEnd') && !isClosed(this.state)) {
            this.inbox.push({ _tag: 'Abort', reason: r.left.message, now: input.now })
          }
        }
        this.inbox.length = 0
        this.inboxHead = 0
        this.pumpRequests()
        if (this.inbox.length === 0) break
      }
      this.flushWrites()
      this.armTimer()
      this.pumpRead()
    } finally {
      this.draining = false
    }
  }

  /** Adopt a step's state and perform its outputs in order. */
  private commit(r: Stepped): void {
    this.state = r.state
    for (const o of r.outputs) {
      if (this.recording) for (const l of Transcript.fromOutput(o)) this.record(l)
      switch (o._tag) {
        case 'Transmit':
          // Gathered and written once the drain is over: a body's end and the next pipelined
          // envelope leave together.
          this.writes.push(o.bytes)
          break
        case 'UpgradeTls': {
          this.flushWrites()
          const name = o.servername
          this.perform(async () => {
            try {
              this.transport = await this.transport.upgradeTls(name)
              this.feed({ _tag: 'TlsEstablished', now: this.clock.now() })
            } catch (e) {
              this.feed({ _tag: 'TlsHandshakeFailed', reason: e instanceof Error ? e.message : String(e), now: this.clock.now() })
            }
          })
          break
        }
        case 'Close':
          this.flushWrites()
          this.perform(async () => {
            await this.transport.close()
          })
          break
        case 'Event':
          this.onEvent(o.event)
          break
        default:
          absurd(o)
      }
    }
  }

  /** Write the gathered Transmits in order; each completed one is a WriteCompleted. */
  private flushWrites(): void {
    if (this.writes.length === 0) return
    const batch = this.writes
    this.writes = []
    this.perform(() => this.writeBatch(batch))
  }

  /** One transport write of a batch (no async frame: this runs once per message). */
  private writeBatch(batch: ReadonlyArray<Uint8Array>): Promise<void> {
    const t = this.transport
    let written: Promise<void>
    try {
      written =
        batch.length === 1 ? t.write(batch[0]!) : t.writev !== undefined ? t.writev(batch) : batch.reduce<Promise<void>>((p, bytes) => p.then(() => t.write(bytes)), Promise.resolve())
    } catch (e) {
      // A transport that throws instead of rejecting is a broken connection all the same.
      written = Promise.reject(e)
    }
    return written.then(
      () => {
        const now = this.clock.now()
        for (let i = 0; i < batch.length; i++) this.inbox.push({ _tag: 'WriteCompleted', now })
        this.drain()
      },
      () => this.feed({ _tag: 'PeerClosed', now: this.clock.now() }),
    )
  }

  tlsInfo(): TlsInfo | null {
    return this.transport.tlsInfo?.() ?? null
  }

  /** Run transport work strictly in output order. */
  private perform(work: () => Promise<void>): void {
    // With nothing in progress the work starts now, inside the drain: a pipelined message's
    // bytes reach the socket before the promises of the replies just read are settled, so the
    // server works on them while we do.
    const started = this.ioBusy++ === 0 ? work() : this.io.then(work, work)
    this.io = started.then(this.ioDone, this.ioDone)
  }

  private readonly ioDone = (): void => {
    this.ioBusy--
  }

  /**
   * Keep one platform timer at or before the engine's deadline. A timer that fires early is
   * re-armed, so it is set no further ahead than the shortest timeout: every later deadline is at
   * least that far from its step, so the timer stays put while replies keep moving the deadline
   * (cancelling and re-setting a platform timer per reply costs more than the rest of the step).
   */
  private armTimer(): void {
    const deadline = pollTimeout(this.state)
    this.deadline = O.isSome(deadline) ? deadline.value : null
    // Nothing to wait for: a timer already set may stay (it finds no deadline and stops); the
    // open connection keeps the process alive anyway, and Closed cancels it.
    if (this.deadline === null) return
    if (this.timer !== null && this.timer.at <= this.deadline) return
    this.timer?.cancel()
    const at = Math.min(this.deadline, this.clock.now() + this.shortestTimeout)
    const cancel = this.clock.setTimer(at, () => {
      this.timer = null
      // Fired early for a deadline that has since moved later (or gone): wait for the new one.
      if (this.deadline === null) return
      if (this.clock.now() < this.deadline) this.armTimer()
      else this.feed({ _tag: 'Tick', now: this.clock.now() })
    })
    this.timer = { at, cancel }
  }

  private pumpRead(): void {
    if (this.reading || !wantsRead(this.state)) return
    this.reading = true
    this.transport.read().then(
      (bytes) => {
        this.reading = false
        if (bytes === null) {
          this.feed({ _tag: 'PeerClosed', now: this.clock.now() })
        } else {
          this.recordReceived(bytes)
          this.feed({ _tag: 'Received', bytes, now: this.clock.now() })
        }
      },
      () => {
        this.reading = false
        this.feed({ _tag: 'PeerClosed', now: this.clock.now() })
      },
    )
  }

  /** App requests wait until the engine can take them (it says WrongState until then). */
  private pumpRequests(): void {
    while (this.requestsHead < this.requests.length) {
      // Every request answers WrongState unless the engine is idle (or closed: then each fails).
      if (!idle(this.state) && !isClosed(this.state)) return
      const head = this.requests[this.requestsHead]!
      const r = step(stamped(head.input, this.clock.now()))(this.state)
      if (E.isLeft(r) && r.left.reason === 'WrongState' && !isClosed(this.state)) return
      this.requests[this.requestsHead++] = undefined as unknown as Request
      if (this.requestsHead > 1024 && this.requestsHead * 2 > this.requests.length) {
        this.requests = this.requests.slice(this.requestsHead)
        this.requestsHead = 0
      }
      if (E.isLeft(r)) {
        if (head.input._tag === 'Quit' && r.left.reason === 'SessionClosed') (head.resolve as () => void)()
        else head.reject(usageFailure(r.left))
        continue
      }
      // Registered before the outputs are performed: the Send's events may follow at once.
      switch (head.input._tag) {
        case 'Send':
          this.registerBody(nextTransactionId(this.state), head.body!, head.resolve as (o: TransactionOutcome) => void)
          break
        case 'Noop':
        case 'Reset':
        case 'Verify':
          this.replyWaiters.push(head.resolve as (e: Replied | RequestFailed) => void)
          break
        case 'Quit':
          (head.resolve as () => void)()
          break
        default:
          absurd(head.input)
      }
      this.commit(r.right)
    }
  }

  /** Queue an app request; it is stepped as soon as the engine can take it. */
  request<A>(input: Request['input'], body: BodySource | null = null): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      this.requests.push({ input, body, resolve: resolve as (value: never) => void, reject })
      this.drain()
    })
  }

  registerBody(id: number, body: BodySource, done: (o: TransactionOutcome) => void): void {
    // An array is a body known whole: its last chunk can carry the terminator.
    const it: BodyReader = Array.isArray(body) ? { chunks: body as ReadonlyArray<Uint8Array>, cursor: 0 } : Symbol.asyncIterator in body ? body[Symbol.asyncIterator]() : body[Symbol.iterator]()
    this.bodies.set(id, it)
    this.outcomes.set(id, done)
  }

  private pullBody(id: number): void {
    const it = this.bodies.get(id)
    if (it === undefined) return
    if ('chunks' in it) {
      // Stepped after the output that asked for it (see `drain`), never inside it.
      const now = this.clock.now()
      const i = it.cursor++
      this.inbox.push(i >= it.chunks.length ? { _tag: 'BodyEnd', now } : this.bodyChunk(it.chunks[i]!, i === it.chunks.length - 1, now))
      return
    }
    void this.pullStream(id, it)
  }

  /** The next chunk of a streamed body, stepped once it has been read. */
  private async pullStream(id: number, it: AsyncIterator<Uint8Array> | Iterator<Uint8Array>): Promise<void> {
    let next: IteratorResult<Uint8Array>
    try {
      next = await it.next()
    } catch (e) {
      // Never end a body we could not read with a final dot: that would deliver a truncated
      // message. Closing the connection makes the server discard it.
      this.feed({ _tag: 'Abort', reason: `the message body failed: ${e instanceof Error ? e.message : String(e)}`, now: this.clock.now() })
      return
    }
    const now = this.clock.now()
    // The transaction may have ended while we read (a refused BDAT chunk, an abort).
    if (!this.outcomes.has(id)) return
    // A chunk the engine refuses aborts the session (see `drain`).
    this.feed(next.done === true ? { _tag: 'BodyEnd', now } : this.bodyChunk(next.value, false, now))
  }

  /**
   * A BodyChunk input, with the reused room when the chunk may use it. A whole body's last chunk
   * does not: it is built with its terminator in an array of its own (`stuffLast`).
   */
  private bodyChunk(bytes: Uint8Array, last: boolean, now: number): Input {
    const into = last ? null : this.scratchFor(bytes)
    if (into !== null) return { _tag: 'BodyChunk', bytes, into, now }
    return last ? { _tag: 'BodyChunk', bytes, last, now } : { _tag: 'BodyChunk', bytes, now }
  }

  /**
   * Room for a chunk's stuffed bytes, reused chunk after chunk. Safe because the engine asks for
   * the next chunk only once every write has completed, and the transport says a completed write
   * no longer reads its bytes. A chunk that needs more room than this gets a new array.
   */
  private scratchFor(chunk: Uint8Array): Uint8Array | null {
    if (this.transport.releasesWrittenBytes !== true || chunk.length > MAX_BODY_SCRATCH_OCTETS) return null
    // An eighth more than the chunk: room for a dot and a CR on every line of 16 octets or more.
    const want = chunk.length + (chunk.length >> 3) + 8
    // Grown to a power of two, so chunks of slowly growing size do not reallocate it each time.
    if (this.bodyScratch === null || this.bodyScratch.length < want) this.bodyScratch = new Uint8Array(2 ** Math.ceil(Math.log2(want)))
    return this.bodyScratch
  }

  private onEvent(e: Event): void {
    this.options.onEvent?.(e)
    switch (e._tag) {
      case 'Ready':
        this.readyWaiter?.(E.right(e))
        this.readyWaiter = null
        break
      case 'BodyWanted':
        this.pullBody(e.transaction)
        break
      case 'Delivered':
      case 'DeliveryFailed':
      case 'DeliveryUnknown': {
        const done = this.outcomes.get(e.transaction)
        this.outcomes.delete(e.transaction)
        const it = this.bodies.get(e.transaction)
        this.bodies.delete(e.transaction)
        // Let an unfinished body source release what it holds.
        if (it !== undefined && !('chunks' in it) && e._tag !== 'Delivered') void Promise.resolve(it.return?.()).catch(() => {})
        done?.(e)
        break
      }
      case 'Replied':
      case 'RequestFailed':
        this.replyWaiters.shift()?.(e)
        break
      case 'Failed':
        this.readyWaiter?.(E.left(e.error))
        this.readyWaiter = null
        break
      case 'Closed':
        this.timer?.cancel()
        this.timer = null
        this.closedResolve()
        break
      case 'RecipientAccepted':
      case 'RecipientRejected':
        break
      default:
        absurd(e)
    }
  }

  transcript(): ReadonlyArray<TranscriptLine> {
    return [...this.lines]
  }
}

// ---- the API

const usageFailure = (e: UsageError): Error & { readonly error: UsageError } =>
  Object.assign(new Error(e.message), { name: 'UsageError', error: e })

/**
 * Run a session over a connected transport (for implicit TLS: one whose handshake is done).
 * Resolves once the session is ready (greeting, EHLO, STARTTLS and AUTH done), or with
 * OpenFailed when the server or the network failed it.
 */
export const openSession = (
  transport: Transport,
  clock: Clock,
  config: Config,
  options: SessionOptions = {},
): Promise<E.Either<OpenFailed, Session>> => {
  const loop = new Loop(transport, clock, config, options)
  return new Promise((resolve) => {
    loop.readyWaiter = (r) => {
      if (E.isLeft(r)) {
        resolve(E.left({ _tag: 'OpenFailed', error: r.left, transcript: loop.transcript() }))
        return
      }
      const session: Session = {
        ready: r.right,
        send: (envelope, body) => loop.request<TransactionOutcome>({ _tag: 'Send', envelope, now: 0 }, body),
        noop: () => loop.request<Replied | RequestFailed>({ _tag: 'Noop', now: 0 }),
        reset: () => loop.request<Replied | RequestFailed>({ _tag: 'Reset', now: 0 }),
        verify: (argument) => loop.request<Replied | RequestFailed>({ _tag: 'Verify', argument, now: 0 }),
        quit: async () => {
          if (isClosed(loop.state)) return
          await loop.request<void>({ _tag: 'Quit', now: 0 })
          await loop.closed
        },
        abort: (reason) => {
          if (!isClosed(loop.state)) loop.feed({ _tag: 'Abort', reason, now: clock.now() })
        },
        transcript: () => loop.transcript(),
        failure: () => loop.state.closedBy,
        tlsInfo: () => loop.tlsInfo(),
        closed: loop.closed,
      }
      resolve(E.right(session))
    }
    loop.start()
  })
}
