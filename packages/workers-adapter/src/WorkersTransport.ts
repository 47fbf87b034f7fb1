/**
 * The Transport contract over Cloudflare Workers' TCP sockets (`connect()` from
 * `cloudflare:sockets`, and `socket.startTls()` for STARTTLS). Reads and writes go through the
 * socket's web streams; before STARTTLS both locks are released, as startTls requires.
 */
import type { Transport } from '@smtpure/core'

/** The parts of the Workers socket API used here. */
export interface WorkersSocket {
  readonly readable: ReadableStream<Uint8Array>
  readonly writable: WritableStream<Uint8Array>
  readonly opened: Promise<unknown>
  close(): Promise<void>
  startTls(options?: { expectedServerHostname?: string }): WorkersSocket
}
export type WorkersConnect = (
  address: { hostname: string; port: number },
  options: { secureTransport: 'off' | 'on' | 'starttls'; allowHalfOpen?: boolean },
) => WorkersSocket

/** A Transport over a Workers socket. */
export class WorkersTransport implements Transport {
  private reader: ReadableStreamDefaultReader<Uint8Array>
  private writer: WritableStreamDefaultWriter<Uint8Array>

  constructor(private readonly socket: WorkersSocket) {
    this.reader = socket.readable.getReader()
    this.writer = socket.writable.getWriter()
  }

  async read(): Promise<Uint8Array | null> {
    const r = await this.reader.read()
    return r.done ? null : r.value
  }

  async write(bytes: Uint8Array): Promise<void> {
    // ready resolves when the stream's queue is under its high-water mark (back-pressure).
    await this.writer.ready
    await this.writer.write(bytes)
  }

  async upgradeTls(servername: string): Promise<Transport> {
    this.reader.releaseLock()
    this.writer.releaseLock()
    const secure = this.socket.startTls({ expectedServerHostname: servername })
    await secure.opened
    return new WorkersTransport(secure)
  }

  async close(): Promise<void> {
    try {
      await this.socket.close()
    } catch {
      // already closed
    }
  }
}

/** Connect with `connect` from cloudflare:sockets (passed in, so this module imports nothing platform-specific). */
export const connectWorkers = async (connect: WorkersConnect, target: { host: string; port: number; implicitTls: boolean }): Promise<WorkersTransport> => {
  const socket = connect({ hostname: target.host, port: target.port }, { secureTransport: target.implicitTls ? 'on' : 'starttls' })
  await socket.opened
  return new WorkersTransport(socket)
}
