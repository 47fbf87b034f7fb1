/**
 * The MAIL FROM reverse-path (RFC 5321 §4.1.1.2):
 *
 *   mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF
 *   Reverse-path = Path / "<>"
 *
 * A mailbox, or the null path, written here as `''` and sent as `MAIL FROM:<>`, used for
 * delivery status notifications and other bounces (RFC 5321 §4.5.5, §6.1).
 */
import * as t from 'io-ts'
import { Mailbox } from './Mailbox.ts'

/** The null reverse-path, as the engine holds it (`MAIL FROM:<>` on the wire). */
export const NULL_PATH = ''
/** The null reverse-path's type. */
export type NullPath = typeof NULL_PATH

/** A mailbox, or `''` for the null reverse-path. */
export type ReversePath = Mailbox | NullPath

/** Whether a reverse-path is the null path. */
export const isNullPath = (r: ReversePath): r is NullPath => r === NULL_PATH

/** Codec: `''` and `'<>'` decode to the null path; anything else must be a Mailbox. */
export const ReversePath: t.Type<ReversePath, string, unknown> = new t.Type<ReversePath, string, unknown>(
  'ReversePath',
  (u): u is ReversePath => u === NULL_PATH || Mailbox.is(u),
  // RFC 5321 §4.1.1.2: Reverse-path = Path / "<>".
  (u, c) => (u === NULL_PATH || u === '<>' ? t.success(NULL_PATH) : Mailbox.validate(u, c)),
  (r) => r,
)
