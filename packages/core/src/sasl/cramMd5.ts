/**
 * CRAM-MD5 (RFC 2195): the server sends a challenge, the client answers with its name and the
 * keyed MD5 of the challenge (HMAC, RFC 2104). The password itself never crosses the wire; MD5
 * is weak, so this ranks below SCRAM. HMAC-MD5 comes from @noble/hashes (pure, audited).
 */
import { hmac } from '@noble/hashes/hmac.js'
import { md5 } from '@noble/hashes/legacy.js'
import { utf8 } from '../Bytes.ts'
import type { SaslMechanism, SaslStep } from '../Sasl.ts'

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

/** SASL CRAM-MD5. */
export const cramMd5: SaslMechanism = {
  name: 'CRAM-MD5',
  strength: 20,
  revealsPassword: false,
  explicitOnly: false,
  start: () => ({ initialResponse: null, progress: { round: 0, scratch: '' } }),
  respond: (c, progress, challenge): SaslStep => {
    if (progress.round > 0) return { _tag: 'Cancel', reason: 'unexpected second challenge' }
    if (challenge.length === 0) return { _tag: 'Cancel', reason: 'empty challenge' }
    // RFC 2195 §2: digest = HMAC-MD5(password, challenge) as 32 lower-case hex digits
    const digest = hex(hmac(md5, utf8(c.password), challenge))
    return { _tag: 'Respond', response: utf8(`${c.username} ${digest}`), progress: { round: 1, scratch: '' } }
  },
  done: () => true,
}
