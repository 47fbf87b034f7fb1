/**
 * The narrow interfaces an adapter implements to run the engine on a platform. Their
 * contracts are what `Driver` relies on; a custom transport (Bun, Workers, a test double) needs
 * nothing else. See docs/TRANSPORTS.md.
 */
import type { Lookup, MxRecord, SrvRecord } from './Routing.ts'


/**
 * A byte stream to the server.
 * - `read` resolves with the next bytes, or `null` at end of stream. The driver never calls it
 *   again before the previous call settled, and never while `upgradeTls` runs (RFC 3207: no
 *   plaintext may be read after the STARTTLS 220). A broken connection may reject.
 * - `write` resolves once the bytes are handed to the OS (back-pressure: it MUST NOT resolve
 *   while the platform's buffer is over its high-water mark). The driver never calls it again
 *   before the previous call settled.
 * - `upgradeTls` runs a TLS client handshake over this connection, verifying the certificate for
 *   `servername`, and resolves with the TLS transport (this one is not used again). It rejects
 *   with an Error whose message says why the handshake failed.
 * - `close` closes the connection; it never rejects.
 */
export interface Transport {
  read(): Promise<Uint8Array | null>
  write(bytes: Uint8Array): Promise<void>
  /**
   * Optional: write several arrays in order, as `write` would one after another, in as few
   * system calls as the platform allows (the driver uses it for a body's end plus the next
   * pipelined envelope). Same contract as `write`.
   */
  writev?(chunks: ReadonlyArray<Uint8Array>): Promise<void>
  /**
   * Optional: set when a write's promise resolves only once the platform no longer reads the
   * bytes (they are in the OS, not queued by reference). The driver then dot-stuffs every chunk
   * of a body into one reused buffer instead of a new array per chunk.
   */
  readonly releasesWrittenBytes?: boolean
  upgradeTls(servername: string): Promise<Transport>
  close(): Promise<void>
  /** Optional: what TLS was negotiated, for display (`smtpure probe`); null on a plain connection. */
  tlsInfo?(): TlsInfo | null
}

/** The negotiated TLS parameters and the server's certificate, as an adapter can describe them. */
export interface TlsInfo {
  /** e.g. `TLSv1.3`. */
  readonly protocol: string | null
  readonly cipher: string | null
  readonly certificate: {
    readonly subject: string
    readonly issuer: string
    readonly subjectAltNames: ReadonlyArray<string>
    readonly validFrom: string
    readonly validTo: string
    readonly sha256: string
  } | null
}

/**
 * Time, as the engine sees it: a monotonic millisecond clock and one-shot timers. `setTimer`
 * calls `fire` once at or after `at` (a `now()` value) unless the returned cancel function was
 * called first.
 */
export interface Clock {
  now(): number
  setTimer(at: number, fire: () => void): () => void
}

/**
 * DNS, as routing needs it (optional: only direct delivery and submission discovery use it). Each
 * method classifies its answer (see `Routing.Lookup`) and never rejects: NXDOMAIN is `NoDomain`,
 * an empty answer `NoRecords`, anything else that went wrong `LookupFailed`.
 */
export interface Resolver {
  mx(domain: string): Promise<Lookup<MxRecord>>
  srv(name: string): Promise<Lookup<SrvRecord>>
  /** IPv4 addresses (A records). */
  a(host: string): Promise<Lookup<string>>
  /** IPv6 addresses (AAAA records). */
  aaaa(host: string): Promise<Lookup<string>>
}
