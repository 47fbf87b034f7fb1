/**
 * SCRAM-SHA-256 (RFC 7677, RFC 5802): a salted challenge-response that also makes the server
 * prove it knows the password: its signature is checked before the exchange may succeed. The
 * client nonce comes from the injected randomness (the core draws none). Hashes from
 * @noble/hashes.
 *
 *   C: n,,n=user,r=cnonce                       (initial response)
 *   S: r=cnonce+snonce,s=salt,i=iterations
 *   C: c=biws,r=cnonce+snonce,p=proof
 *   S: v=server-signature                       (checked; answered with an empty line)
 */
import { hmac } from '@noble/hashes/hmac.js'
import { pbkdf2 } from '@noble/hashes/pbkdf2.js'
import { sha256 } from '@noble/hashes/sha2.js'
import * as E from 'fp-ts/lib/Either.js'
import * as Base64 from '../Base64.ts'
import { fromUtf8, utf8 } from '../Bytes.ts'
import type { SaslMechanism, SaslStep } from '../Sasl.ts'

/** Most PBKDF2 iterations we accept from a server (a huge count is a cheap way to stall us). */
export const MAX_SCRAM_ITERATIONS = 1_000_000
/** RFC 7677 §4: the iteration count SHOULD be at least 4096. */
export const MIN_SCRAM_ITERATIONS = 4096
/** Octets of injected randomness the client nonce needs. */
export const SCRAM_NONCE_OCTETS = 18

// RFC 5802 §5.1: "=" and "," in a user name are written =3D and =2C.
const saslName = (s: string): string => s.replace(/=/g, '=3D').replace(/,/g, '=2C')

const xor = (a: Uint8Array, b: Uint8Array): Uint8Array => a.map((x, i) => x ^ b[i]!)

const attrs = (s: string): Map<string, string> => {
  const m = new Map<string, string>()
  for (const part of s.split(',')) {
    const eq = part.indexOf('=')
    if (eq === 1) m.set(part[0]!, part.slice(2))
  }
  return m
}

const constantTimeEqual = (a: string, b: string): boolean => {
  if (a.length !== b.length) return false
  let d = 0
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return d === 0
}

interface Scratch {
  readonly clientFirstBare: string
  readonly nonce: string
  readonly serverSignature: string
}

/** SCRAM-SHA-256 with a nonce made from `random` (at least SCRAM_NONCE_OCTETS octets). */
export const scramSha256 = (random: Uint8Array): SaslMechanism => ({
  name: 'SCRAM-SHA-256',
  strength: random.length >= SCRAM_NONCE_OCTETS ? 30 : -1,
  revealsPassword: false,
  explicitOnly: random.length < SCRAM_NONCE_OCTETS,
  start: (c) => {
    const nonce = Base64.encode(random.subarray(0, SCRAM_NONCE_OCTETS))
    const clientFirstBare = `n=${saslName(c.username)},r=${nonce}`
    const scratch: Scratch = { clientFirstBare, nonce, serverSignature: '' }
    return { initialResponse: utf8(`n,,${clientFirstBare}`), progress: { round: 0, scratch: JSON.stringify(scratch) } }
  },
  respond: (c, progress, challenge): SaslStep => {
    const s = JSON.parse(progress.scratch) as Scratch
    const text = fromUtf8(challenge)
    if (progress.round === 0) {
      const a = attrs(text)
      const nonce = a.get('r')
      const salt = a.get('s')
      const iterations = Number(a.get('i'))
      if (nonce === undefined || !nonce.startsWith(s.nonce) || nonce.length <= s.nonce.length) return { _tag: 'Cancel', reason: 'the server nonce does not extend ours' }
      if (salt === undefined) return { _tag: 'Cancel', reason: 'no salt' }
      if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_SCRAM_ITERATIONS) return { _tag: 'Cancel', reason: `unacceptable iteration count ${a.get('i')}` }
      const saltBytes = Base64.decode(salt)
      if (E.isLeft(saltBytes)) return { _tag: 'Cancel', reason: 'undecodable salt' }
      // RFC 5802 §2.2: SaltedPassword := Hi(Normalize(password), salt, i); SASLprep approximated by NFKC.
      const salted = pbkdf2(sha256, utf8(c.password.normalize('NFKC')), saltBytes.right, { c: iterations, dkLen: 32 })
      const clientKey = hmac(sha256, salted, utf8('Client Key'))
      const storedKey = sha256(clientKey)
      const withoutProof = `c=biws,r=${nonce}`
      const authMessage = `${s.clientFirstBare},${text},${withoutProof}`
      const proof = xor(clientKey, hmac(sha256, storedKey, utf8(authMessage)))
      const serverSignature = Base64.encode(hmac(sha256, hmac(sha256, salted, utf8('Server Key')), utf8(authMessage)))
      const next: Scratch = { ...s, serverSignature }
      return { _tag: 'Respond', response: utf8(`${withoutProof},p=${Base64.encode(proof)}`), progress: { round: 1, scratch: JSON.stringify(next) } }
    }
    if (progress.round === 1) {
      const v = attrs(text).get('v')
      if (v === undefined || !constantTimeEqual(v, s.serverSignature)) return { _tag: 'Cancel', reason: 'the server signature is wrong: it does not know the password' }
      return { _tag: 'Respond', response: new Uint8Array(0), progress: { round: 2, scratch: progress.scratch } }
    }
    return { _tag: 'Cancel', reason: 'unexpected challenge after the server signature' }
  },
  // RFC 5802 §5: success only counts once the server has proved itself.
  done: (progress) => progress.round === 2,
})
