/**
 * The Transport contract over Node's `net`/`tls` sockets. Reads pull from a paused socket (no
 * 'data' listener), so nothing is read ahead of what the engine asked for, and STARTTLS wraps a
 * socket with no read pending (RFC 3207).
 */
import { isIP } from 'node:net'
import * as net from 'node:net'
import type * as tls from 'node:tls'
import type { TlsInfo, Transport } from '@smtpure/core'

/** TLS settings shared by implicit TLS and STARTTLS. */
export interface TlsSettings {
  /** Extra trusted CA certificates (PEM), added to Node's defaults... */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>
  /**
   * Accept any certificate, for a test server you control. Never use it for real mail: it lets
   * anyone on the path read and change everything, including the password.
   */
  readonly dangerouslyAllowInvalidCertificates?: boolean
  /** Anything else for tls.connect (client certificates, ciphers, minVersion, ...). */
  readonly tlsOptions?: tls.ConnectionOptions
}

/** tls.connect options for a server name: SNI only for host names (RFC 6066 §3), checks on. */
export const tlsConnectOptions = (servername: string, s: TlsSettings): tls.ConnectionOptions => ({
  minVersion: 'TLSv1.2',
  ...s.tlsOptions,
  // The identity checked against the certificate (an IP literal is checked against IP SANs).
  host: servername,
  ...(isIP(servername) === 0 ? { servername } : {}),
  ...(s.ca !== undefined ? { ca: s.ca as string | Buffer | Array<string | Buffer> } : {}),
  rejectUnauthorized: s.dangerouslyAllowInvalidCertificates !== true,
})

/**
 * `node:tls`, loaded on first use: a session that never starts TLS does not pay for it (about
 * 3 MB of memory at start-up).
 */
let tlsModule: Promise<typeof tls> | null = null
const loadTls = (): Promise<typeof tls> => (tlsModule ??= import('node:tls'))

const tlsHandshake = async (options: tls.ConnectionOptions): Promise<tls.TLSSocket> => {
  const { connect } = await loadTls()
  return new Promise((resolve, reject) => {
    const socket = connect(options)
    const onError = (e: Error): void => {
      socket.destroy()
      reject(e)
    }
    socket.once('error', onError)
    socket.once('secureConnect', () => {
      socket.off('error', onError)
      resolve(socket)
    })
  })
}

const isTlsSocket = (s: net.Socket): s is tls.TLSSocket => (s as Partial<tls.TLSSocket>).encrypted === true

/** How long a closed connection may wait for the peer's FIN before it is destroyed. */
export const CLOSE_GRACE_MS = 2000

/** A Transport over a connected socket. */
export class NodeTransport implements Transport {
  private ended = false
  private failure: Error | null = null
  /** The pending read's retry, if one waits. */
  private wake: (() => void) | null = null

  constructor(
    readonly socket: net.Socket,
    private readonly settings: TlsSettings,
  ) {
    socket.setNoDelay(true)
    socket.pause()
    socket.on('end', () => {
      this.ended = true
      this.wake?.()
    })
    socket.on('error', (e) => {
      this.failure = e
      this.wake?.()
    })
    socket.on('close', () => {
      this.ended = true
      this.wake?.()
    })
  }

  read(): Promise<Uint8Array | null> {
    return new Promise((resolve, reject) => {
      const s = this.socket
      const attempt = (): boolean => {
        const chunk = s.read() as Buffer | null
        if (chunk !== null) resolve(chunk)
        else if (this.failure !== null) reject(this.failure)
        else if (this.ended || s.destroyed) resolve(null)
        else return false
        return true
      }
      if (attempt()) return
      // Only 'readable' is added per read; end, close and error wake the read through the
      // listeners the constructor keeps (adding four listeners per read cost more than the read).
      const onEvent = (): void => {
        if (!attempt()) return
        s.off('readable', onEvent)
        this.wake = null
      }
      s.on('readable', onEvent)
      this.wake = onEvent
    })
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.writev([bytes])
  }

  /** A write resolves only once its bytes are in the OS (see `writev`). */
  readonly releasesWrittenBytes = true

  writev(chunks: ReadonlyArray<Uint8Array>): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = this.socket
      if (s.destroyed || this.failure !== null) {
        reject(this.failure ?? new Error('socket closed'))
        return
      }
      // Called once the last chunk (and so every one before it) is in the OS, or when it was
      // lost. Node calls it for a write cut short by a reset too, but with no error: a destroyed
      // socket is the sign.
      const written = (e?: Error | null): void => {
        if ((e === null || e === undefined) && !s.destroyed) resolve()
        else reject(this.failure ?? e ?? new Error('socket closed'))
      }
      // The driver hands over what one wake-up produced (a body's end, the next pipelined
      // envelope): one system call, now.
      const last = chunks.length - 1
      if (last === 0) s.write(chunks[0]!, written)
      else {
        s.cork()
        for (let i = 0; i <= last; i++) s.write(chunks[i]!, i === last ? written : undefined)
        s.uncork()
      }
      // The OS took everything at once (the usual case): resolve without waiting for the callback.
      // Otherwise Node still reads our arrays, and the callback comes once it is done with them,
      // which is also after any back-pressure has cleared.
      if (s.writableLength === 0) resolve()
    })
  }

  async upgradeTls(servername: string): Promise<Transport> {
    const secure = await tlsHandshake({ ...tlsConnectOptions(servername, this.settings), socket: this.socket })
    return new NodeTransport(secure, this.settings)
  }

  tlsInfo(): TlsInfo | null {
    if (!isTlsSocket(this.socket)) return null
    const cert = this.socket.getPeerCertificate()
    const name = (o: Record<string, string | string[] | undefined> | undefined): string =>
      o === undefined ? '' : Object.entries(o).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v ?? ''}`).join(', ')
    return {
      protocol: this.socket.getProtocol(),
      cipher: this.socket.getCipher()?.name ?? null,
      certificate:
        cert !== undefined && Object.keys(cert).length > 0
          ? {
              subject: name(cert.subject as unknown as Record<string, string>),
              issuer: name(cert.issuer as unknown as Record<string, string>),
              subjectAltNames: (cert.subjectaltname ?? '').split(', ').filter((x) => x !== ''),
              validFrom: cert.valid_from,
              validTo: cert.valid_to,
              sha256: cert.fingerprint256,
            }
          : null,
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      const s = this.socket
      if (s.destroyed) {
        resolve()
        return
      }
      // A peer that never closes its side must not keep us waiting.
      const timer = setTimeout(() => s.destroy(), CLOSE_GRACE_MS)
      timer.unref()
      s.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
      s.end()
      // Nothing more is read for the engine; let the peer's FIN (and any late bytes) drain so the
      // socket closes now instead of when the grace timer fires.
      s.resume()
    })
  }
}

/** Where to connect. */
export interface Endpoint {
  readonly host: string
  readonly port: number
  /** Implicit TLS (RFC 8314 §3): handshake before the first SMTP byte. */
  readonly implicitTls: boolean
  /** Connect to this IP address instead of resolving `host`; TLS still verifies `host`. */
  readonly address?: string
  readonly signal?: AbortSignal
}

/** Open a TCP (or implicit-TLS) connection. */
export const connectNode = async (e: Endpoint, settings: TlsSettings): Promise<NodeTransport> => {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host: e.address ?? e.host, port: e.port })
    const onAbort = (): void => fail(new Error('aborted'))
    const fail = (err: Error): void => {
      e.signal?.removeEventListener('abort', onAbort)
      s.destroy()
      reject(err)
    }
    e.signal?.addEventListener('abort', onAbort, { once: true })
    s.once('error', fail)
    s.once('connect', () => {
      e.signal?.removeEventListener('abort', onAbort)
      s.off('error', fail)
      resolve(s)
    })
  })
  if (!e.implicitTls) return new NodeTransport(socket, settings)
  try {
    const secure = await tlsHandshake({ ...tlsConnectOptions(e.host, settings), socket })
    return new NodeTransport(secure, settings)
  } catch (err) {
    socket.destroy()
    throw err
  }
}
