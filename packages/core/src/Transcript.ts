/**
 * A readable record of a session: what the client sent (`C:`) and what the server answered
 * (`S:`). Credentials never appear: a sensitive Transmit is shown as its AUTH verb and
 * mechanism followed by `<redacted>`, and message content is summarized by size.
 */
import { fromUtf8 } from './Bytes.ts'
import type { Output } from './Output.ts'

/** One transcript line. */
export interface TranscriptLine {
  readonly direction: 'C' | 'S' | '*'
  readonly text: string
}

const lines = (bytes: Uint8Array): ReadonlyArray<string> =>
  fromUtf8(bytes)
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l, i, all) => !(l === '' && i === all.length - 1))

/** Lines for one engine output (nothing for events other than notable ones). */
export const fromOutput = (o: Output): ReadonlyArray<TranscriptLine> => {
  switch (o._tag) {
    case 'Transmit': {
      if (o.kind === 'body') return [{ direction: 'C', text: `<message content: ${o.bytes.length} octets>` }]
      if (o.sensitive) {
        return lines(o.bytes).map((l) => {
          const m = /^(AUTH [A-Z0-9_-]+)/i.exec(l)
          return { direction: 'C', text: m === null ? '<redacted>' : `${m[1]} <redacted>` }
        })
      }
      return lines(o.bytes).map((text) => ({ direction: 'C', text }))
    }
    case 'UpgradeTls':
      return [{ direction: '*', text: `TLS handshake with ${o.servername}` }]
    case 'Close':
      return [{ direction: '*', text: 'close' }]
    case 'Event':
      return o.event._tag === 'Ready' && o.event.secure ? [{ direction: '*', text: 'session ready (TLS)' }] : []
  }
}

/** Lines for bytes received from the server. */
export const fromReceived = (bytes: Uint8Array): ReadonlyArray<TranscriptLine> =>
  lines(bytes).map((text) => ({ direction: 'S', text }))

/** The transcript as text, one `C: ...` / `S: ...` line each. */
export const render = (t: ReadonlyArray<TranscriptLine>): string =>
  t.map((l) => `${l.direction}: ${l.text}`).join('\n')
