/**
 * A tiny SMTP server over real loopback TCP whose replies a test decides: for pool and routing
 * tests that need a server to say 421, drop the line after the dot, or greet with 4xx. Lock-step
 * (no PIPELINING advertised); every command and message is recorded.
 */
import net from 'node:net'

export interface MiniMessage {
  readonly connection: number
  readonly from: string
  readonly to: ReadonlyArray<string>
  readonly data: string
  readonly at: number
}

export interface MiniBehaviour {
  /** The greeting; default `220 mini ESMTP`. */
  readonly greeting?: string
  /** Reply to MAIL (default 250); `'close'` answers 421 and closes. `n` counts MAILs on this connection. */
  readonly onMail?: (connection: number, n: number) => string | 'close'
  /** Reply to RCPT (default 250) for the address between the angle brackets. */
  readonly onRcpt?: (recipient: string) => string
  /** Reply to the final dot (default 250); `'drop'` closes without a reply. */
  readonly onDot?: (message: MiniMessage) => string | 'drop'
}

export interface MiniServer {
  readonly port: number
  readonly messages: ReadonlyArray<MiniMessage>
  readonly commands: ReadonlyArray<{ readonly connection: number; readonly line: string }>
  readonly connections: () => number
  close(): Promise<void>
}

/** Bounds for a test server too: no line or message may grow without limit. */
const MAX_LINE = 4096
const MAX_DATA = 1 << 20

export const startMiniSmtp = async (b: MiniBehaviour = {}, listenHost: '127.0.0.1' | '::1' = '127.0.0.1', port = 0): Promise<MiniServer> => {
  const messages: Array<MiniMessage> = []
  const commands: Array<{ connection: number; line: string }> = []
  const sockets = new Set<net.Socket>()
  let connections = 0
  const server = net.createServer((s) => {
    const id = ++connections
    // A test server never keeps the test process alive (a failed test may not reach its close).
    s.unref()
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
    s.on('error', () => {})
    let buf = ''
    let inData = false
    let data = ''
    let from = ''
    let to: Array<string> = []
    let mails = 0
    s.write(`${b.greeting ?? '220 mini ESMTP'}\r\n`)
    if ((b.greeting ?? '220').startsWith('4') || (b.greeting ?? '220').startsWith('5')) {
      s.end()
      return
    }
    s.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1')
      if (buf.length > MAX_DATA + MAX_LINE) s.destroy()
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n')
          if (end < 0) {
            if (buf.length > MAX_DATA) s.destroy()
            return
          }
          data += buf.slice(0, end + 2)
          buf = buf.slice(end + 5)
          inData = false
          const m: MiniMessage = { connection: id, from, to, data, at: Date.now() }
          const reply = b.onDot?.(m) ?? '250 2.0.0 queued'
          if (reply === 'drop') {
            messages.push({ ...m, data: `(dropped) ${m.data}` })
            s.destroy()
            return
          }
          messages.push(m)
          s.write(`${reply}\r\n`)
          continue
        }
        const nl = buf.indexOf('\r\n')
        if (nl < 0) {
          if (buf.length > MAX_LINE) s.destroy()
          return
        }
        const line = buf.slice(0, nl)
        buf = buf.slice(nl + 2)
        commands.push({ connection: id, line })
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO') s.write('250-mini\r\n250 ENHANCEDSTATUSCODES\r\n')
        else if (verb === 'HELO') s.write('250 mini\r\n')
        else if (verb === 'MAIL') {
          mails++
          const r = b.onMail?.(id, mails) ?? '250 2.1.0 ok'
          if (r === 'close') {
            s.end('421 4.3.2 closing, too many messages\r\n')
            return
          }
          if (r.startsWith('250')) {
            from = line
            to = []
          }
          s.write(`${r}\r\n`)
        } else if (verb === 'RCPT') {
          const recipient = line.replace(/^RCPT TO:<([^>]*)>.*$/i, '$1')
          const r = b.onRcpt?.(recipient) ?? '250 2.1.5 ok'
          if (r.startsWith('250')) to.push(recipient)
          s.write(`${r}\r\n`)
        } else if (verb === 'DATA') {
          inData = true
          data = ''
          s.write('354 go ahead\r\n')
        } else if (verb === 'RSET') s.write('250 2.0.0 ok\r\n')
        else if (verb === 'NOOP') s.write('250 2.0.0 ok\r\n')
        else if (verb === 'QUIT') {
          s.end('221 2.0.0 bye\r\n')
          return
        } else s.write('502 5.5.2 not implemented\r\n')
      }
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port, host: listenHost, ipv6Only: listenHost === '::1' }, () => resolve())
  })
  server.unref()
  const a = server.address()
  return {
    port: typeof a === 'object' && a !== null ? a.port : 0,
    messages,
    commands,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
