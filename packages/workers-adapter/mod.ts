/**
 * @smtpure/workers: smtpure on Cloudflare Workers (and workerd) over `cloudflare:sockets`.
 *
 *   import { connect } from 'cloudflare:sockets'
 *   import { makeWorkersApi } from '@smtpure/workers'
 *   const smtp = makeWorkersApi(connect)
 *   await smtp.sendMail({ host, port: 587, auth: { user, pass }, from, to, body })
 *
 * Certificates are checked by the runtime's trust store; STARTTLS needs no read pending, which
 * the driver guarantees.
 */
import { Api, type Clock } from '@smtpure/core'
import { connectWorkers, type WorkersConnect } from './src/WorkersTransport.ts'

export { WorkersTransport, connectWorkers, type WorkersConnect, type WorkersSocket } from './src/WorkersTransport.ts'
export { SmtpClient, SmtpFailure, DeliveryError } from '@smtpure/core'

/** Workers freeze Date.now() during I/O-free execution; performance.now() is the same clock there. */
export const workersClock: Clock = {
  now: () => performance.now(),
  setTimer: (at, fire) => {
    const t = setTimeout(fire, Math.max(0, at - performance.now()))
    return () => clearTimeout(t)
  },
}

/** The smtpure API over the given `connect` from cloudflare:sockets. */
export const makeWorkersApi = (connect: WorkersConnect): Api.Api<{}> =>
  Api.makeApi<{}>({
    dial: (target) => connectWorkers(connect, target),
    isTlsError: (e) => e instanceof Error && /tls|ssl|cert|handshake/i.test(e.message),
    clock: workersClock,
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
    defaultClientName: () => null,
  })
