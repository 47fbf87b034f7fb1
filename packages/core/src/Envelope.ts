/**
 * The SMTP envelope of one message (RFC 5321 §2.3.1): reverse-path, forward-paths and the
 * facts about the body that MAIL FROM parameters declare.
 */
import type { Mailbox } from './codecs/Mailbox.ts'
import type { ReversePath } from './codecs/ReversePath.ts'

/** A validated envelope. */
export interface Envelope {
  /** MAIL FROM; `''` is the null reverse-path `<>` (RFC 5321 §4.5.5). */
  readonly from: ReversePath
  /** RCPT TO, one per recipient, in order; at least one. */
  readonly to: ReadonlyArray<Mailbox>
  /** Message size in octets when known: declared as SIZE= (RFC 1870) and checked locally. */
  readonly size?: number
  /** The body has octets above 127: needs BODY=8BITMIME (RFC 6152). */
  readonly eightBit?: boolean
  /** Headers carry UTF-8 (RFC 6532): needs SMTPUTF8 (RFC 6531) even if the addresses are ASCII. */
  readonly smtpUtf8?: boolean
  /** The body is binary (BODY=BINARYMIME, RFC 3030 §3): sent with BDAT, never altered. */
  readonly binary?: boolean
  /** Delivery status notifications (RFC 3461). */
  readonly dsn?: DsnRequest
  /** REQUIRETLS (RFC 8689): every hop must use TLS. */
  readonly requireTls?: boolean
}

/** What to ask for in delivery status notifications (RFC 3461). */
export interface DsnRequest {
  /** RET (§4.3): return the full message or only its headers. */
  readonly ret?: 'FULL' | 'HDRS'
  /** ENVID (§4.4): an id of ours for this transaction, echoed in notifications. */
  readonly envid?: string
  /** NOTIFY (§4.1): NEVER, or any of SUCCESS, FAILURE, DELAY. */
  readonly notify?: 'NEVER' | ReadonlyArray<'SUCCESS' | 'FAILURE' | 'DELAY'>
  /** ORCPT (§4.2): send each recipient's original address as rfc822;address. */
  readonly orcpt?: boolean
  /** Send the message even if the server lacks DSN (the parameters are then left out). */
  readonly optional?: boolean
}
