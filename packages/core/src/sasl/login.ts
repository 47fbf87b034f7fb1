/**
 * LOGIN (draft-murchison-sasl-login): the server prompts "Username:" then "Password:", each as a
 * base64 challenge, and the client answers each in turn. The prompt text is checked where it
 * says which one it is, so a password never answers a username prompt, and a third challenge is
 * cancelled.
 */
import { fromUtf8, utf8 } from '../Bytes.ts'
import type { SaslMechanism, SaslStep } from '../Sasl.ts'

const looksLike = (prompt: string, word: 'user' | 'pass'): boolean => prompt.toLowerCase().includes(word)

/** SASL LOGIN. */
export const login: SaslMechanism = {
  name: 'LOGIN',
  strength: 5,
  revealsPassword: true,
  explicitOnly: false,
  done: () => true,
  start: () => ({ initialResponse: null, progress: { round: 0, scratch: '' } }),
  respond: (c, progress, challenge): SaslStep => {
    const prompt = fromUtf8(challenge)
    switch (progress.round) {
      case 0:
        if (looksLike(prompt, 'pass')) return { _tag: 'Cancel', reason: 'asked for the password before the username' }
        return { _tag: 'Respond', response: utf8(c.username), progress: { round: 1, scratch: '' } }
      case 1:
        if (looksLike(prompt, 'user')) return { _tag: 'Cancel', reason: 'asked for the username twice' }
        return { _tag: 'Respond', response: utf8(c.password), progress: { round: 2, scratch: '' } }
      default:
        return { _tag: 'Cancel', reason: 'unexpected challenge after the password' }
    }
  },
}
