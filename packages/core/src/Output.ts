/**
 * What comes out of the engine, in order: work for the transport (`Transmit`, `UpgradeTls`,
 * `Close`) and events for the app. An adapter performs them one after another, exactly in the
 * order given ("send QUIT, then close" can never be reordered).
 */
import type { Capabilities } from './Capabilities.ts'
import type { Mailbox } from './codecs/Mailbox.ts'
import type { Reply } from './Reply.ts'
import type { SmtpError } from './SmtpError.ts'

// ---- recipients

/** What became of one recipient. */
export type RecipientOutcome =
  | { readonly _tag: 'Accepted'; readonly recipient: Mailbox; readonly reply: Reply }
  | { readonly _tag: 'Rejected'; readonly recipient: Mailbox; readonly error: SmtpError }

// ---- events for the app

/** The session is ready for transactions (greeting, EHLO, STARTTLS and AUTH done). */
export interface Ready {
  readonly _tag: 'Ready'
  readonly capabilities: Capabilities
  readonly secure: boolean
  /** The SASL mechanism used, or null when not authenticated. */
  readonly authenticated: string | null
}
/** A recipient was accepted by RCPT TO. */
export interface RecipientAccepted {
  readonly _tag: 'RecipientAccepted'
  readonly transaction: number
  readonly recipient: Mailbox
  readonly reply: Reply
}
/** A recipient was refused (or never tried because MAIL FROM failed). */
export interface RecipientRejected {
  readonly _tag: 'RecipientRejected'
  readonly transaction: number
  readonly recipient: Mailbox
  readonly error: SmtpError
}
/** Give the engine the next body chunk (`BodyChunk`) or end the body (`BodyEnd`). */
export interface BodyWanted { readonly _tag: 'BodyWanted'; readonly transaction: number }
/** The server took responsibility for the message (RFC 5321 §4.1.1.4: 250 after the final dot). */
export interface Delivered {
  readonly _tag: 'Delivered'
  readonly transaction: number
  readonly reply: Reply
  readonly recipients: ReadonlyArray<RecipientOutcome>
}
/** The message was not delivered to anyone; the error says whether a retry may succeed. */
export interface DeliveryFailed {
  readonly _tag: 'DeliveryFailed'
  readonly transaction: number
  readonly error: SmtpError
  readonly recipients: ReadonlyArray<RecipientOutcome>
}
/**
 * The final dot was sent but its reply never came (timeout, lost connection, abort): the
 * message may or may not have been delivered (RFC 1047). Retrying may duplicate it.
 */
export interface DeliveryUnknown {
  readonly _tag: 'DeliveryUnknown'
  readonly transaction: number
  readonly error: SmtpError
  readonly recipients: ReadonlyArray<RecipientOutcome>
}
/** A positive reply to a NOOP, RSET or VRFY the app asked for (VRFY: 250, 251 or 252). */
export interface Replied { readonly _tag: 'Replied'; readonly request: 'NOOP' | 'RSET' | 'VRFY'; readonly reply: Reply }
/** A NOOP or RSET the app asked for was refused. */
export interface RequestFailed { readonly _tag: 'RequestFailed'; readonly request: 'NOOP' | 'RSET' | 'VRFY'; readonly error: SmtpError }
/** The session failed; it is closing. */
export interface Failed { readonly _tag: 'Failed'; readonly error: SmtpError }
/** The session is over (after `Close`). Nothing follows. */
export interface Closed { readonly _tag: 'Closed' }

/** Every event. */
export type Event =
  | Ready
  | RecipientAccepted
  | RecipientRejected
  | BodyWanted
  | Delivered
  | DeliveryFailed
  | DeliveryUnknown
  | Replied
  | RequestFailed
  | Failed
  | Closed

// ---- outputs

/** Write these bytes. `sensitive` bytes carry credentials: never log them. */
export interface Transmit {
  readonly _tag: 'Transmit'
  /**
   * Read-only. Often a view of a larger buffer shared with other outputs (small arrays come from
   * a slab) or of the caller's own body chunk or `BodyChunk.into` room: use the view's offset and
   * length, and never transfer or detach `bytes.buffer`.
   */
  readonly bytes: Uint8Array
  readonly sensitive: boolean
  /** Command lines or message content (for transcripts that summarize bodies). */
  readonly kind: 'command' | 'body'
}
/**
 * Start TLS on the connection now (RFC 3207), verifying the certificate for `servername`.
 * Report `TlsEstablished` or `TlsHandshakeFailed`; read nothing until then.
 */
export interface UpgradeTls { readonly _tag: 'UpgradeTls'; readonly servername: string }
/** Close the connection (after every earlier output was performed). */
export interface Close { readonly _tag: 'Close' }
/** Tell the app. */
export interface Emit { readonly _tag: 'Event'; readonly event: Event }

/** Every output. */
export type Output = Transmit | UpgradeTls | Close | Emit

// ---- constructors

/** An event output. */
export const emit = (event: Event): Emit => ({ _tag: 'Event', event })
