/**
 * How long to wait for each reply, as data (RFC 5321 §4.5.3.2). The engine stores deadlines in
 * its state and reports the nearest one through `pollTimeout`; it never reads a clock.
 */

/** Milliseconds to wait, per phase. */
export interface Timeouts {
  /** §4.5.3.2.1 Initial 220 Message: 5 minutes. */
  readonly greeting: number
  /** §4.5.3.2.2 MAIL Command: 5 minutes. */
  readonly mail: number
  /** §4.5.3.2.3 RCPT Command: 5 minutes. */
  readonly rcpt: number
  /** §4.5.3.2.4 DATA Initiation: 2 minutes. */
  readonly dataInit: number
  /** §4.5.3.2.5 Data Block: 3 minutes for each write of body data to complete. */
  readonly dataBlock: number
  /** §4.5.3.2.6 DATA Termination: 10 minutes for the reply to the final dot. */
  readonly dataEnd: number
  /** Every other command (EHLO, STARTTLS, AUTH, RSET, NOOP, QUIT): 5 minutes. */
  readonly other: number
  /** The TLS handshake after STARTTLS (not in the RFC; a handshake is quick or broken). */
  readonly tlsHandshake: number
}

const MINUTE = 60_000

/** The RFC 5321 §4.5.3.2 values. */
export const rfc5321: Timeouts = {
  greeting: 5 * MINUTE,
  mail: 5 * MINUTE,
  rcpt: 5 * MINUTE,
  dataInit: 2 * MINUTE,
  dataBlock: 3 * MINUTE,
  dataEnd: 10 * MINUTE,
  other: 5 * MINUTE,
  tlsHandshake: 1 * MINUTE,
}

/** Which of the timeouts applies to a wait. */
export type TimeoutKind = keyof Timeouts
