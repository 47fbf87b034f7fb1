/**
 * The public boundary: io-ts codecs for what a user passes in (client options, envelopes), each
 * decoded once into the branded types the engine takes. Failures are `UsageError`s with
 * `reason: 'InvalidInput'` and one issue per bad field; no secret is ever echoed.
 */
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { Credentials } from './codecs/Credentials.ts'
import { EhloName } from './codecs/EhloName.ts'
import { Mailbox } from './codecs/Mailbox.ts'
import { ReversePath } from './codecs/ReversePath.ts'
import { decodeWith } from './codecs/errors.ts'
import type { Config, TlsPolicy } from './Config.ts'
import type { DsnRequest, Envelope } from './Envelope.ts'
import { MAX_RECIPIENTS } from './Limits.ts'
import type { SaslMechanism } from './Sasl.ts'
import { builtIn } from './Sasl.ts'
import type { UsageError } from './SmtpError.ts'
import type { Timeouts } from './Timeouts.ts'
import { rfc5321 } from './Timeouts.ts'

// ---- codecs

/** Longest timeout accepted: one day, so a typo cannot park a connection for a month. */
export const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000

const Millis: t.Type<number, number, unknown> = new t.Type<number, number, unknown>(
  'Millis',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u > 0 && u <= MAX_TIMEOUT_MS,
  (u, c) =>
    typeof u === 'number' && Number.isInteger(u) && u > 0 && u <= MAX_TIMEOUT_MS
      ? t.success(u)
      : t.failure(u, c, `must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`),
  (n) => n,
)

const OctetCount: t.Type<number, number, unknown> = new t.Type<number, number, unknown>(
  'OctetCount',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) =>
    typeof u === 'number' && Number.isSafeInteger(u) && u >= 0 ? t.success(u) : t.failure(u, c, 'must be a whole number of octets'),
  (n) => n,
)

/** `required` | `opportunistic` | `implicit` | `none`. */
export const TlsPolicyCodec: t.KeyofC<{ required: null; opportunistic: null; implicit: null; none: null }> = t.keyof({ required: null, opportunistic: null, implicit: null, none: null }, 'TlsPolicy')

const MechanismName: t.Type<string, string, unknown> = new t.Type<string, string, unknown>(
  'MechanismName',
  (u): u is string => typeof u === 'string' && /^[A-Z0-9_-]{1,20}$/i.test(u),
  // RFC 4422 §3.1: sasl-mech = 1*20mech-char, mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
  (u, c) =>
    typeof u === 'string' && /^[A-Z0-9_-]{1,20}$/i.test(u) ? t.success(u.toUpperCase()) : t.failure(u, c, 'is not a SASL mechanism name'),
  (s) => s,
)

/** AUTH options as given. */
export interface AuthOptionsInput {
  readonly credentials: Credentials
  readonly mechanisms?: ReadonlyArray<string>
  readonly allowPlaintext?: boolean
}

/** Client options as given (see ClientOptions). */
export interface ClientOptionsInput {
  readonly serverName: string
  readonly clientName?: EhloName
  readonly tls?: TlsPolicy
  readonly auth?: AuthOptionsInput
  readonly pipelining?: boolean
  readonly protocol?: 'smtp' | 'lmtp'
  readonly chunking?: 'prefer' | 'never'
  readonly timeouts?: Partial<Timeouts>
}

/** An envelope as given (see EnvelopeCodec). */
export interface EnvelopeDecoded {
  readonly from: ReversePath
  readonly to: ReadonlyArray<Mailbox>
  readonly size?: number
  readonly eightBit?: boolean
  readonly smtpUtf8?: boolean
  readonly binary?: boolean
  readonly requireTls?: boolean
  readonly dsn?: DsnRequest
}

/** AUTH options. `credentials` are checked by the Credentials codec (never echoed). */
export const AuthOptions: t.IntersectionC<
  [
    t.TypeC<{ credentials: t.Type<Credentials, Credentials, unknown> }>,
    t.PartialC<{ mechanisms: t.ArrayC<t.Type<string, string, unknown>>; allowPlaintext: t.BooleanC }>,
  ]
> = t.intersection([
  t.type({ credentials: Credentials }),
  t.partial({ mechanisms: t.array(MechanismName), allowPlaintext: t.boolean }),
])

/** Every client option; only `serverName` is required. */
export const ClientOptions: t.Decoder<unknown, ClientOptionsInput> = t.intersection([
  t.type({ serverName: t.string }),
  t.partial({
    clientName: EhloName,
    tls: TlsPolicyCodec,
    auth: AuthOptions,
    pipelining: t.boolean,
    protocol: t.keyof({ smtp: null, lmtp: null }),
    chunking: t.keyof({ prefer: null, never: null }),
    timeouts: t.partial({
      greeting: Millis,
      mail: Millis,
      rcpt: Millis,
      dataInit: Millis,
      dataBlock: Millis,
      dataEnd: Millis,
      other: Millis,
      tlsHandshake: Millis,
    }),
  }),
])

const Mailboxes = t.array(Mailbox)

const Recipients: t.Type<ReadonlyArray<Mailbox>, ReadonlyArray<string>, unknown> = new t.Type<ReadonlyArray<Mailbox>, ReadonlyArray<string>, unknown>(
  'Recipients',
  (u): u is ReadonlyArray<Mailbox> => Array.isArray(u) && u.length > 0 && u.length <= MAX_RECIPIENTS && u.every((x) => Mailbox.is(x)),
  (u, c) => {
    if (!Array.isArray(u)) return t.failure(u, c, 'must be a list of addresses')
    if (u.length === 0) return t.failure(u, c, 'must name at least one recipient')
    if (u.length > MAX_RECIPIENTS) return t.failure(u, c, `must name at most ${MAX_RECIPIENTS} recipients`)
    return Mailboxes.validate(u, c)
  },
  (a) => a,
)

/** RFC 3461 §4.4: ENVID is at most 100 characters of printable ASCII. */
export const MAX_ENVID = 100

const EnvId: t.Type<string, string, unknown> = new t.Type<string, string, unknown>(
  'EnvId',
  (u): u is string => typeof u === 'string' && /^[\x21-\x7e]{1,100}$/.test(u),
  (u, c) => (typeof u === 'string' && /^[\x21-\x7e]{1,100}$/.test(u) ? t.success(u) : t.failure(u, c, `must be 1 to ${MAX_ENVID} printable ASCII characters`)),
  (v) => v,
)

const DsnCodec: t.Type<DsnRequest, unknown, unknown> = t.partial({
  ret: t.keyof({ FULL: null, HDRS: null }),
  envid: EnvId,
  notify: t.union([t.literal('NEVER'), t.array(t.keyof({ SUCCESS: null, FAILURE: null, DELAY: null }))]),
  orcpt: t.boolean,
  optional: t.boolean,
}) as unknown as t.Type<DsnRequest, unknown, unknown>

/** An envelope: `from` (`''` for the null path), `to`, and optional body facts. */
export const EnvelopeCodec: t.Decoder<unknown, EnvelopeDecoded> = t.intersection([
  t.type({ from: ReversePath, to: Recipients }),
  t.partial({ size: OctetCount, eightBit: t.boolean, smtpUtf8: t.boolean, binary: t.boolean, requireTls: t.boolean, dsn: DsnCodec }),
])

// ---- decoding

/** The EHLO name used when none is given: the loopback address literal (RFC 5321 §4.1.3). */
export const DEFAULT_CLIENT_NAME = '[127.0.0.1]'

// Guards for the fast paths below: an absent optional field, or one its codec already accepts.
const optional = (v: unknown, is: (u: unknown) => boolean): boolean => v === undefined || is(v)
const isBoolean = (u: unknown): boolean => typeof u === 'boolean'

/**
 * Options without AUTH or timeouts that already are what decoding gives, by the codecs' own
 * guards: taken as they are (one connection each in a loop pays for io-ts's contexts otherwise).
 * Anything else goes through the full decode, which also names every bad field.
 */
const isDecodedPlainOptions = (u: unknown): u is ClientOptionsInput => {
  if (typeof u !== 'object' || u === null) return false
  const o = u as Record<keyof ClientOptionsInput, unknown>
  return (
    o.auth === undefined &&
    o.timeouts === undefined &&
    typeof o.serverName === 'string' &&
    optional(o.clientName, EhloName.is) &&
    optional(o.tls, TlsPolicyCodec.is) &&
    optional(o.pipelining, isBoolean) &&
    optional(o.protocol, (p) => p === 'smtp' || p === 'lmtp') &&
    optional(o.chunking, (c) => c === 'prefer' || c === 'never')
  )
}

/** Decode client options into a Config (defaults: TLS required with AUTH, else opportunistic). */
export const decodeConfig = (
  input: unknown,
  extras: {
    /** Random octets for SASL nonces (SCRAM); the core draws none itself. */
    readonly random?: Uint8Array
    /** Replace the built-in SASL mechanisms. */
    readonly saslMechanisms?: ReadonlyArray<SaslMechanism>
  } = {},
): E.Either<UsageError, Config> => {
  // Plain checks rather than `E.chain`: fp-ts's chain is a dual-arity wrapper that copies its
  // arguments on every call, which cost 18 µs per connection (bench scenario B).
  const decoded = isDecodedPlainOptions(input) ? E.right(input) : decodeWith(ClientOptions)(input)
  if (E.isLeft(decoded)) return E.left(toUsageError(decoded.left))
  const o = decoded.right
  const name = o.clientName === undefined ? decodeWith(EhloName)(DEFAULT_CLIENT_NAME) : E.right(o.clientName)
  if (E.isLeft(name)) return E.left(toUsageError(name.left))
  const tls: TlsPolicy = o.tls ?? (o.auth !== undefined ? 'required' : 'opportunistic')
  const timeouts: Timeouts = { ...rfc5321, ...o.timeouts }
  return E.right({
    clientName: name.right,
    serverName: o.serverName,
    tls,
    auth:
      o.auth === undefined
        ? null
        : {
            credentials: o.auth.credentials,
            mechanisms: o.auth.mechanisms ?? [],
            allowPlaintext: o.auth.allowPlaintext ?? false,
          },
    timeouts,
    pipelining: o.pipelining ?? true,
    protocol: o.protocol ?? 'smtp',
    chunking: o.chunking ?? 'prefer',
    saslMechanisms: extras.saslMechanisms ?? builtIn(extras.random),
  })
}

/** Decode an envelope. */
export const decodeEnvelope = (input: unknown): E.Either<UsageError, Envelope> =>
  isDecodedEnvelope(input) ? E.right(input) : pipe(decodeWith(EnvelopeCodec)(input), E.mapLeft(toUsageError))

/**
 * Whether the input already is what decoding it would give, by the codecs' own guards: then it
 * is taken as it is, with none of io-ts's per-field context objects (this runs once per message).
 * Anything else (a `<>` to canonicalize, DSN options, any error) goes through the full decode,
 * which also names every bad field.
 */
const isDecodedEnvelope = (u: unknown): u is EnvelopeDecoded => {
  if (typeof u !== 'object' || u === null) return false
  const e = u as Record<keyof EnvelopeDecoded, unknown>
  return (
    e.dsn === undefined &&
    ReversePath.is(e.from) &&
    Recipients.is(e.to) &&
    optional(e.size, OctetCount.is) &&
    optional(e.eightBit, isBoolean) &&
    optional(e.smtpUtf8, isBoolean) &&
    optional(e.binary, isBoolean) &&
    optional(e.requireTls, isBoolean)
  )
}

const toUsageError = (e: { readonly message: string; readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }> }): UsageError => ({
  _tag: 'UsageError',
  reason: 'InvalidInput',
  message: e.message,
  issues: e.issues,
  cause: { _tag: 'None' },
})
