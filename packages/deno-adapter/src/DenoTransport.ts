/**
 * The Transport contract over Deno's sockets: `Deno.connect`, `Deno.connectTls` (implicit TLS)
 * and `Deno.startTls` (STARTTLS; Deno refuses it while a read is pending, and the driver never
 * has one then).
 */
import type { Transport } from '@smtpure/core'

/** TLS settings for Deno. */
export interface DenoTlsSettings {
  /** Extra trusted CA certificates (PEM). */
  readonly caCerts?: ReadonlyArray<string>
}

/** Largest read at once. */
export const READ_BUFFER_OCTETS = 64 * 1024

/** A Transport over a Deno connection. */
export class DenoTransport implements Transport {
  constructor(
    private readonly conn: Deno.Conn | Deno.TlsConn,
    private readonly settings: DenoTlsSettings,
  ) {}

  async read(): Promise<Uint8Array | null> {
    const buf = new Uint8Array(READ_BUFFER_OCTETS)
    const n = await this.conn.read(buf)
    return n === null ? null : buf.subarray(0, n)
  }

  /** `Deno.Conn.write` settles once the OS took the bytes; nothing keeps them after `write`. */
  readonly releasesWrittenBytes = true

  async write(bytes: Uint8Array): Promise<void> {
    // Deno.Conn.write may write only part of the buffer.
    let at = 0
    while (at < bytes.length) at += await this.conn.write(bytes.subarray(at))
  }

  async upgradeTls(servername: string): Promise<Transport> {
    const tls = await Deno.startTls(this.conn as Deno.TcpConn, {
      hostname: servername,
      ...(this.settings.caCerts !== undefined ? { caCerts: [...this.settings.caCerts] } : {}),
    })
    await tls.handshake()
    return new DenoTransport(tls, this.settings)
  }

  close(): Promise<void> {
    try {
      this.conn.close()
    } catch {
      // already closed
    }
    return Promise.resolve()
  }
}

/** Connect (and for implicit TLS, handshake) to host:port. */
export const connectDeno = async (
  target: { host: string; port: number; implicitTls: boolean; address?: string },
  settings: DenoTlsSettings,
): Promise<DenoTransport> => {
  if (!target.implicitTls || target.address !== undefined) {
    const conn = await Deno.connect({ hostname: target.address ?? target.host, port: target.port, transport: 'tcp' })
    conn.setNoDelay(true)
    const plain = new DenoTransport(conn, settings)
    // Connected to an address: TLS (if implicit) is started over it, verified for the host name.
    return target.implicitTls ? ((await plain.upgradeTls(target.host)) as DenoTransport) : plain
  }
  const conn = await Deno.connectTls({
    hostname: target.host,
    port: target.port,
    ...(settings.caCerts !== undefined ? { caCerts: [...settings.caCerts] } : {}),
  })
  await conn.handshake()
  return new DenoTransport(conn, settings)
}
