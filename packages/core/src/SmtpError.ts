/**
 * Whose fault is it. `UsageError` is our caller's mistake (a request the engine cannot take in
 * its current state, or input that failed validation): it is returned as a Left and leaves the
 * state untouched. `SmtpError` is what the server or the network did: it arrives as an event.
 */
import * as O from 'fp-ts/lib/Option.js'
import type { EnhancedStatus, Reply } from './Reply.ts'
import { enhancedStatus, text } from './Reply.ts'

// ---- model: the caller's mistakes

/** Why a request was refused locally. */
export type UsageErrorReason =
  /** Input failed validation (io-ts); `issues` names each bad field. */
  | 'InvalidInput'
  /** The request does not fit the session's current state (e.g. BodyChunk before BodyWanted). */
  | 'WrongState'
  /** The session has ended; `cause` repeats why, every time. */
  | 'SessionClosed'

/** A mistake by the engine's caller. Never carries credentials. */
export interface UsageError {
  readonly _tag: 'UsageError'
  readonly reason: UsageErrorReason
  readonly message: string
  readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }>
  readonly cause: O.Option<SmtpError>
}

// ---- model: what the server or the network did

/** The server broke the protocol (malformed reply, unsolicited data, injection attempt). */
export interface ProtocolViolation {
  readonly _tag: 'ProtocolViolation'
  readonly message: string
}

/** The server answered a command with a negative (or unexpected) reply. */
export interface Rejected {
  readonly _tag: 'Rejected'
  /** The command's verb and its non-secret argument, e.g. `RCPT TO:<bob@example.org>`; never AUTH data. */
  readonly command: string
  readonly code: number
  readonly enhanced: O.Option<EnhancedStatus>
  readonly text: string
}

/** The transport could not connect (refused, unreachable, name not found): reported by adapters. */
export interface ConnectFailed {
  readonly _tag: 'ConnectFailed'
  readonly reason: string
}

/** The connection ended before the reply we were waiting for. */
export interface ConnectionLost {
  readonly _tag: 'ConnectionLost'
  readonly during: string
}

/** No reply within the deadline (RFC 5321 §4.5.3.2). */
export interface TimedOut {
  readonly _tag: 'TimedOut'
  readonly during: string
  readonly afterMs: number
}

/** The TLS handshake failed (bad certificate, protocol error): reported by the transport. */
export interface TlsFailed {
  readonly _tag: 'TlsFailed'
  readonly reason: string
}

/**
 * A security or capability requirement was not met, so nothing was sent that would break it:
 * STARTTLS required but not offered or refused, AUTH over plaintext, no common SASL mechanism,
 * an extension the message needs but the server lacks.
 */
export interface PolicyRefused {
  readonly _tag: 'PolicyRefused'
  readonly requirement: 'STARTTLS' | 'AUTH' | 'AUTH-TLS' | 'SASL' | '8BITMIME' | 'SMTPUTF8' | 'SIZE' | 'DSN' | 'REQUIRETLS' | 'BINARYMIME'
  readonly message: string
}

/** The server's SASL exchange could not continue safely; we cancelled with `*`. */
export interface AuthCancelled {
  readonly _tag: 'AuthCancelled'
  readonly mechanism: string
  readonly message: string
}

/** Every recipient was rejected, so no content was sent. Each recipient's own error is in the outcomes. */
export interface NoRecipients {
  readonly _tag: 'NoRecipients'
  readonly message: string
  /** Some rejection was transient (4yz): a later retry may succeed for those recipients. */
  readonly transient: boolean
}

/**
 * No server could be found for a domain (RFC 5321 §5.1, RFC 7505): it does not exist, declares a
 * null MX, or DNS could not answer (`transient`).
 */
export interface RouteFailed {
  readonly _tag: 'RouteFailed'
  readonly domain: string
  readonly reason: 'NullMx' | 'NoSuchDomain' | 'NoAddress' | 'LookupFailed'
  readonly message: string
  readonly transient: boolean
}

/** The caller aborted the session. */
export interface Aborted {
  readonly _tag: 'Aborted'
  readonly reason: string
}

/** Everything the far side (or the wire) can do to us. */
export type SmtpError =
  | ProtocolViolation
  | Rejected
  | ConnectFailed
  | ConnectionLost
  | TimedOut
  | TlsFailed
  | PolicyRefused
  | AuthCancelled
  | NoRecipients
  | RouteFailed
  | Aborted

// ---- constructors

/** A UsageError with no field issues. */
export const usageError = (
  reason: UsageErrorReason,
  message: string,
  cause: O.Option<SmtpError> = O.none,
): UsageError => ({ _tag: 'UsageError', reason, message, issues: [], cause })

/** A protocol violation. */
export const violation = (message: string): ProtocolViolation => ({ _tag: 'ProtocolViolation', message })

/** A rejection built from the reply; the enhanced code is kept when the server advertised them. */
export const rejected = (command: string, r: Reply, withEnhanced: boolean): Rejected => ({
  _tag: 'Rejected',
  command,
  code: r.code,
  enhanced: withEnhanced ? enhancedStatus(r) : O.none,
  text: text(r),
})

// ---- queries

/**
 * Whether trying again later may succeed: 4yz replies, lost connections and timeouts are
 * transient (RFC 5321 §4.2.1, §3.8); 5yz, violations and policy refusals are permanent.
 */
export const isTransient = (e: SmtpError): boolean => {
  switch (e._tag) {
    case 'Rejected':
      return e.code >= 400 && e.code < 500
    case 'ConnectFailed':
    case 'ConnectionLost':
    case 'TimedOut':
      return true
    case 'NoRecipients':
    case 'RouteFailed':
      return e.transient
    case 'ProtocolViolation':
    case 'TlsFailed':
    case 'PolicyRefused':
    case 'AuthCancelled':
    case 'Aborted':
      return false
  }
}

/** A one-line human description, free of secrets. */
export const describe = (e: SmtpError | UsageError): string => {
  switch (e._tag) {
    case 'UsageError':
      return e.message
    case 'ProtocolViolation':
      return `protocol violation: ${e.message}`
    case 'Rejected': {
      // The text usually starts with the enhanced code already; do not say it twice.
      const code = O.isSome(e.enhanced) ? `${e.enhanced.value.class}.${e.enhanced.value.subject}.${e.enhanced.value.detail}` : ''
      const text = code !== '' && e.text.startsWith(code) ? e.text : `${code} ${e.text}`.trim()
      return `${e.command} rejected: ${e.code} ${text}`.trimEnd()
    }
    case 'ConnectFailed':
      return `could not connect: ${e.reason}`
    case 'ConnectionLost':
      return `connection lost during ${e.during}`
    case 'TimedOut':
      return `no reply to ${e.during} within ${e.afterMs} ms`
    case 'TlsFailed':
      return `TLS failed: ${e.reason}`
    case 'PolicyRefused':
      return e.message
    case 'AuthCancelled':
      return `AUTH ${e.mechanism} cancelled: ${e.message}`
    case 'NoRecipients':
    case 'RouteFailed':
      return e.message
    case 'Aborted':
      return `aborted: ${e.reason}`
  }
}
