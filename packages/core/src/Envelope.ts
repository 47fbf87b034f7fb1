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
}
