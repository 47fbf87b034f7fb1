/**
 * SMTP AUTH credentials. SASL PLAIN separates its fields with NUL (RFC 4616 §2), so no field may
 * hold one; none may hold CR or LF either. Errors name the field and the rule, never the value.
 */
import * as t from 'io-ts'
import { utf8 } from '../Bytes.ts'

/** Longest user name or authorization identity, in UTF-8 octets (RFC 4616 §2 allows 255). */
export const MAX_IDENTITY_OCTETS = 255
/** Longest password, in UTF-8 octets (RFC 4616 §2 allows 255). */
export const MAX_PASSWORD_OCTETS = 255

/** Validated credentials. */
export interface Credentials {
  readonly username: string
  readonly password: string
  readonly authzid?: string
}

const octets = (s: string): number => utf8(s).length

const field = (name: string, max: number, secret: boolean) =>
  new t.Type<string, string, unknown>(
    name,
    (u): u is string => typeof u === 'string' && u.length > 0 && !/[\0\r\n]/.test(u) && octets(u) <= max,
    (u, c) => {
      // For a secret the failure carries a placeholder, not the value.
      const shown = secret ? '<redacted>' : u
      if (typeof u !== 'string') return t.failure(shown, c, 'must be a string')
      if (u.length === 0) return t.failure(shown, c, 'must not be empty')
      if (/\0/.test(u)) return t.failure(shown, c, 'must not contain NUL')
      if (/[\r\n]/.test(u)) return t.failure(shown, c, 'must not contain CR or LF')
      if (octets(u) > max) return t.failure(shown, c, `must be at most ${max} octets`)
      return t.success(u)
    },
    (s) => s,
  )

/** Codec for credentials. */
export const Credentials: t.Type<Credentials, Credentials, unknown> = t.intersection([
  t.type({ username: field('Username', MAX_IDENTITY_OCTETS, false), password: field('Password', MAX_PASSWORD_OCTETS, true) }),
  t.partial({ authzid: field('Authzid', MAX_IDENTITY_OCTETS, false) }),
]) as unknown as t.Type<Credentials, Credentials, unknown>
