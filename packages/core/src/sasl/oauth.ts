/**
 * Bearer-token mechanisms: XOAUTH2 (Google/Microsoft) and OAUTHBEARER (RFC 7628). The
 * credentials' password field carries the access token. They are used only when the caller
 * names them, so a password is never sent as a token.
 */
import { utf8 } from '../Bytes.ts'
import type { SaslMechanism, SaslStep } from '../Sasl.ts'

/** XOAUTH2: `user=U ^A auth=Bearer T ^A ^A`; an error arrives as a 334 JSON, answered empty. */
export const xoauth2: SaslMechanism = {
  name: 'XOAUTH2',
  strength: 0,
  revealsPassword: true,
  explicitOnly: true,
  start: (c) => ({ initialResponse: utf8(`user=${c.username}\x01auth=Bearer ${c.password}\x01\x01`), progress: { round: 0, scratch: '' } }),
  respond: (_c, progress): SaslStep =>
    progress.round === 0
      ? // The 334 carries the error details; the empty answer lets the server send its 535.
        { _tag: 'Respond', response: new Uint8Array(0), progress: { round: 1, scratch: '' } }
      : { _tag: 'Cancel', reason: 'unexpected challenge' },
  done: () => true,
}

/** OAUTHBEARER (RFC 7628 §3.1): GS2 header, then key-value pairs separated by ^A. */
export const oauthBearer: SaslMechanism = {
  name: 'OAUTHBEARER',
  strength: 0,
  revealsPassword: true,
  explicitOnly: true,
  start: (c) => ({
    initialResponse: utf8(`n,a=${c.username.replace(/=/g, '=3D').replace(/,/g, '=2C')},\x01auth=Bearer ${c.password}\x01\x01`),
    progress: { round: 0, scratch: '' },
  }),
  respond: (_c, progress): SaslStep =>
    progress.round === 0
      ? // RFC 7628 §3.2.3: after an error challenge the client sends a single ^A.
        { _tag: 'Respond', response: utf8('\x01'), progress: { round: 1, scratch: '' } }
      : { _tag: 'Cancel', reason: 'unexpected challenge' },
  done: () => true,
}
