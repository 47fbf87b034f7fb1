/**
 * What goes into the engine. Every input carries `now`: milliseconds on the adapter's monotonic
 * clock. Transport inputs report what the connection did; app inputs are requests.
 */
import type { Envelope } from './Envelope.ts'

// ---- from the transport

/** Bytes read from the server. */
export interface Received { readonly _tag: 'Received'; readonly bytes: Uint8Array; readonly now: number }
/** The server closed the connection (EOF) or it broke. */
export interface PeerClosed { readonly _tag: 'PeerClosed'; readonly now: number }
/** One `Transmit` has been fully written. Exactly one per Transmit, in order. */
export interface WriteCompleted { readonly _tag: 'WriteCompleted'; readonly now: number }
/** The TLS handshake asked for by `UpgradeTls` succeeded. */
export interface TlsEstablished { readonly _tag: 'TlsEstablished'; readonly now: number }
/** The TLS handshake failed (certificate refused, protocol error). */
export interface TlsHandshakeFailed { readonly _tag: 'TlsHandshakeFailed'; readonly reason: string; readonly now: number }
/** Time passed: the adapter's timer for `pollTimeout` fired. */
export interface Tick { readonly _tag: 'Tick'; readonly now: number }

// ---- from the app

/** Start a mail transaction. */
export interface Send { readonly _tag: 'Send'; readonly envelope: Envelope; readonly now: number }
/** The next piece of the body, after `BodyWanted`. */
export interface BodyChunk {
  readonly _tag: 'BodyChunk'
  readonly bytes: Uint8Array
  /** This chunk ends the body: the same as BodyChunk then BodyEnd, in one write (or one BDAT LAST). */
  readonly last?: boolean
  /**
   * Optional room for the transformed (dot-stuffed) chunk, not overlapping `bytes`: when it is
   * large enough the Transmit's bytes are a view of it instead of a new array. Leave it untouched
   * until that Transmit's WriteCompleted. The driver passes one buffer for every chunk of a
   * body (but a whole body's last), so the body's size does not turn into garbage.
   */
  readonly into?: Uint8Array
  readonly now: number
}
/** The body is complete, after `BodyWanted`. */
export interface BodyEnd { readonly _tag: 'BodyEnd'; readonly now: number }
/** RSET (RFC 5321 §4.1.1.5) while idle. */
export interface Reset { readonly _tag: 'Reset'; readonly now: number }
/** NOOP (RFC 5321 §4.1.1.9) while idle, e.g. to check a pooled connection. */
export interface Noop { readonly _tag: 'Noop'; readonly now: number }
/** VRFY (RFC 5321 §4.1.1.6) while idle. `argument` is a user name or mailbox. */
export interface Verify { readonly _tag: 'Verify'; readonly argument: string; readonly now: number }
/** QUIT (RFC 5321 §4.1.1.10) and close. */
export interface Quit { readonly _tag: 'Quit'; readonly now: number }
/** Stop now: close without QUIT, reporting every open transaction. */
export interface Abort { readonly _tag: 'Abort'; readonly reason: string; readonly now: number }

/** Inputs from the transport. */
export type TransportInput = Received | PeerClosed | WriteCompleted | TlsEstablished | TlsHandshakeFailed | Tick
/** Requests from the app. */
export type AppInput = Send | BodyChunk | BodyEnd | Reset | Noop | Verify | Quit | Abort
/** Every input. */
export type Input = TransportInput | AppInput
