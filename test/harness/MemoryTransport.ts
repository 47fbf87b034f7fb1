/**
 * An in-memory connection with a scripted server on the far side. The script is a list of
 * steps run in order: expect client bytes, send server bytes, accept a TLS upgrade, close.
 * Every client byte is recorded, so a test can compare the whole conversation.
 */
import type { Transport } from '@smtpure/core'

export type ScriptStep =
  /** Wait until the client has sent exactly this text next (CRLF included). */
  | { readonly expect: string }
  /** Wait until the client has sent this many more octets (message content), keep them. */
  | { readonly expectOctets: number }
  /** Send this text (one read on the client side). */
  | { readonly send: string }
  /** The client must call upgradeTls now; succeed (or fail with `reason`). */
  | { readonly tls: 'ok' | { readonly fail: string } }
  /** Close the connection (the client reads EOF). */
  | { readonly close: true }
  /** Stop serving: the client hears nothing more (for timeouts). */
  | { readonly silence: true }

export class ScriptError extends Error {}

/** The server side of a MemoryTransport. */
export class ScriptedServer {
  readonly received: Uint8Array[] = []
  private inbox = ''
  private readonly toClient: Array<Uint8Array | null> = []
  private readerWaiting: ((b: Uint8Array | null) => void) | null = null
  private inboxWaiter: (() => void) | null = null
  private tlsWaiter: ((name: string) => void) | null = null
  readonly done: Promise<void>
  upgrades: string[] = []
  clientClosed = false
  failure: Error | null = null

  constructor(private readonly script: ReadonlyArray<ScriptStep>) {
    this.done = this.run().catch((e: Error) => {
      this.failure = e
    })
  }

  /** Everything the client wrote, as text. */
  clientText(): string {
    return Buffer.concat(this.received).toString('latin1')
  }

  private push(b: Uint8Array | null): void {
    if (this.readerWaiting !== null) {
      const w = this.readerWaiting
      this.readerWaiting = null
      w(b)
    } else {
      this.toClient.push(b)
    }
  }

  private waitInbox(): Promise<void> {
    return new Promise((resolve) => (this.inboxWaiter = resolve))
  }

  private async run(): Promise<void> {
    for (const s of this.script) {
      if ('send' in s) {
        this.push(Buffer.from(s.send, 'latin1'))
      } else if ('expect' in s) {
        while (this.inbox.length < s.expect.length && !this.clientClosed) await this.waitInbox()
        const got = this.inbox.slice(0, s.expect.length)
        if (got !== s.expect) throw new ScriptError(`expected ${JSON.stringify(s.expect)}, got ${JSON.stringify(this.inbox.slice(0, 200))}`)
        this.inbox = this.inbox.slice(s.expect.length)
      } else if ('expectOctets' in s) {
        while (this.inbox.length < s.expectOctets && !this.clientClosed) await this.waitInbox()
        if (this.inbox.length < s.expectOctets) throw new ScriptError(`expected ${s.expectOctets} octets, got ${this.inbox.length}`)
        this.inbox = this.inbox.slice(s.expectOctets)
      } else if ('tls' in s) {
        const name = await new Promise<string>((resolve) => (this.tlsWaiter = resolve))
        this.upgrades.push(name)
        if (s.tls !== 'ok') throw new ScriptError(`tls:${s.tls.fail}`)
      } else if ('close' in s) {
        this.push(null)
      } else {
        return
      }
    }
  }

  // ---- called by the client transport

  clientWrite(bytes: Uint8Array): void {
    if (this.clientClosed) throw new Error('write after close')
    this.received.push(Uint8Array.from(bytes))
    this.inbox += Buffer.from(bytes).toString('latin1')
    const w = this.inboxWaiter
    this.inboxWaiter = null
    w?.()
  }

  clientRead(): Promise<Uint8Array | null> {
    const next = this.toClient.shift()
    if (next !== undefined) return Promise.resolve(next)
    return new Promise((resolve) => (this.readerWaiting = resolve))
  }

  async clientUpgrade(name: string): Promise<void> {
    if (this.readerWaiting !== null) throw new Error('upgradeTls called while a read is pending')
    if (this.tlsWaiter === null) {
      // Give the script a turn to reach its tls step.
      await new Promise((r) => setImmediate(r))
    }
    const w = this.tlsWaiter
    if (w === null) throw new Error('the script does not expect a TLS upgrade here')
    this.tlsWaiter = null
    w(name)
    await new Promise((r) => setImmediate(r))
    if (this.failure instanceof ScriptError && this.failure.message.startsWith('tls:')) {
      throw new Error(this.failure.message.slice(4))
    }
  }

  clientClose(): void {
    this.clientClosed = true
    const w = this.inboxWaiter
    this.inboxWaiter = null
    w?.()
  }
}

/** The client side: a Transport over the scripted server. */
export class MemoryTransport implements Transport {
  constructor(readonly server: ScriptedServer, readonly secure = false) {}

  read(): Promise<Uint8Array | null> {
    return this.server.clientRead()
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.server.clientWrite(bytes)
  }

  async upgradeTls(servername: string): Promise<Transport> {
    await this.server.clientUpgrade(servername)
    return new MemoryTransport(this.server, true)
  }

  async close(): Promise<void> {
    this.server.clientClose()
  }
}
