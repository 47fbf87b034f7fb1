/**
 * @smtpure/deno: send mail from Deno with the smtpure engine.
 *
 *   import { connect } from '@smtpure/deno'
 *   const client = await connect({ host: 'smtp.example.org', auth: { user, pass } })
 *   await client.send({ from, to, body })
 *   await client.quit()
 *
 * Needs --allow-net (and --allow-read for CA files you load yourself).
 */
import { Api } from '@smtpure/core'
import { denoClock } from './src/DenoClock.ts'
import { connectDeno, type DenoTlsSettings } from './src/DenoTransport.ts'
import { denoResolver } from './src/DenoResolver.ts'
import type { Resolver } from '@smtpure/core'

export { DenoTransport, connectDeno, type DenoTlsSettings } from './src/DenoTransport.ts'
export { denoClock } from './src/DenoClock.ts'
export { denoResolver, type NameServer } from './src/DenoResolver.ts'
export { SmtpClient, SmtpFailure, DeliveryError, PoolClosed, type Message, type SendResult, type DirectMessage, type PoolOutcome } from '@smtpure/core'

/** Connection options for Deno: the common ones plus `caCerts`. */
export type ConnectOptions = Api.ConnectOptions<DenoTlsSettings>
type DenoApi = Api.Api<DenoTlsSettings>

/** Options for direct delivery from Deno. */
export type DirectOptions = Api.DirectOptions<DenoTlsSettings>

/**
 * The API over Deno with a chosen resolver (e.g. `denoResolver({ ipAddr: '127.0.0.1', port: 5353 })`).
 * The module's own functions use the system's resolver.
 */
export const makeDenoApi = (o: { readonly resolver?: Resolver } = {}): DenoApi =>
  Api.makeApi<DenoTlsSettings>({
    dial: (target, settings) => connectDeno(target, settings),
    isTlsError: (e) => e instanceof Error && (e.name === 'InvalidData' || /certificate|tls|handshake|CA/i.test(e.message)),
    clock: denoClock,
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
    defaultClientName: () => {
      try {
        const h = Deno.hostname()
        return /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(h) ? h : null
      } catch {
        return null
      }
    },
    resolver: o.resolver ?? denoResolver(),
  })

const api: DenoApi = makeDenoApi()

/** Connect, greet, STARTTLS and log in as the options say. Rejects with SmtpFailure. */
export const connect: DenoApi['connect'] = api.connect
/** One message, one connection: connect, send, quit. */
export const sendMail: DenoApi['sendMail'] = api.sendMail
/** `connect` as a TaskEither. */
export const connectTE: DenoApi['connectTE'] = api.connectTE
/** `client.send` as a TaskEither (data-last). */
export const sendTE: DenoApi['sendTE'] = api.sendTE
/** `client.quit` as a TaskEither. */
export const quitTE: DenoApi['quitTE'] = api.quitTE
/** `sendMail` as a TaskEither. */
export const sendMailTE: DenoApi['sendMailTE'] = api.sendMailTE
/** Direct delivery to each recipient domain's MX hosts; resolves with every recipient's fate. */
export const sendDirect: DenoApi['sendDirect'] = api.sendDirect
/** Submission servers for an address or domain, via SRV then the smtp.<domain> guess. */
export const discoverSubmission: DenoApi['discoverSubmission'] = api.discoverSubmission
/** A pool of connections for bulk sending. */
export const createPool: DenoApi['createPool'] = api.createPool
