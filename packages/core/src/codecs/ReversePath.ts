/**
 * The MAIL FROM reverse-path (RFC 5321 §4.1.1.2): a mailbox, or the null path `<>` used for
 * delivery status notifications (RFC 5321 §4.5.5), written here as `''`.
 */
import * as t from 'io-ts'
import { Mailbox } from './Mailbox.ts'

/** A mailbox or `''` (the null reverse-path). */
export type ReversePath = Mailbox | ''

/** Codec: `''` or `'<>'` become the null path; anything else must be a Mailbox. */
export const ReversePath: t.Type<ReversePath, string, unknown> = new t.Type<ReversePath, string, unknown>(
  'ReversePath',
  (u): u is ReversePath => u === '' || Mailbox.is(u),
  (u, c) => (u === '' || u === '<>' ? t.success('') : Mailbox.validate(u, c)),
  (r) => r,
)
