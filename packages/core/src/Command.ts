/**
 * Commands the engine sends, as data: what each one is (so its reply can be matched through the
 * pipeline FIFO, RFC 2920 §3), the line that goes on the wire, and the timeout that applies.
 */
import type { TimeoutKind } from './Timeouts.ts'

// ---- model

/** What a sent command was, for matching its reply. */
export type Command =
  | { readonly _tag: 'Greeting' }
  | { readonly _tag: 'Ehlo' }
  | { readonly _tag: 'Helo' }
  | { readonly _tag: 'StartTls' }
  | { readonly _tag: 'Auth'; readonly cancelled: boolean }
  | { readonly _tag: 'Mail'; readonly txn: number }
  | { readonly _tag: 'Rcpt'; readonly txn: number; readonly index: number }
  | { readonly _tag: 'Data'; readonly txn: number }
  | { readonly _tag: 'DataEnd'; readonly txn: number; readonly discard: boolean; readonly lmtpRecipient: number }
  | { readonly _tag: 'Bdat'; readonly txn: number; readonly last: boolean }
  | { readonly _tag: 'Vrfy' }
  | { readonly _tag: 'Rset'; readonly requested: boolean }
  | { readonly _tag: 'Noop' }
  | { readonly _tag: 'Quit' }

/** A command waiting for its reply; `label` names it in errors (never holds secrets). */
export interface Sent {
  readonly command: Command
  readonly label: string
}

/**
 * A command not yet written: its line (CRLF included) and whether the line is secret. Text, not
 * bytes: the lines sent together are encoded once, as one array (`flush`).
 */
export interface Queued extends Sent {
  readonly line: string
  readonly sensitive: boolean
}

// ---- constructors

/** A queued command whose label is its own line (nothing secret in it). */
export const queued = (command: Command, text: string): Queued => ({
  command,
  label: text,
  line: text + '\r\n',
  sensitive: false,
})

/** A queued command whose line carries secrets: labelled by `label`, marked sensitive. */
export const secret = (command: Command, label: string, text: string): Queued => ({
  command,
  label,
  line: text + '\r\n',
  sensitive: true,
})

// ---- queries

/**
 * RFC 2920 §3.1: RSET, MAIL FROM and RCPT TO may be followed by more commands without waiting;
 * "EHLO, DATA, VRFY, EXPN, TURN, QUIT, and NOOP ... can only appear as the last command in a
 * group". Message content may be the first "command" of a group, so the final dot may be
 * followed at once by the next MAIL FROM.
 */
export const pipelinable = (c: Command): boolean => {
  switch (c._tag) {
    case 'Mail':
    case 'Rcpt':
    case 'Rset':
    case 'DataEnd':
    case 'Bdat':
      return true
    case 'Greeting':
    case 'Ehlo':
    case 'Helo':
    case 'StartTls':
    case 'Auth':
    case 'Data':
    case 'Noop':
    case 'Vrfy':
    case 'Quit':
      return false
  }
}

/** Which RFC 5321 §4.5.3.2 timeout applies while waiting for this command's reply. */
export const timeoutKind = (c: Command): TimeoutKind => {
  switch (c._tag) {
    case 'Greeting':
      return 'greeting'
    case 'Mail':
      return 'mail'
    case 'Rcpt':
      return 'rcpt'
    case 'Data':
      return 'dataInit'
    case 'DataEnd':
      return 'dataEnd'
    case 'Bdat':
      return c.last ? 'dataEnd' : 'dataBlock'
    case 'Ehlo':
    case 'Helo':
    case 'StartTls':
    case 'Auth':
    case 'Rset':
    case 'Noop':
    case 'Vrfy':
    case 'Quit':
      return 'other'
  }
}
