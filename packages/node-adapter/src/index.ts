/**
 * @smtpure/node: send mail from Node.js with the smtpure engine.
 *
 *   const client = await connect({ host: 'smtp.example.org', auth: { user, pass } })
 *   const result = await client.send({ from, to, body })
 *   await client.quit()
 *
 * The API itself lives in @smtpure/core (Api.ts); this package supplies sockets, TLS and a clock.
 */
import { hostname } from 'node:os'
import { Api } from '@smtpure/core'
import { nodeClock } from './NodeClock.ts'
import { connectNode, type TlsSettings } from './NodeTransport.ts'
import { nodeResolver } from './NodeResolver.ts'
import type { Resolver } from '@smtpure/core'

export { NodeTransport, connectNode, type TlsSettings } from './NodeTransport.ts'
export { nodeClock } from './NodeClock.ts'
export { nodeResolver } from './NodeResolver.ts'
export { SmtpClient, SmtpFailure, DeliveryError, PoolClosed, type Message, type SendResult, type DirectMessage, type PoolOutcome } from '@smtpure/core'
export type { Direct, Pool, Routing } from '@smtpure/core'

/** Connection options for Node: the common ones plus Node's TLS settings. */
export type ConnectOptions = Api.ConnectOptions<TlsSettings>

const looksLikeDomain = (h: string): boolean => /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(h)

type NodeApi = Api.Api<TlsSettings>

/** Options for direct delivery from Node. */
export type DirectOptions = Api.DirectOptions<TlsSettings>

/**
 * The API over Node with a chosen resolver (e.g. `nodeResolver(['127.0.0.1:5353'])` for a
 * private DNS server). The module's own functions use the system's resolver.
 */
export const makeNodeApi = (o: { readonly resolver?: Resolver } = {}): NodeApi =>
  Api.makeApi<TlsSettings>({
    dial: (target, settings) =>
      connectNode(
        {
          host: target.host,
          port: target.port,
          implicitTls: target.implicitTls,
          ...(target.address !== undefined ? { address: target.address } : {}),
          ...(target.signal !== undefined ? { signal: target.signal as AbortSignal } : {}),
        },
        settings,
      ),
    isTlsError: (e) => e instanceof Error && !/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ECONNRESET|timed out|aborted/.test(e.message),
    clock: nodeClock,
    // Web Crypto's CSPRNG (a global in Node 20): no module load for sessions that never need it.
    random: (n) => globalThis.crypto.getRandomValues(new Uint8Array(n)),
    defaultClientName: () => (looksLikeDomain(hostname()) ? hostname() : null),
    resolver: o.resolver ?? nodeResolver(),
  })

const api: NodeApi = makeNodeApi()

/** Connect, greet, STARTTLS and log in as the options say. Rejects with SmtpFailure. */
export const connect: NodeApi['connect'] = api.connect
/** One message, one connection: connect, send, quit. */
export const sendMail: NodeApi['sendMail'] = api.sendMail
/** `connect` as a TaskEither. */
export const connectTE: NodeApi['connectTE'] = api.connectTE
/** `client.send` as a TaskEither (data-last). */
export const sendTE: NodeApi['sendTE'] = api.sendTE
/** `client.quit` as a TaskEither. */
export const quitTE: NodeApi['quitTE'] = api.quitTE
/** `sendMail` as a TaskEither. */
export const sendMailTE: NodeApi['sendMailTE'] = api.sendMailTE
/** Direct delivery to each recipient domain's MX hosts; resolves with every recipient's fate. */
export const sendDirect: NodeApi['sendDirect'] = api.sendDirect
/** Submission servers for an address or domain, via SRV then the smtp.<domain> guess. */
export const discoverSubmission: NodeApi['discoverSubmission'] = api.discoverSubmission
/** A pool of connections for bulk sending. */
export const createPool: NodeApi['createPool'] = api.createPool
