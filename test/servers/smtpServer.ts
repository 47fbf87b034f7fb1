/**
 * The npm smtp-server package, in-process: STARTTLS + AUTH on one port, implicit TLS + AUTH on
 * another. Messages are kept in memory exactly as received.
 */
import { SMTPServer, type SMTPServerOptions } from 'smtp-server'
import { testCa } from './ca.ts'
import { pollMessages, pollRecipient, toReceived, type MailServer, type ReceivedMessage } from './types.ts'

export const SMTP_SERVER_USER = { username: 'node-user', password: 'smtp-server secret' }

/** Start smtp-server. */
export const startSmtpServer = async (): Promise<MailServer> => {
  const certs = await testCa()
  const messages: ReceivedMessage[] = []
  const options = (secure: boolean): SMTPServerOptions => ({
    secure,
    key: certs.keyPem,
    cert: certs.certPem,
    name: 'smtp-server.example.test',
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: true,
    size: 64 * 1024 * 1024,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_SERVER_USER.username && auth.password === SMTP_SERVER_USER.password) callback(null, { user: auth.username })
      else callback(new Error('Invalid username or password'))
    },
    onRcptTo(address, _session, callback) {
      const local = address.address.split('@')[0] ?? ''
      if (local.startsWith('reject')) callback(Object.assign(new Error('Recipient rejected by the test server'), { responseCode: 550 }))
      else if (local.startsWith('tempfail')) callback(Object.assign(new Error('Try again later'), { responseCode: 450 }))
      else callback()
    },
    onData(stream, session, callback) {
      const parts: Buffer[] = []
      stream.on('data', (d: Buffer) => parts.push(d))
      stream.on('end', () => {
        const sender = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address
        messages.push(toReceived(sender, session.envelope.rcptTo.map((r) => r.address), Buffer.concat(parts)))
        callback(null)
      })
    },
  })
  const listen = async (server: SMTPServer): Promise<number> => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const a = server.server.address()
    return typeof a === 'object' && a !== null ? a.port : 0
  }
  const plainServer = new SMTPServer(options(false))
  const tlsServer = new SMTPServer(options(true))
  const [plain, implicit] = await Promise.all([listen(plainServer), listen(tlsServer)])
  return {
    name: 'smtp-server',
    plain: { host: '127.0.0.1', port: plain },
    submission: { host: '127.0.0.1', port: plain },
    implicitTls: { host: '127.0.0.1', port: implicit },
    credentials: SMTP_SERVER_USER,
    domain: 'example.test',
    messageDir: null,
    waitForMessages: (count, timeoutMs = 20_000) => pollMessages(async () => [...messages], count, timeoutMs),
    waitForRecipient: (recipient, timeoutMs = 30_000) => pollRecipient(async () => [...messages], recipient, timeoutMs),
    clearMessages: async () => {
      messages.length = 0
    },
    stop: async () => {
      await Promise.all([plainServer, tlsServer].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
    },
  }
}
