/**
 * The user-facing client, shared by every adapter: plain async functions that resolve to typed
 * results and reject with typed errors (`SmtpFailure`, `DeliveryError`), and fp-ts TaskEither
 * twins. An adapter supplies only a `Platform`: how to dial a connection and a clock.
 */
import * as E from 'fp-ts/lib/Either.js'
import { absurd } from 'fp-ts/lib/function.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { bodyChunks, knownFacts, type BodyInput } from './Body.ts'
import { EMPTY, utf8 } from './Bytes.ts'
import type { Capabilities } from './Capabilities.ts'
import type { Config, TlsPolicy } from './Config.ts'
import type { DsnRequest, Envelope } from './Envelope.ts'
import type { SessionOptions, Session, TransactionOutcome } from './Driver.ts'
import { openSession } from './Driver.ts'
import { DEFAULT_CLIENT_NAME, decodeConfig, decodeEnvelope } from './Options.ts'
import type { RecipientOutcome } from './Output.ts'
import * as R from './Reply.ts'
import type { SmtpError, UsageError } from './SmtpError.ts'
import { describe, isTransient } from './SmtpError.ts'
import type { Timeouts } from './Timeouts.ts'
import type { TranscriptLine } from './Transcript.ts'
import type { Clock, Resolver, TlsInfo, Transport } from './Transport.ts'
import * as Direct from './Direct.ts'
import * as Pool from './Pool.ts'
import type { SubmissionServer } from './Routing.ts'

// ---- platform

/** The part of an AbortSignal used here (structural: the core has no DOM types). */
export interface AbortSignalLike {
  readonly aborted: boolean
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void
  removeEventListener(type: 'abort', listener: () => void): void
}

/** Where to connect. */
export interface DialTarget {
  readonly host: string
  readonly port: number
  /** Implicit TLS (RFC 8314 §3): the handshake happens before the first SMTP byte. */
  readonly implicitTls: boolean
  /** Connect to this IP address instead of resolving `host` (TLS still verifies `host`). */
  readonly address?: string
  readonly signal?: AbortSignalLike
}

/** What an adapter provides. `S` is its TLS settings type (CA certificates and the like). */
export interface Platform<S> {
  /** Connect (and for implicit TLS, handshake, verifying `host`). Rejects with an Error. */
  readonly dial: (target: DialTarget, settings: S) => Promise<Transport>
  /** Tell a TLS handshake failure apart from a connect failure, from the dial error. */
  readonly isTlsError: (e: unknown) => boolean
  readonly clock: Clock
  /** The default EHLO name (e.g. this host's name), or null for `[127.0.0.1]`. */
  readonly defaultClientName: () => string | null
  /** Cryptographically random octets (SASL nonces); the core draws none itself. */
  readonly random: (octets: number) => Uint8Array
  /** DNS for direct delivery and submission discovery; without it those two are unavailable. */
  readonly resolver?: Resolver
}

// ---- options

/** How to reach and talk to a server. `S` carries the adapter's TLS settings. */
export type ConnectOptions<S = {}> = S & {
  readonly host: string
  /** Connect to this IP address rather than resolving `host`; certificates are still checked for `host`. */
  readonly address?: string
  /** Default: 465 with implicit TLS, 587 with AUTH, else 25. */
  readonly port?: number
  /** Default: `required` when `auth` is given, else `opportunistic`. */
  readonly tls?: TlsPolicy
  readonly auth?: {
    readonly user: string
    /** The password, or for XOAUTH2/OAUTHBEARER the access token (see also `token`). */
    readonly pass?: string
    /**
     * Where bearer tokens come from (XOAUTH2 by default, or OAUTHBEARER if named). Called with
     * `refresh: true` once more after the server refused a token, then the login is retried once.
     */
    readonly token?: (request: { readonly refresh: boolean }) => Promise<string>
    readonly authzid?: string
    /** SASL mechanisms to use, in order; default: the strongest both sides support. */
    readonly mechanisms?: ReadonlyArray<string>
    /** Allow AUTH over an unencrypted connection. Off by default. */
    readonly allowPlaintext?: boolean
  }
  /** EHLO name; default from the adapter (this host's name when it is a domain). */
  readonly clientName?: string
  readonly pipelining?: boolean
  /** `lmtp` speaks RFC 2033 (LHLO, one reply per recipient). */
  readonly protocol?: 'smtp' | 'lmtp'
  /** Use BDAT (RFC 3030) when offered (`prefer`, the default) or `never`. */
  readonly chunking?: 'prefer' | 'never'
  /** RFC 5321 §4.5.3.2 timeouts in ms, per phase. */
  readonly timeouts?: Partial<Timeouts>
  /** TCP connect (and implicit TLS handshake) timeout in ms; default 30 s. */
  readonly connectTimeout?: number
  /** Keep a redacted transcript (never shows credentials). */
  readonly transcript?: boolean
  readonly onTranscript?: (line: TranscriptLine) => void
  /** Abort: before the final dot the message fails cleanly; after it, delivery is unknown. */
  readonly signal?: AbortSignalLike
}

/** One message. */
export interface Message {
  readonly from: string
  readonly to: string | ReadonlyArray<string>
  readonly body: BodyInput
  /** Size in octets if known (computed for string and byte bodies). */
  readonly size?: number
  /** The body has 8-bit octets (detected for string and byte bodies). */
  readonly eightBit?: boolean
  /** Headers carry UTF-8 (RFC 6532). */
  readonly smtpUtf8?: boolean
  /** Binary content (BODY=BINARYMIME with BDAT, RFC 3030). */
  readonly binary?: boolean
  /** Delivery status notifications (RFC 3461). */
  readonly dsn?: DsnRequest
  /** REQUIRETLS (RFC 8689). */
  readonly requireTls?: boolean
  readonly signal?: AbortSignalLike
}

// ---- results and errors

/** A message the server accepted for at least one recipient. */
export interface SendResult {
  readonly transaction: number
  readonly accepted: ReadonlyArray<{ readonly recipient: string; readonly code: number; readonly text: string }>
  readonly rejected: ReadonlyArray<{ readonly recipient: string; readonly error: SmtpError; readonly message: string }>
  readonly reply: { readonly code: number; readonly text: string; readonly enhanced: string | null }
}

/** The session could not be used: invalid input (`UsageError`) or a server/network failure. */
export class SmtpFailure extends Error {
  override readonly name = 'SmtpFailure'
  constructor(
    readonly error: SmtpError | UsageError,
    readonly transcript: ReadonlyArray<TranscriptLine> = [],
  ) {
    super(describe(error))
  }
  /** Whether a later retry may succeed. */
  get transient(): boolean {
    return this.error._tag !== 'UsageError' && isTransient(this.error)
  }
}

/**
 * A message was not delivered (`outcome: 'failed'`), or its fate is unknown because the reply
 * to the final dot never came (`outcome: 'unknown'`: a blind retry may duplicate it).
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError'
  constructor(
    readonly outcome: 'failed' | 'unknown',
    readonly error: SmtpError,
    readonly recipients: ReadonlyArray<RecipientOutcome>,
    readonly transcript: ReadonlyArray<TranscriptLine> = [],
  ) {
    super(`${outcome === 'unknown' ? 'delivery unknown' : 'delivery failed'}: ${describe(error)}`)
  }
  /** Whether a later retry may succeed (never for 'unknown'). */
  get transient(): boolean {
    return this.outcome === 'failed' && isTransient(this.error)
  }
}

// ---- the client

/** Decode a message's envelope (every field that reaches the wire), before anything is written. */
export const envelopeOf = (message: Message, body: BodyInput = typeof message.body === 'string' ? utf8(message.body) : message.body): E.Either<UsageError, Envelope> => {
  const facts = knownFacts(body)
  // Only the fields that are set, so the decoder sees exactly what the caller gave.
  const input: { -readonly [K in keyof Envelope]?: unknown } = { from: message.from, to: typeof message.to === 'string' ? [message.to] : message.to }
  const size = message.size ?? facts.size
  const eightBit = message.eightBit ?? facts.eightBit
  if (size !== undefined) input.size = size
  if (eightBit !== undefined) input.eightBit = eightBit
  if (message.smtpUtf8 !== undefined) input.smtpUtf8 = message.smtpUtf8
  if (message.binary !== undefined) input.binary = message.binary
  if (message.dsn !== undefined) input.dsn = message.dsn
  if (message.requireTls !== undefined) input.requireTls = message.requireTls
  return decodeEnvelope(input)
}

const enhancedOf = (r: R.Reply): string | null => {
  const e = R.enhancedStatus(r)
  return e._tag === 'Some' ? R.formatEnhanced(e.value) : null
}

/** An open SMTP session. */
export class SmtpClient {
  constructor(private readonly session: Session) {}

  /** What the server advertised (after STARTTLS, if used). */
  get capabilities(): Capabilities {
    return this.session.ready.capabilities
  }
  /** Whether the connection is encrypted. */
  get secure(): boolean {
    return this.session.ready.secure
  }
  /** The negotiated TLS version, cipher and server certificate, when the adapter can tell. */
  get tls(): TlsInfo | null {
    return this.session.tlsInfo()
  }
  /** The SASL mechanism used to log in, or null. */
  get authenticated(): string | null {
    return this.session.ready.authenticated
  }

  /** Send one message; resolves when the server accepted it for at least one recipient. */
  async send(message: Message): Promise<SendResult> {
    const body = typeof message.body === 'string' ? utf8(message.body) : message.body
    const envelope = envelopeOf(message, body)
    if (E.isLeft(envelope)) throw new SmtpFailure(envelope.left)
    const signal = message.signal
    if (signal === undefined) return this.outcome(await this.sendEnvelope(envelope.right, body))
    if (signal.aborted) throw new SmtpFailure({ _tag: 'Aborted', reason: 'aborted before sending' })
    const onAbort = (): void => this.session.abort('aborted by the caller')
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      return this.outcome(await this.sendEnvelope(envelope.right, body))
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  private async sendEnvelope(envelope: Envelope, body: BodyInput): Promise<TransactionOutcome> {
    try {
      return await this.session.send(envelope, bodyChunks(body))
    } catch (e) {
      const usage = (e as { error?: UsageError }).error
      throw usage !== undefined ? new SmtpFailure(usage) : e
    }
  }

  private outcome(outcome: TransactionOutcome): SendResult {
    switch (outcome._tag) {
      case 'Delivered': {
        const accepted: Array<SendResult['accepted'][number]> = []
        const rejected: Array<SendResult['rejected'][number]> = []
        for (const r of outcome.recipients) {
          if (r._tag === 'Accepted') accepted.push({ recipient: r.recipient, code: r.reply.code, text: R.text(r.reply) })
          else rejected.push({ recipient: r.recipient, error: r.error, message: describe(r.error) })
        }
        return { transaction: outcome.transaction, accepted, rejected, reply: { code: outcome.reply.code, text: R.text(outcome.reply), enhanced: enhancedOf(outcome.reply) } }
      }
      case 'DeliveryFailed':
        throw new DeliveryError('failed', outcome.error, outcome.recipients, this.session.transcript())
      case 'DeliveryUnknown':
        throw new DeliveryError('unknown', outcome.error, outcome.recipients, this.session.transcript())
      default:
        return absurd(outcome)
    }
  }

  /** NOOP: check the connection is alive. */
  async noop(): Promise<{ code: number; text: string }> {
    const r = await this.session.noop()
    if (r._tag === 'RequestFailed') throw new SmtpFailure(r.error)
    return { code: r.reply.code, text: R.text(r.reply) }
  }

  /** VRFY (RFC 5321 §4.1.1.6): 250/251 known, 252 cannot verify but will accept. */
  async verify(argument: string): Promise<{ code: number; text: string }> {
    const r = await this.session.verify(argument)
    if (r._tag === 'RequestFailed') throw new SmtpFailure(r.error)
    return { code: r.reply.code, text: R.text(r.reply) }
  }

  /** RSET. */
  async reset(): Promise<{ code: number; text: string }> {
    const r = await this.session.reset()
    if (r._tag === 'RequestFailed') throw new SmtpFailure(r.error)
    return { code: r.reply.code, text: R.text(r.reply) }
  }

  /** QUIT and close. */
  quit(): Promise<void> {
    return this.session.quit()
  }

  /** Close at once. */
  abort(reason = 'aborted by the caller'): void {
    this.session.abort(reason)
  }

  /** The redacted transcript (with `transcript: true`). */
  transcript(): ReadonlyArray<TranscriptLine> {
    return this.session.transcript()
  }

  /** The error that ended the session, or null while it is sound. */
  failure(): SmtpError | null {
    return this.session.failure()
  }

  /** Resolves once closed. */
  get closed(): Promise<void> {
    return this.session.closed
  }
}

// ---- connecting

const defaultPort = (tls: TlsPolicy, auth: boolean): number => (tls === 'implicit' ? 465 : auth ? 587 : 25)

/** Decode the options into the engine's config (a UsageError names every bad field). */
export const configFor = <S>(o: ConnectOptions<S>, defaultClientName: string | null, random?: Uint8Array): E.Either<UsageError, Config> =>
  decodeConfig(
    {
    serverName: o.host,
    clientName: o.clientName ?? defaultClientName ?? DEFAULT_CLIENT_NAME,
    ...(o.tls !== undefined ? { tls: o.tls } : {}),
    ...(o.pipelining !== undefined ? { pipelining: o.pipelining } : {}),
    ...(o.protocol !== undefined ? { protocol: o.protocol } : {}),
    ...(o.chunking !== undefined ? { chunking: o.chunking } : {}),
    ...(o.timeouts !== undefined ? { timeouts: o.timeouts } : {}),
    ...(o.auth !== undefined
      ? {
          auth: {
            credentials: { username: o.auth.user, password: o.auth.pass ?? '', ...(o.auth.authzid !== undefined ? { authzid: o.auth.authzid } : {}) },
            ...(o.auth.mechanisms !== undefined ? { mechanisms: o.auth.mechanisms } : o.auth.token !== undefined ? { mechanisms: ['XOAUTH2'] } : {}),
            ...(o.auth.allowPlaintext !== undefined ? { allowPlaintext: o.auth.allowPlaintext } : {}),
          },
        }
      : {}),
    },
    random !== undefined ? { random } : {},
  )

// A function, so the compiler does not assume the signal's state from an earlier check.
const aborted = (signal: AbortSignalLike | undefined): boolean => signal?.aborted === true

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Race a promise against the clock. */
const within = <A>(clock: Clock, ms: number, what: string, p: Promise<A>): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const cancel = clock.setTimer(clock.now() + ms, () => reject(new Error(`${what} timed out after ${ms} ms`)))
    p.then(
      (a) => {
        cancel()
        resolve(a)
      },
      (e: unknown) => {
        cancel()
        reject(e)
      },
    )
  })

/**
 * One message, then QUIT, on a connection opened for it. QUIT is queued at once behind the
 * message, so with PIPELINING it leaves in the same write as the final dot (RFC 2920 §3.1:
 * message content may start a group and QUIT may end one), a round trip less per connection;
 * without PIPELINING the engine still waits for the final reply first. A refused message leaves
 * the session sound, so the QUIT stands; any other failure closes the connection at once.
 */
const sendThenQuit = async (client: SmtpClient, message: Message): Promise<SendResult> => {
  const sending = client.send(message)
  const quitting = client.quit()
  // Handled here so a QUIT failing while the message is awaited is not an unhandled rejection.
  quitting.catch(() => undefined)
  try {
    const result = await sending
    await quitting
    return result
  } catch (e) {
    if (e instanceof DeliveryError && e.outcome === 'failed' && client.failure() === null) await quitting.catch(() => client.abort())
    else client.abort()
    throw e
  }
}

/** The API for one platform. */
export interface Api<S> {
  /** Connect, greet, STARTTLS and log in as the options say. Rejects with SmtpFailure. */
  readonly connect: (options: ConnectOptions<S>) => Promise<SmtpClient>
  /** One message, one connection: connect, send, quit. */
  readonly sendMail: (options: ConnectOptions<S> & Message) => Promise<SendResult & { readonly transcript: ReadonlyArray<TranscriptLine> }>
  readonly connectTE: (options: ConnectOptions<S>) => TE.TaskEither<SmtpFailure | DeliveryError, SmtpClient>
  readonly sendTE: (message: Message) => (client: SmtpClient) => TE.TaskEither<SmtpFailure | DeliveryError, SendResult>
  readonly quitTE: (client: SmtpClient) => TE.TaskEither<SmtpFailure | DeliveryError, void>
  readonly sendMailTE: (options: ConnectOptions<S> & Message) => TE.TaskEither<SmtpFailure | DeliveryError, SendResult>
  /**
   * Direct delivery (RFC 5321 §5.1): recipients grouped by domain, each domain's MX hosts (or its
   * own address) tried in turn. Resolves with every recipient's fate; rejects only with a
   * UsageError (as SmtpFailure) for bad input, before anything is sent.
   */
  readonly sendDirect: (options: DirectOptions<S>, message: DirectMessage) => Promise<Direct.DirectReport>
  /** Submission servers for an address or domain, in the order to try (RFC 6186, RFC 8314 §5.1). */
  readonly discoverSubmission: (addressOrDomain: string) => Promise<ReadonlyArray<SubmissionServer>>
  /** A pool of connections for bulk sending. */
  readonly createPool: (options: ConnectOptions<S> & Pool.PoolOptions) => Pool.Pool<Message, SendResult>
}

/** Options for direct delivery: no host (DNS picks it); port 25 and opportunistic TLS by default. */
export type DirectOptions<S = {}> = Omit<ConnectOptions<S>, 'host' | 'address' | 'auth'>

/** A message for direct delivery; a streamed body to several domains must be a function that reopens it. */
export type DirectMessage = Omit<Message, 'body' | 'to'> & { readonly to: string | ReadonlyArray<string>; readonly body: Direct.ReplayableBody }

/** A pool's message outcome. */
export type PoolOutcome = Pool.PoolOutcome<SendResult>

const te =
  <A>(run: () => Promise<A>): TE.TaskEither<SmtpFailure | DeliveryError, A> =>
  () =>
    run().then(
      (a) => E.right(a),
      (e: unknown) => {
        if (e instanceof SmtpFailure || e instanceof DeliveryError) return E.left(e)
        throw e
      },
    )

/** Build the API over a platform. */
export const makeApi = <S>(platform: Platform<S>): Api<S> => {
  const connect = async (options: ConnectOptions<S>): Promise<SmtpClient> => {
    const token = options.auth?.token
    if (token === undefined || options.auth === undefined) return connectOnce(options)
    const withToken = async (refresh: boolean): Promise<SmtpClient> =>
      connectOnce({ ...options, auth: { ...options.auth!, pass: await token({ refresh }) } })
    try {
      return await withToken(false)
    } catch (e) {
      // One refresh after a refused token (RFC 6750 §3.1: invalid_token), never more.
      if (e instanceof SmtpFailure && e.error._tag === 'Rejected' && e.error.code >= 500 && e.error.command.startsWith('AUTH')) return withToken(true)
      throw e
    }
  }

  const connectOnce = async (options: ConnectOptions<S>): Promise<SmtpClient> => {
    // Nonces are only for SASL: no random octets are drawn for a session that will not log in.
    const config = configFor(options, options.clientName !== undefined ? null : platform.defaultClientName(), options.auth !== undefined ? platform.random(32) : undefined)
    if (E.isLeft(config)) throw new SmtpFailure(config.left)
    const signal = options.signal
    if (aborted(signal)) throw new SmtpFailure({ _tag: 'Aborted', reason: 'aborted before connecting' })
    const implicitTls = config.right.tls === 'implicit'
    let transport: Transport
    try {
      const target: DialTarget = {
        host: options.host,
        port: options.port ?? defaultPort(config.right.tls, options.auth !== undefined),
        implicitTls,
        ...(options.address !== undefined ? { address: options.address } : {}),
        ...(signal !== undefined ? { signal } : {}),
      }
      transport = await within(platform.clock, options.connectTimeout ?? 30_000, `connecting to ${options.host}`, platform.dial(target, options))
    } catch (e) {
      const reason = reasonOf(e)
      throw new SmtpFailure(
        aborted(signal)
          ? { _tag: 'Aborted', reason }
          : implicitTls && platform.isTlsError(e)
            ? { _tag: 'TlsFailed', reason }
            : { _tag: 'ConnectFailed', reason },
      )
    }
    const sessionOptions: SessionOptions = {
      ...(options.transcript !== undefined ? { transcript: options.transcript } : {}),
      ...(options.onTranscript !== undefined ? { onTranscript: options.onTranscript } : {}),
    }
    const onAbort = (): void => void transport.close()
    signal?.addEventListener('abort', onAbort, { once: true })
    const opened = await openSession(transport, platform.clock, config.right, sessionOptions)
    signal?.removeEventListener('abort', onAbort)
    if (E.isLeft(opened)) {
      await transport.close()
      throw new SmtpFailure(opened.left.error, opened.left.transcript)
    }
    return new SmtpClient(opened.right)
  }

  const sendMail: Api<S>['sendMail'] = async (options) => {
    // Refuse a bad envelope (addresses, DSN values) before opening a connection. Only the
    // envelope fields: a streamed body is not touched here.
    const envelope = envelopeOf(options, EMPTY)
    if (E.isLeft(envelope)) throw new SmtpFailure(envelope.left)
    const client = await connect(options)
    const r = await sendThenQuit(client, options)
    // A literal, not a spread: V8 copies by spread through a slow path (see ARCHITECTURE, Speed).
    return { transaction: r.transaction, accepted: r.accepted, rejected: r.rejected, reply: r.reply, transcript: client.transcript() }
  }

  const classify = (e: unknown): Direct.Classified =>
    e instanceof SmtpFailure
      ? e.error._tag === 'UsageError'
        ? { _tag: 'Usage', error: e }
        : { _tag: 'Smtp', error: e.error, outcome: 'not-started', recipients: [] }
      : e instanceof DeliveryError
        ? { _tag: 'Smtp', error: e.error, outcome: e.outcome, recipients: e.recipients }
        : { _tag: 'Foreign', error: e }

  const sendDirect: Api<S>['sendDirect'] = async (options, message) => {
    const to = typeof message.to === 'string' ? [message.to] : message.to
    // The whole envelope is checked before any lookup or connection.
    const envelope = envelopeOf({ ...message, to, body: new Uint8Array(0) })
    if (E.isLeft(envelope)) throw new SmtpFailure(envelope.left)
    const deps: Direct.DirectDeps<SmtpClient> = {
      resolver: platform.resolver,
      random: platform.random,
      connect: (host, address) => connect({ ...(options as ConnectOptions<S>), host, address, port: options.port ?? 25, tls: options.tls ?? 'opportunistic' }),
      deliver: async (client, recipients, body) => {
        const { transaction: _t, ...result } = await sendThenQuit(client, { ...message, to: recipients, body })
        return result
      },
      classify,
    }
    try {
      return await Direct.sendDirect(deps, to, message.body)
    } catch (e) {
      throw (e as { _tag?: string })._tag === 'UsageError' ? new SmtpFailure(e as UsageError) : e
    }
  }

  const discoverSubmission: Api<S>['discoverSubmission'] = async (addressOrDomain) => {
    const domain = addressOrDomain.slice(addressOrDomain.lastIndexOf('@') + 1)
    try {
      return await Direct.discoverSubmission(platform.resolver, domain, platform.random(32))
    } catch (e) {
      throw (e as { _tag?: string })._tag === 'UsageError' ? new SmtpFailure(e as UsageError) : e
    }
  }

  const createPool: Api<S>['createPool'] = (options) =>
    Pool.makePool<Message, SendResult, SmtpClient>(
      {
        connect: () => connect(options),
        clock: platform.clock,
        kindOf: (e) =>
          e instanceof DeliveryError ? e.outcome : e instanceof SmtpFailure ? (e.error._tag === 'UsageError' ? 'usage' : 'failed') : null,
        transient: (e) => (e instanceof DeliveryError || e instanceof SmtpFailure ? e.transient : false),
      },
      options,
    )

  return {
    sendDirect,
    discoverSubmission,
    createPool,
    connect,
    sendMail,
    connectTE: (options) => te(() => connect(options)),
    sendTE: (message) => (client) => te(() => client.send(message)),
    quitTE: (client) => te(() => client.quit()),
    sendMailTE: (options) => te(() => sendMail(options)),
  }
}
