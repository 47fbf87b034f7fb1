/**
 * SMTP AUTH credentials: `{ username, password, authzid? }`.
 *
 * Every field is a non-empty string of well-formed Unicode with no NUL, because SASL PLAIN
 * separates its fields with NUL (RFC 4616 §2: authzid, authcid and passwd are 1*SAFE, and SAFE
 * excludes %x00), and no CR or LF, so no field can end a line of the SMTP dialogue.
 *
 * Lengths, in UTF-8 octets:
 *   - username and authzid: 255, the length RFC 4616 §2 says servers MUST accept;
 *   - password: 8192. RFC 4616 §2 only asks servers to accept 255, but the password field also
 *     carries OAuth 2.0 access tokens for XOAUTH2 and OAUTHBEARER (RFC 7628), and those are often
 *     JWTs of several kilobytes. 8192 keeps any initial response, base64-encoded on the AUTH line,
 *     under the 12288 octets RFC 4954 §4 makes servers accept.
 *
 * Secrecy: the password (and a value that is not even an object, which may well be a password)
 * never reaches an error. io-ts puts the refused value into `ValidationError.value` and every
 * value on the way into its context's `actual`; these codecs write a placeholder as the value,
 * append the field's context entry without `actual`, and start `decode`'s context without one
 * (`RedactingType`). Messages name the field and the rule only:
 * `password: must not contain NUL`. (An enclosing `t.type` still records the whole credentials
 * object as `actual` of *its* context entry: print errors with errors.ts, never raw.)
 *
 * Not done: SASLprep (RFC 4013) or any other normalization; mechanisms that need it (SCRAM)
 * apply their own.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { hasLoneSurrogate, utf8Octets } from './octets.ts'

/** RFC 4616 §2: servers MUST accept an authentication identity (username) of up to 255 octets. */
export const MAX_USERNAME_OCTETS = 255
/** RFC 4616 §2: servers MUST accept an authorization identity of up to 255 octets. */
export const MAX_AUTHZID_OCTETS = 255
/** Longest password or OAuth token, in UTF-8 octets (see the module comment for why 8192). */
export const MAX_PASSWORD_OCTETS = 8192

/** What a refused secret is replaced by in `ValidationError.value`. */
export const REDACTED = '<redacted>'

/** Validated credentials. */
export interface Credentials {
  readonly username: string
  readonly password: string
  readonly authzid?: string
}

/** Why a credential field is refused, or null when it is fine. Never mentions the value. */
export const credentialProblem = (u: unknown, maxOctets: number): string | null => {
  if (u === undefined) return 'is required'
  if (typeof u !== 'string') return 'must be a string'
  if (u.length === 0) return 'must not be empty'
  // RFC 4616 §2: SAFE = UTF1 / UTF2 / UTF3 / UTF4, UTF1 = %x01-7F: NUL is the field separator.
  if (u.includes('\u0000')) return 'must not contain NUL'
  if (/[\r\n]/.test(u)) return 'must not contain CR or LF'
  if (hasLoneSurrogate(u)) return 'must be well-formed Unicode (it holds a lone surrogate)'
  if (utf8Octets(u) > maxOctets) return `must be at most ${maxOctets} octets (UTF-8)`
  return null
}

/**
 * A `t.Type` whose `decode` starts the context without `actual` (io-ts's default puts the whole
 * input there), so even the raw errors of a direct `decode` hold no secret anywhere.
 */
class RedactingType<A, O> extends t.Type<A, O, unknown> {
  override decode(i: unknown): t.Validation<A> {
    return this.validate(i, [{ key: '', type: this }])
  }
}

const field = (name: string, maxOctets: number): t.Type<string, string, unknown> =>
  new RedactingType<string, string>(
    name,
    (u): u is string => credentialProblem(u, maxOctets) === null,
    (u, c) => {
      const p = credentialProblem(u, maxOctets)
      return p === null ? t.success(u as string) : t.failure(REDACTED, c, p)
    },
    (s) => s,
  )

/** Codec for a username (authentication identity). */
export const Username: t.Type<string, string, unknown> = field('Username', MAX_USERNAME_OCTETS)
/** Codec for a password or OAuth access token. Its failures carry `REDACTED`, never the value. */
export const Password: t.Type<string, string, unknown> = field('Password', MAX_PASSWORD_OCTETS)
/** Codec for an authorization identity (the identity to act as). */
export const Authzid: t.Type<string, string, unknown> = field('Authzid', MAX_AUTHZID_OCTETS)

const FIELDS = [
  ['username', Username],
  ['password', Password],
  ['authzid', Authzid],
] as const

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === 'object' && u !== null && !Array.isArray(u)

/**
 * Codec for credentials. Decoding keeps only the three known fields (an `authzid` of
 * `undefined` is absent) and reports every bad field at once, by name, without its value.
 */
export const Credentials: t.Type<Credentials, Credentials, unknown> = new RedactingType<Credentials, Credentials>(
  'Credentials',
  (u): u is Credentials =>
    isRecord(u) && Username.is(u['username']) && Password.is(u['password']) && (u['authzid'] === undefined || Authzid.is(u['authzid'])),
  (u, c) => {
    if (!isRecord(u)) return t.failure(REDACTED, c, 'must be an object { username, password, authzid? }')
    const errors: t.ValidationError[] = []
    for (const [key, codec] of FIELDS) {
      const v = u[key]
      if (key === 'authzid' && v === undefined) continue
      // appendContext without `actual`: the context must not hold the secret either.
      const r = codec.validate(v, t.appendContext(c, key, codec))
      if (E.isLeft(r)) errors.push(...r.left)
    }
    if (errors.length > 0) return t.failures(errors)
    const username = u['username'] as string
    const password = u['password'] as string
    const authzid = u['authzid']
    return t.success(typeof authzid === 'string' ? { username, password, authzid } : { username, password })
  },
  (cr) => cr,
)
