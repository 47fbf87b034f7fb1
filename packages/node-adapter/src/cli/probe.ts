/**
 * `smtpure probe host[:port]`: connect, STARTTLS (or implicit TLS), and show what the server
 * offers, the TLS version and cipher, and its certificate; then QUIT. Nothing is sent.
 */
import { readFileSync } from 'node:fs'
import * as O from 'fp-ts/lib/Option.js'
import type { ConnectOptions, SmtpClient } from '../index.ts'
import { makeNodeApi } from '../index.ts'
import { COLORS, paint, showLine, type Io } from './io.ts'
import { EXIT, exitFor, parseServer, type ExitCode } from './send.ts'

export interface ProbeArgs {
  readonly server: string
  readonly tls: ConnectOptions['tls'] | undefined
  readonly ca: string | undefined
  readonly json: boolean
  readonly verbose: boolean
}

const describeClient = (client: SmtpClient): Record<string, unknown> => {
  const caps = client.capabilities
  return {
    secure: client.secure,
    tls: client.tls,
    extensions: caps.extensions.map((e) => [e.keyword, ...e.params].join(' ')),
    size: O.isSome(caps.size) ? caps.size.value : null,
    auth: caps.auth,
    pipelining: caps.pipelining,
    chunking: caps.chunking,
    smtpUtf8: caps.smtpUtf8,
    eightBitMime: caps.eightBitMime,
    dsn: caps.dsn,
    requireTls: caps.requireTls,
  }
}

export const runProbe = async (io: Io, a: ProbeArgs): Promise<ExitCode> => {
  const c = paint(io)
  const target = parseServer(a.server)
  const tls = a.tls ?? (target.port === 465 ? 'implicit' : 'opportunistic')
  const api = makeNodeApi()
  try {
    const client = await api.connect({
      ...target,
      tls,
      ...(a.ca !== undefined ? { ca: readFileSync(a.ca) } : {}),
      ...(a.verbose && !a.json ? { onTranscript: showLine(io) } : {}),
    })
    const info = describeClient(client)
    await client.quit()
    if (a.json) {
      io.out(JSON.stringify({ status: 'ok', server: a.server, ...info }))
      return EXIT.ok
    }
    io.out(c(COLORS.head, `${a.server}: ${client.secure ? c(COLORS.ok, 'encrypted') : c(COLORS.bad, 'not encrypted')}`))
    const t = client.tls
    if (t !== null) {
      io.out(`  TLS         ${t.protocol ?? '?'} ${t.cipher ?? ''}`)
      if (t.certificate !== null) {
        io.out(`  subject     ${t.certificate.subject}`)
        io.out(`  names       ${t.certificate.subjectAltNames.join(', ')}`)
        io.out(`  issuer      ${t.certificate.issuer}`)
        io.out(`  valid       ${t.certificate.validFrom} .. ${t.certificate.validTo}`)
        io.out(`  sha256      ${t.certificate.sha256}`)
      }
    }
    io.out(`  extensions  ${(info['extensions'] as string[]).join(' | ')}`)
    io.out(`  AUTH        ${client.capabilities.auth.join(' ') || '(none offered)'}`)
    return EXIT.ok
  } catch (e) {
    const code = exitFor(e)
    const message = e instanceof Error ? e.message : String(e)
    if (a.json) io.out(JSON.stringify({ status: 'failed', server: a.server, error: message }))
    else io.err(c(COLORS.bad, message))
    return code
  }
}
