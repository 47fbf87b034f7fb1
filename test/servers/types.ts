/** What every test server offers the interop tests. */

export interface Endpoint {
  readonly host: '127.0.0.1'
  readonly port: number
}

/** A message as the server stored it. */
export interface ReceivedMessage {
  readonly sender: string
  readonly recipients: ReadonlyArray<string>
  /** The whole message as delivered (CRLF line ends). */
  readonly raw: Buffer
  /** The bytes after the first empty line (the header/body separator). */
  readonly body: Buffer
}

export interface MailServer {
  readonly name: 'postfix' | 'aiosmtpd' | 'smtp-server'
  /** SMTP; STARTTLS offered, not required; no AUTH before TLS. */
  readonly plain: Endpoint
  /** STARTTLS required, then AUTH (PLAIN, LOGIN). */
  readonly submission?: Endpoint
  /** TLS from the first byte (RFC 8314), AUTH available. */
  readonly implicitTls: Endpoint
  /** No TLS at all (STARTTLS not advertised). */
  readonly noTls?: Endpoint
  readonly credentials: { readonly username: string; readonly password: string }
  /** Mail to any local part here is accepted; `reject...@` gets 550 and `tempfail...@` 450 at RCPT. */
  readonly domain: 'example.test'
  /** Where stored messages are (files), for tests in other runtimes; null for in-memory servers. */
  readonly messageDir: { readonly path: string; readonly format: 'postfix' | 'aiosmtpd' } | null
  waitForMessages(count: number, timeoutMs?: number): Promise<ReadonlyArray<ReceivedMessage>>
  /** The first stored message for `recipient` (delivery may be asynchronous, as in Postfix). */
  waitForRecipient(recipient: string, timeoutMs?: number): Promise<ReceivedMessage>
  clearMessages(): Promise<void>
  stop(): Promise<void>
}

/** Split a stored message into its parts. */
export const toReceived = (sender: string, recipients: ReadonlyArray<string>, raw: Buffer): ReceivedMessage => {
  const sep = raw.indexOf('\r\n\r\n')
  return { sender, recipients, raw, body: sep < 0 ? Buffer.alloc(0) : raw.subarray(sep + 4) }
}

/** Poll `read` until a message for `recipient` is there. */
export const pollRecipient = async (
  read: () => Promise<ReadonlyArray<ReceivedMessage>>,
  recipient: string,
  timeoutMs: number,
): Promise<ReceivedMessage> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = (await read()).find((m) => m.recipients.includes(recipient))
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`no message for ${recipient} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Poll `read` until it returns at least `count` messages. */
export const pollMessages = async (
  read: () => Promise<ReadonlyArray<ReceivedMessage>>,
  count: number,
  timeoutMs: number,
): Promise<ReadonlyArray<ReceivedMessage>> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const got = await read()
    if (got.length >= count) return got
    if (Date.now() > deadline) throw new Error(`expected ${count} messages, got ${got.length} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
