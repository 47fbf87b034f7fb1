/**
 * The Transport contract over Bun's native sockets (`Bun.connect`, `socket.upgradeTLS`): a
 * custom transport written only from docs/TRANSPORTS.md. Bun pushes data to a handler, so reads
 * are served from a small queue that pauses the socket when it grows (bounded memory).
 */
import type { Transport } from '@smtpure/core'

/** The parts of Bun's socket API used here (Bun's own types are not a dependency). */
interface BunSocket {
  write(data: Uint8Array): number
  end(): void
  pause?(): void
  resume?(): void
  upgradeTLS?(options: { tls: BunTls; socket: Handlers }): [BunSocket, BunSocket]
}
interface BunTls {
  serverName?: string
  ca?: string | ReadonlyArray<string>
  rejectUnauthorized: boolean
}
interface Handlers {
  data(socket: BunSocket, data: Uint8Array): void
  open?(socket: BunSocket): void
  close(socket: BunSocket): void
  drain(socket: BunSocket): void
  error(socket: BunSocket, error: Error): void
  handshake?(socket: BunSocket, success: boolean, authorizationError: Error | null): void
  connectError?(socket: BunSocket, error: Error): void
}
declare const Bun: { connect(options: { hostname: string; port: number; tls?: BunTls; socket: Handlers }): Promise<BunSocket> }

/** TLS settings for Bun. */
export interface BunTlsSettings {
  /** Extra trusted CA certificates (PEM). */
  readonly ca?: string | ReadonlyArray<string>
  /** Accept any certificate (tests only: it defeats TLS). */
  readonly dangerouslyAllowInvalidCertificates?: boolean
}

/** Bytes queued from the socket before reads pause it. */
export const MAX_QUEUED_OCTETS = 1024 * 1024

const isIp = (h: string): boolean => /^[\d.]+$/.test(h) || h.includes(':')

/** The socket's events, turned into a pull interface. */
class Pipe implements Handlers {
  socket: BunSocket | null = null
  private queue: Uint8Array[] = []
  private queued = 0
  private ended = false
  private failure: Error | null = null
  private reader: (() => void) | null = null
  private drainer: (() => void) | null = null
  handshakeDone: ((ok: boolean, err: Error | null) => void) | null = null
  connectError: ((socket: BunSocket, error: Error) => void) | undefined = undefined

  private wake(): void {
    const r = this.reader
    this.reader = null
    r?.()
  }
  data(_s: BunSocket, data: Uint8Array): void {
    this.queue.push(Uint8Array.from(data))
    this.queued += data.length
    if (this.queued > MAX_QUEUED_OCTETS) this.socket?.pause?.()
    this.wake()
  }
  close(): void {
    this.ended = true
    this.wake()
    this.drainer?.()
  }
  drain(): void {
    const d = this.drainer
    this.drainer = null
    d?.()
  }
  error(_s: BunSocket, e: Error): void {
    this.failure = e
    this.wake()
    this.drainer?.()
  }
  handshake(_s: BunSocket, ok: boolean, err: Error | null): void {
    this.handshakeDone?.(ok, err)
  }
  async read(): Promise<Uint8Array | null> {
    for (;;) {
      const next = this.queue.shift()
      if (next !== undefined) {
        this.queued -= next.length
        if (this.queued <= MAX_QUEUED_OCTETS / 2) this.socket?.resume?.()
        return next
      }
      if (this.failure !== null) throw this.failure
      if (this.ended) return null
      await new Promise<void>((resolve) => (this.reader = resolve))
    }
  }
  /** Bun's `socket.write` is unbuffered: what it did not take is ours to retry, never kept. */
  readonly releasesWrittenBytes = true

  async write(bytes: Uint8Array): Promise<void> {
    let rest = bytes
    while (rest.length > 0) {
      if (this.failure !== null) throw this.failure
      if (this.ended || this.socket === null) throw new Error('socket closed')
      const n = this.socket.write(rest)
      rest = rest.subarray(Math.max(0, n))
      // Bun writes what it can; wait for 'drain' before the rest (back-pressure).
      if (rest.length > 0) await new Promise<void>((resolve) => (this.drainer = resolve))
    }
  }
  pendingBytes(): number {
    return this.queued
  }
  /** Bun calls handlers unbound: hand it arrow functions over this pipe. */
  handlers(): Handlers {
    return {
      data: (s, d) => this.data(s, d),
      close: () => this.close(),
      drain: () => this.drain(),
      error: (s, e) => this.error(s, e),
      handshake: (s, ok, err) => this.handshake(s, ok, err),
      connectError: (s, e) => this.connectError?.(s, e),
    }
  }
}

const tlsFor = (servername: string, s: BunTlsSettings): BunTls => ({
  ...(isIp(servername) ? {} : { serverName: servername }),
  ...(s.ca !== undefined ? { ca: s.ca } : {}),
  rejectUnauthorized: s.dangerouslyAllowInvalidCertificates !== true,
})

/** A Transport over a Bun socket. */
export class BunTransport implements Transport {
  constructor(
    private readonly pipe: Pipe,
    private readonly settings: BunTlsSettings,
  ) {}

  read(): Promise<Uint8Array | null> {
    return this.pipe.read()
  }
  write(bytes: Uint8Array): Promise<void> {
    return this.pipe.write(bytes)
  }
  async upgradeTls(servername: string): Promise<Transport> {
    // RFC 3207: plaintext that arrived after the 220 must not be read as if it came over TLS.
    if (this.pipe.pendingBytes() > 0) throw new Error('plaintext bytes arrived before the TLS handshake')
    const raw = this.pipe.socket
    if (raw === null || raw.upgradeTLS === undefined) throw new Error('this Bun cannot upgrade sockets to TLS')
    const secure = new Pipe()
    const done = new Promise<void>((resolve, reject) => {
      secure.handshakeDone = (ok, err) => (ok && err === null ? resolve() : reject(err ?? new Error('TLS handshake failed')))
    })
    const [, tls] = raw.upgradeTLS({ tls: tlsFor(servername, this.settings), socket: secure.handlers() })
    secure.socket = tls
    await done
    return new BunTransport(secure, this.settings)
  }
  async close(): Promise<void> {
    try {
      this.pipe.socket?.end()
    } catch {
      // already closed
    }
  }
}

/** Connect (and for implicit TLS, handshake) to host:port. */
export const connectBun = async (target: { host: string; port: number; implicitTls: boolean }, settings: BunTlsSettings): Promise<BunTransport> => {
  const pipe = new Pipe()
  const handshake = new Promise<void>((resolve, reject) => {
    pipe.handshakeDone = (ok, err) => (ok && err === null ? resolve() : reject(err ?? new Error('TLS handshake failed')))
  })
  const failed = new Promise<never>((_, reject) => {
    pipe.connectError = (_s: BunSocket, e: Error) => reject(e)
  })
  const socket = await Promise.race([
    Bun.connect({ hostname: target.host, port: target.port, ...(target.implicitTls ? { tls: tlsFor(target.host, settings) } : {}), socket: pipe.handlers() }),
    failed,
  ])
  pipe.socket = socket
  if (target.implicitTls) await handshake
  return new BunTransport(pipe, settings)
}
