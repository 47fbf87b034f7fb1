/**
 * The engine's configuration, already validated (see Options.ts for the io-ts decoding of what
 * a user passes in).
 */
import type { EhloName } from './codecs/EhloName.ts'
import type { Credentials } from './codecs/Credentials.ts'
import type { SaslMechanism } from './Sasl.ts'
import type { Timeouts } from './Timeouts.ts'

/**
 * How TLS is used.
 * - `required`: STARTTLS (RFC 3207) must succeed before anything else is sent; the default
 *   whenever credentials are given.
 * - `opportunistic`: STARTTLS when offered, plaintext otherwise (AUTH still refused over plaintext).
 * - `implicit`: the transport is TLS from the first byte (RFC 8314 §3, port 465).
 * - `none`: never STARTTLS (an explicit opt-out).
 */
export type TlsPolicy = 'required' | 'opportunistic' | 'implicit' | 'none'

/** SMTP AUTH settings (RFC 4954). */
export interface AuthConfig {
  readonly credentials: Credentials
  /** Mechanism names in the caller's order of preference; empty means "strongest offered". */
  readonly mechanisms: ReadonlyArray<string>
  /** Allow a password-revealing mechanism without TLS. Off by default; never silently on. */
  readonly allowPlaintext: boolean
}

/** Everything the engine needs to know before the first byte. */
export interface Config {
  /** Our name in EHLO/HELO (RFC 5321 §4.1.1.1): a domain or an address literal. */
  readonly clientName: EhloName
  /** The server's host name, for SNI and certificate checks when upgrading to TLS. */
  readonly serverName: string
  readonly tls: TlsPolicy
  readonly auth: AuthConfig | null
  readonly timeouts: Timeouts
  /** Use PIPELINING (RFC 2920) when the server offers it. */
  readonly pipelining: boolean
  /** `smtp`, or `lmtp` (RFC 2033: LHLO, and one reply per recipient after the body). */
  readonly protocol: 'smtp' | 'lmtp'
  /** Send bodies with BDAT (RFC 3030) when CHUNKING is offered (`prefer`), or never. */
  readonly chunking: 'prefer' | 'never'
  /** The SASL mechanisms the engine may use (built-ins, or more supplied by the caller). */
  readonly saslMechanisms: ReadonlyArray<SaslMechanism>
}
