/**
 * The two narrow interfaces an adapter implements to run the engine on a platform. Their
 * contracts are what `Driver` relies on; a custom transport (Bun, Workers, a test double) needs
 * nothing else. See docs/TRANSPORTS.md.
 */

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
  upgradeTls(servername: string): Promise<Transport>
  close(): Promise<void>
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
