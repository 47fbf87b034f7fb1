/**
 * @smtpure/bun: smtpure over Bun's native sockets. (The Node package also runs on Bun; this one
 * shows a transport written from the documented contract alone.)
 */
import { Api, type Clock } from '@smtpure/core'
import { connectBun, type BunTlsSettings } from './src/BunTransport.ts'

export { BunTransport, connectBun, type BunTlsSettings } from './src/BunTransport.ts'
export { SmtpClient, SmtpFailure, DeliveryError } from '@smtpure/core'

export const bunClock: Clock = {
  now: () => performance.now(),
  setTimer: (at, fire) => {
    const t = setTimeout(fire, Math.max(0, at - performance.now()))
    return () => clearTimeout(t)
  },
}

export type ConnectOptions = Api.ConnectOptions<BunTlsSettings>

const api: Api.Api<BunTlsSettings> = Api.makeApi<BunTlsSettings>({
  dial: (target, settings) => connectBun(target, settings),
  isTlsError: (e) => e instanceof Error && /cert|tls|ssl|handshake|self.signed|unable to verify|altname|expired/i.test(`${e.name} ${e.message} ${(e as { code?: string }).code ?? ''}`),
  clock: bunClock,
  random: (n) => crypto.getRandomValues(new Uint8Array(n)),
  defaultClientName: () => null,
})

export const connect = api.connect
export const sendMail = api.sendMail
export const connectTE = api.connectTE
export const sendTE = api.sendTE
export const quitTE = api.quitTE
export const sendMailTE = api.sendMailTE
