/**
 * @smtpure/bun under real Bun against the servers the Node test runner started
 * (test/interop/bun.test.ts passes their endpoints in SMTPURE_SERVERS).
 */
import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { connect, sendMail, SmtpFailure } from '../mod.ts'

interface ServerInfo {
  name: string
  plain: number
  submission: number
  implicitTls: number
  username: string
  password: string
  messageDir: { path: string; format: 'postfix' | 'aiosmtpd' }
}
const env = JSON.parse(process.env['SMTPURE_SERVERS'] ?? 'null') as { caPem: string; unknownCaPem: string; servers: ServerInfo[] } | null
const from = 'sender@example.org'

const stored = async (s: ServerInfo, marker: string): Promise<string> => {
  const deadline = Date.now() + 30_000
  for (;;) {
    for (const f of readdirSync(s.messageDir.path).filter((x) => x.endsWith('.eml'))) {
      let text = readFileSync(`${s.messageDir.path}/${f}`, 'latin1')
      if (s.messageDir.format === 'postfix') text = text.replace(/\n/g, '\r\n')
      if (text.includes(marker)) return text
    }
    if (Date.now() > deadline) throw new Error(`no message with ${marker}`)
    await Bun.sleep(50)
  }
}

for (const s of env?.servers ?? []) {
  describe(`bun: ${s.name}`, () => {
    test('plain send, a 2 MB body byte-exact after normalization', async () => {
      const marker = `bun-${crypto.randomUUID()}`
      const lines = [`Subject: ${marker}`, '']
      for (let i = 0; i < 25_000; i++) lines.push(i % 7 === 0 ? `.dot ${i}` : `line ${i} ${'z'.repeat(70)}`)
      const wire = lines.map((l, i) => l + (i % 3 === 2 ? '\n' : '\r\n')).join('')
      const r = await sendMail({ host: '127.0.0.1', port: s.plain, tls: 'none', from, to: 'bun@example.test', body: wire })
      expect(r.reply.code).toBe(250)
      const got = await stored(s, marker)
      const want = lines.join('\r\n') + '\r\n'
      expect(got.slice(got.indexOf('\r\n\r\n') + 4)).toBe(want.slice(want.indexOf('\r\n\r\n') + 4))
    })
    test('STARTTLS + AUTH', async () => {
      const c = await connect({ host: 'localhost', port: s.submission, ca: env!.caPem, auth: { user: s.username, pass: s.password } })
      expect(c.secure).toBe(true)
      expect(c.authenticated).not.toBeNull()
      await c.send({ from, to: 'tls@example.test', body: 'Subject: x\r\n\r\nx\r\n' })
      await c.quit()
    })
    test('implicit TLS', async () => {
      const r = await sendMail({ host: 'localhost', port: s.implicitTls, tls: 'implicit', ca: env!.caPem, auth: { user: s.username, pass: s.password }, from, to: 'implicit@example.test', body: 'x' })
      expect(r.accepted.length).toBe(1)
    })
    test('wrong password', async () => {
      const e = await connect({ host: 'localhost', port: s.submission, ca: env!.caPem, auth: { user: s.username, pass: 'wrong' } }).catch((x: unknown) => x)
      expect(e instanceof SmtpFailure && e.error._tag === 'Rejected').toBe(true)
    })
    test('unknown CA refused', async () => {
      const e = await connect({ host: 'localhost', port: s.submission, ca: env!.unknownCaPem, auth: { user: s.username, pass: s.password } }).catch((x: unknown) => x)
      expect(e instanceof SmtpFailure && e.error._tag === 'TlsFailed').toBe(true)
    })
  })
}
