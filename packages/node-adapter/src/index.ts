/**
 * @smtpure/node: send mail from Node.js with the smtpure engine.
 *
 *   const client = await connect({ host: 'smtp.example.org', auth: { user, pass } })
 *   const result = await client.send({ from, to, body })
 *   await client.quit()
 *
 * Plain async functions resolve to typed results and reject with typed errors (SmtpFailure,
 * DeliveryError); the `...TE` twins return fp-ts TaskEithers instead.
 */
import * as E from 'fp-ts/lib/Either.js'
import { absurd } from 'fp-ts/lib/function.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import {
  Driver,
  Options,
  Reply,
  decodeConfig,
  decodeEnvelope,
  describe,
  isTransient,
  openSession,
  type Capabilities,
  type Config,
  type RecipientOutcome,
  type Session,
  type SmtpErrorType,
  type TlsPolicy,
  type Timeouts,
  type TranscriptLine,
  type UsageError,
} from '@smtpure/core'
import { bodyChunks, knownFacts, type BodyInput } from './Body.ts'
import { nodeClock } from './NodeClock.ts'
import { connectNode, type TlsSettings } from './NodeTransport.ts'
import { hostname } from 'node:os'

export type { BodyInput } from './Body.ts'
export type { TlsSettings } from './NodeTransport.ts'
export { NodeTransport, connectNode } from './NodeTransport.ts'
export { nodeClock } from './NodeClock.ts'

// ---- options

/** How to reach and talk to a server. */
export interface ConnectOptions extends TlsSettings {
  readonly host: string
  /** Default: 465 with implicit TLS, 587 with AUTH, else 25. */
  readonly port?: number
  /** Default: `required` when `auth` is given, else `opportunistic`. */
  readonly tls?: TlsPolicy
  readonly auth?: {
    readonly user: string
    readonly pass: string
    readonly authzid?: string
    /** SASL mechanisms to use, in order; default: the strongest both sides support. */
    readonly mechanisms?: ReadonlyArray<string>
    /** Allow AUTH over an unencrypted connection. Off by default. */
    readonly allowPlaintext?: boolean
  }
  /** EHLO name; default: this host's name when it is a valid domain, else `[127.0.0.1]`. */
  readonly clientName?: string
  readonly pipelining?: boolean
  /** RFC 5321 §4.5.3.2 timeouts in ms, per phase. */
  readonly timeouts?: Partial<Timeouts.Timeouts>
  /** TCP connect (and implicit TLS handshake) timeout in ms; default 30 s. */
  readonly connectTimeout?: number
  /** Keep a redacted transcript (never shows credentials). */
  readonly transcript?: boolean
  readonly onTranscript?: (line: TranscriptLine) => void
  /** Abort: before DATA ends the session cleanly; after the body, delivery is unknown. */
  readonly signal?: AbortSignal
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
  readonly signal?: AbortSignal
}

// ---- results and errors

/** A delivered message. */
export interface SendResult {
  readonly transaction: number
  readonly accepted: ReadonlyArray<{ readonly recipient: string; readonly code: number; readonly text: string }>
  readonly rejected: ReadonlyArray<{ readonly recipient: string; readonly error: SmtpErrorType; readonly message: string }>
  readonly reply: { readonly code: number; readonly text: string; readonly enhanced: string | null }
}

const errorText = (e: SmtpErrorType | UsageError): string => describe(e)

/** The session could not be used: invalid options (`UsageError`) or a server/network failure. */
export class SmtpFailure extends Error {
  override readonly name = 'SmtpFailure'
  constructor(
    readonly error: SmtpErrorType | UsageError,
    readonly transcript: ReadonlyArray<TranscriptLine> = [],
  ) {
    super(errorText(error))
  }
  /** Whether a later retry may succeed. */
  get transient(): boolean {
    return this.error._tag !== 'UsageError' && isTransient(this.error)
  }
}

/**
 * A message was not delivered (`outcome: 'failed'`), or its fate is unknown because the reply
 * to the final dot never came (`outcome: 'unknown'`: do not blindly retry, it may duplicate).
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError'
  constructor(
    readonly outcome: 'failed' | 'unknown',
    readonly error: SmtpErrorType,
    readonly recipients: ReadonlyArray<RecipientOutcome>,
    readonly transcript: ReadonlyArray<TranscriptLine> = [],
  ) {
    super(`${outcome === 'unknown' ? 'delivery unknown' : 'delivery failed'}: ${errorText(error)}`)
  }
  get transient(): boolean {
    return this.outcome === 'failed' && isTransient(this.error)
  }
}

// ---- connecting

const looksLikeDomain = (h: string): boolean => /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(h)

const defaultPort = (o: ConnectOptions): number => (o.tls === 'implicit' ? 465 : o.auth !== undefined ? 587 : 25)

/** Decode the options into the engine's config (a UsageError names every bad field). */
export const configFor = (o: ConnectOptions): E.Either<UsageError, Config> => {
  const local = hostname()
  return decodeConfig({
    serverName: o.host,
    clientName: o.clientName ?? (looksLikeDomain(local) ? local : Options.DEFAULT_CLIENT_NAME),
    ...(o.tls !== undefined ? { tls: o.tls } : {}),
    ...(o.pipelining !== undefined ? { pipelining: o.pipelining } : {}),
    ...(o.timeouts !== undefined ? { timeouts: o.timeouts } : {}),
    ...(o.auth !== undefined
      ? {
          auth: {
            credentials: { username: o.auth.user, password: o.auth.pass, ...(o.auth.authzid !== undefined ? { authzid: o.auth.authzid } : {}) },
            ...(o.auth.mechanisms !== undefined ? { mechanisms: o.auth.mechanisms } : {}),
            ...(o.auth.allowPlaintext !== undefined ? { allowPlaintext: o.auth.allowPlaintext } : {}),
          },
        }
      : {}),
  })
}

const connectReason = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** An open SMTP session. */
export class SmtpClient {
  constructor(private readonly session: Session) {}

  /** What the server advertised (after STARTTLS, if used). */
  get capabilities(): Capabilities.Capabilities {
    return this.session.ready.capabilities
  }
  /** Whether the connection is encrypted. */
  get secure(): boolean {
    return this.session.ready.secure
  }
  /** The SASL mechanism used to log in, or null. */
  get authenticated(): string | null {
    return this.session.ready.authenticated
  }

  /** Send one message; resolves when the server accepted it for at least one recipient. */
  async send(message: Message): Promise<SendResult> {
    const to = typeof message.to === 'string' ? [message.to] : message.to
    const body = typeof message.body === 'string' ? new TextEncoder().encode(message.body) : message.body
    const facts = knownFacts(body)
    const size = message.size ?? facts.size
    const eightBit = message.eightBit ?? facts.eightBit
    const envelope = decodeEnvelope({
      from: message.from,
      to,
      ...(size !== undefined ? { size } : {}),
      ...(eightBit !== undefined ? { eightBit } : {}),
      ...(message.smtpUtf8 !== undefined ? { smtpUtf8: message.smtpUtf8 } : {}),
    })
    if (E.isLeft(envelope)) throw new SmtpFailure(envelope.left)
    const signal = message.signal
    if (signal?.aborted === true) throw new SmtpFailure({ _tag: 'Aborted', reason: 'aborted before sending' })
    const onAbort = (): void => this.session.abort('aborted by the caller')
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const outcome = await this.session.send(envelope.right, bodyChunks(body))
      switch (outcome._tag) {
        case 'Delivered':
          return {
            transaction: outcome.transaction,
            accepted: outcome.recipients.flatMap((r) => (r._tag === 'Accepted' ? [{ recipient: r.recipient, code: r.reply.code, text: Reply.text(r.reply) }] : [])),
            rejected: outcome.recipients.flatMap((r) => (r._tag === 'Rejected' ? [{ recipient: r.recipient, error: r.error, message: describe(r.error) }] : [])),
            reply: { code: outcome.reply.code, text: Reply.text(outcome.reply), enhanced: enhancedOf(outcome.reply) },
          }
        case 'DeliveryFailed':
          throw new DeliveryError('failed', outcome.error, outcome.recipients, this.session.transcript())
        case 'DeliveryUnknown':
          throw new DeliveryError('unknown', outcome.error, outcome.recipients, this.session.transcript())
        default:
          return absurd(outcome)
      }
    } catch (e) {
      if (e instanceof DeliveryError) throw e
      const usage = (e as { error?: UsageError }).error
      if (usage !== undefined) throw new SmtpFailure(usage)
      throw e
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** NOOP: check the connection is alive. */
  async noop(): Promise<{ code: number; text: string }> {
    const r = await this.session.noop()
    if (r._tag === 'RequestFailed') throw new SmtpFailure(r.error)
    return { code: r.reply.code, text: Reply.text(r.reply) }
  }

  /** RSET. */
  async reset(): Promise<{ code: number; text: string }> {
    const r = await this.session.reset()
    if (r._tag === 'RequestFailed') throw new SmtpFailure(r.error)
    return { code: r.reply.code, text: Reply.text(r.reply) }
  }

  /** QUIT and close. */
  quit(): Promise<void> {
    return this.session.quit()
  }

  /** Close at once. */
  abort(reason = 'aborted by the caller'): void {
    this.session.abort(reason)
  }

  /** The redacted transcript (if `transcript: true`). */
  transcript(): ReadonlyArray<TranscriptLine> {
    return this.session.transcript()
  }

  /** Resolves once closed. */
  get closed(): Promise<void> {
    return this.session.closed
  }
}

const enhancedOf = (r: Reply.Reply): string | null => {
  const e = Reply.enhancedStatus(r)
  return e._tag === 'Some' ? Reply.formatEnhanced(e.value) : null
}

/** Connect, greet, STARTTLS and log in as the options say. Rejects with SmtpFailure. */
export const connect = async (options: ConnectOptions): Promise<SmtpClient> => {
  const config = configFor(options)
  if (E.isLeft(config)) throw new SmtpFailure(config.left)
  if (options.signal?.aborted === true) throw new SmtpFailure({ _tag: 'Aborted', reason: 'aborted before connecting' })
  let transport
  try {
    transport = await connectNode(
      {
        host: options.host,
        port: options.port ?? defaultPort(options),
        implicitTls: config.right.tls === 'implicit',
        connectTimeoutMs: options.connectTimeout ?? 30_000,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
      },
      options,
    )
  } catch (e) {
    const reason = connectReason(e)
    const tlsProblem = config.right.tls === 'implicit' && !/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|timed out|aborted/.test(reason)
    throw new SmtpFailure(tlsProblem ? { _tag: 'TlsFailed', reason } : reason === 'aborted' ? { _tag: 'Aborted', reason } : { _tag: 'ConnectFailed', reason })
  }
  const sessionOptions: Driver.SessionOptions = {
    ...(options.transcript !== undefined ? { transcript: options.transcript } : {}),
    ...(options.onTranscript !== undefined ? { onTranscript: options.onTranscript } : {}),
  }
  const opening = openSession(transport, nodeClock, config.right, sessionOptions)
  const onAbort = (): void => void transport.close()
  options.signal?.addEventListener('abort', onAbort, { once: true })
  const opened = await opening
  options.signal?.removeEventListener('abort', onAbort)
  if (E.isLeft(opened)) {
    await transport.close()
    throw new SmtpFailure(opened.left.error, opened.left.transcript)
  }
  return new SmtpClient(opened.right)
}

/** One message, one connection: connect, send, quit. */
export const sendMail = async (options: ConnectOptions & Message): Promise<SendResult & { transcript: ReadonlyArray<TranscriptLine> }> => {
  const client = await connect(options)
  try {
    const result = await client.send(options)
    await client.quit()
    return { ...result, transcript: client.transcript() }
  } catch (e) {
    client.abort()
    throw e
  }
}

// ---- fp-ts twins

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

/** `connect` as a TaskEither. */
export const connectTE = (options: ConnectOptions): TE.TaskEither<SmtpFailure | DeliveryError, SmtpClient> => te(() => connect(options))
/** `client.send` as a TaskEither (data-last). */
export const sendTE =
  (message: Message) =>
  (client: SmtpClient): TE.TaskEither<SmtpFailure | DeliveryError, SendResult> =>
    te(() => client.send(message))
/** `client.quit` as a TaskEither. */
export const quitTE = (client: SmtpClient): TE.TaskEither<SmtpFailure | DeliveryError, void> => te(() => client.quit())
/** `sendMail` as a TaskEither. */
export const sendMailTE = (options: ConnectOptions & Message): TE.TaskEither<SmtpFailure | DeliveryError, SendResult> => te(() => sendMail(options))
