/**
 * SASL mechanisms (RFC 4422) for SMTP AUTH (RFC 4954) as pure values: a mechanism turns
 * credentials and the server's challenges into responses, and its progress is plain data kept in
 * the engine's state. A mechanism that meets a challenge it does not expect answers Cancel, which
 * the engine sends as `*` (RFC 4954 §4): a password is never written into an unexpected prompt.
 */
import type { Credentials } from './codecs/Credentials.ts'
import { plain } from './sasl/plain.ts'
import { login } from './sasl/login.ts'
import { cramMd5 } from './sasl/cramMd5.ts'
import { scramSha256 } from './sasl/scramSha256.ts'
import { oauthBearer, xoauth2 } from './sasl/oauth.ts'

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
  /** Used only when the caller names it (bearer tokens, or a mechanism missing its randomness). */
  readonly explicitOnly: boolean
  readonly start: (credentials: Credentials) => SaslStart
  readonly respond: (credentials: Credentials, progress: SaslProgress, challenge: Uint8Array) => SaslStep
  /** Whether a 235 may be believed at this point (SCRAM: only after the server signature). */
  readonly done: (progress: SaslProgress) => boolean
}

// ---- constructors

/**
 * The mechanisms this build knows. SCRAM needs injected randomness for its nonce; without it
 * (fewer than SCRAM_NONCE_OCTETS octets) it is never chosen.
 */
export const builtIn = (random: Uint8Array = new Uint8Array(0)): ReadonlyArray<SaslMechanism> => [
  scramSha256(random),
  cramMd5,
  plain,
  login,
  xoauth2,
  oauthBearer,
]

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
      : known.filter((m) => !m.explicitOnly).sort((a, b) => b.strength - a.strength)
  return candidates.find((m) => offers.has(m.name))
}

/** The progress of a mechanism that has answered nothing yet. */
export const fresh: SaslProgress = { round: 0, scratch: '' }
