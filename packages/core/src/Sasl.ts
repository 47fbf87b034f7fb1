/**
 * SASL mechanisms (RFC 4422) for SMTP AUTH (RFC 4954) as pure values: a mechanism turns
 * credentials and the server's challenges into responses, and its progress is plain data kept in
 * the engine's state. A mechanism that meets a challenge it does not expect answers Cancel, which
 * the engine sends as `*` (RFC 4954 §4): a password is never written into an unexpected prompt.
 */
import type { Credentials } from './codecs/Credentials.ts'
import { plain } from './sasl/plain.ts'
import { login } from './sasl/login.ts'

// ---- model

/** A mechanism's progress: how many challenges it has answered, plus its own scratch data. */
export interface SaslProgress {
  readonly round: number
  readonly scratch: string
}

/** What a mechanism does with a challenge. */
export type SaslStep =
  | { readonly _tag: 'Respond'; readonly response: Uint8Array; readonly progress: SaslProgress }
  | { readonly _tag: 'Cancel'; readonly reason: string }

/** How a mechanism starts: the optional initial response sent on the AUTH line. */
export interface SaslStart {
  readonly initialResponse: Uint8Array | null
  readonly progress: SaslProgress
}

/** A SASL mechanism: a name and two pure functions. */
export interface SaslMechanism {
  /** The IANA name, upper-case (e.g. `PLAIN`). */
  readonly name: string
  /** Preference when the caller names none: higher first. */
  readonly strength: number
  /** Sends the password in a recoverable form: only ever over TLS unless explicitly allowed. */
  readonly revealsPassword: boolean
  readonly start: (credentials: Credentials) => SaslStart
  readonly respond: (credentials: Credentials, progress: SaslProgress, challenge: Uint8Array) => SaslStep
}

// ---- constructors

/** The mechanisms this build knows, strongest first. */
export const builtIn: ReadonlyArray<SaslMechanism> = [plain, login]

/** Look a mechanism up by name among `known`. */
export const byName =
  (known: ReadonlyArray<SaslMechanism>) =>
  (name: string): SaslMechanism | undefined =>
    known.find((m) => m.name === name.toUpperCase())

/**
 * Choose a mechanism: the caller's first named mechanism that the server offers, or, when the
 * caller named none, the strongest known one the server offers. Undefined when none fits.
 */
export const choose = (
  known: ReadonlyArray<SaslMechanism>,
  offered: ReadonlyArray<string>,
  wanted: ReadonlyArray<string>,
): SaslMechanism | undefined => {
  const offers = new Set(offered.map((m) => m.toUpperCase()))
  const candidates =
    wanted.length > 0
      ? wanted.map(byName(known)).filter((m): m is SaslMechanism => m !== undefined)
      : [...known].sort((a, b) => b.strength - a.strength)
  return candidates.find((m) => offers.has(m.name))
}

/** The progress of a mechanism that has answered nothing yet. */
export const fresh: SaslProgress = { round: 0, scratch: '' }
