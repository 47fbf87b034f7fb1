/**
 * A throwaway aiosmtpd (Debian's python3-aiosmtpd, run by /usr/bin/python3) with a STARTTLS +
 * AUTH listener and an implicit-TLS listener. It stays up while its stdin is open, so it dies
 * with the test process.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { testCa } from './ca.ts'
import { pollMessages, pollRecipient, toReceived, type MailServer, type ReceivedMessage } from './types.ts'

export const AIOSMTPD_USER = { username: 'tester', password: 'aiosmtpd secret' }

const readMessages = (dir: string): ReadonlyArray<ReceivedMessage> =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => {
      const base = join(dir, f.slice(0, -4))
      const meta = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { sender: string; recipients: string[] }
      return toReceived(meta.sender, meta.recipients, readFileSync(`${base}.eml`))
    })

/** Start aiosmtpd. */
export const startAiosmtpd = async (): Promise<MailServer> => {
  const certs = await testCa()
  const dir = mkdtempSync(join(tmpdir(), 'smtpure-aiosmtpd-'))
  const script = new URL('./aiosmtpd_server.py', import.meta.url).pathname
  const child = spawn('/usr/bin/python3', [script, dir, certs.certFile, certs.keyFile, AIOSMTPD_USER.username, AIOSMTPD_USER.password], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
  const ports = await new Promise<{ starttls: number; implicit: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`aiosmtpd did not start: ${stderr}`)), 20_000)
    child.once('exit', (code) => reject(new Error(`aiosmtpd exited with ${code}: ${stderr}`)))
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer)
      resolve(JSON.parse(line) as { starttls: number; implicit: number })
    })
  })
  child.removeAllListeners('exit')
  return {
    name: 'aiosmtpd',
    plain: { host: '127.0.0.1', port: ports.starttls },
    submission: { host: '127.0.0.1', port: ports.starttls },
    implicitTls: { host: '127.0.0.1', port: ports.implicit },
    credentials: AIOSMTPD_USER,
    domain: 'example.test',
    messageDir: { path: dir, format: 'aiosmtpd' },
    waitForMessages: (count, timeoutMs = 20_000) => pollMessages(async () => readMessages(dir), count, timeoutMs),
    waitForRecipient: (recipient, timeoutMs = 30_000) => pollRecipient(async () => readMessages(dir), recipient, timeoutMs),
    clearMessages: async () => {
      for (const f of readdirSync(dir)) unlinkSync(join(dir, f))
    },
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
      child.stdin.end()
      const killer = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(killer)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
