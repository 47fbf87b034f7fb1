/**
 * PLAIN (RFC 4616): one message, `authzid NUL authcid NUL passwd`, sent as the initial response
 * on the AUTH line (RFC 4954 §4), so no challenge is expected at all.
 */
import { utf8, concat } from '../Bytes.ts'
import type { SaslMechanism } from '../Sasl.ts'

const NUL_BYTE = new Uint8Array([0])

/** SASL PLAIN. */
export const plain: SaslMechanism = {
  name: 'PLAIN',
  strength: 10,
  revealsPassword: true,
  explicitOnly: false,
  done: () => true,
  start: (c) => ({
    // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
    initialResponse: concat([utf8(c.authzid ?? ''), NUL_BYTE, utf8(c.username), NUL_BYTE, utf8(c.password)]),
    progress: { round: 0, scratch: '' },
  }),
  // The whole exchange went out with AUTH; any challenge now is unexpected.
  respond: () => ({ _tag: 'Cancel', reason: 'unexpected challenge after the PLAIN initial response' }),
}
