/**
 * @smtpure/workers in a local workerd (the `workerd` npm package): the worker is bundled with
 * esbuild, and each request makes it send a message through `cloudflare:sockets` to a real
 * server started here (Postfix: plain, STARTTLS + AUTH, implicit TLS).
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { build } from 'esbuild'
import { freePort, startPostfix, testCa, waitForPort, type MailServer } from '../servers/index.ts'

const root = new URL('../../', import.meta.url).pathname

describe('Workers (workerd)', { timeout: 180_000 }, () => {
  let server: MailServer
  let workerd: ChildProcess
  let port: number
  let dir: string
  let log = ''
  before(async () => {
    const certs = await testCa()
    server = await startPostfix()
    dir = mkdtempSync(join(tmpdir(), 'smtpure-workerd-'))
    await build({
      entryPoints: [join(root, 'packages/workers-adapter/test/worker.ts')],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      conditions: ['smtpure-source'],
      mainFields: ['module', 'main'],
      external: ['cloudflare:sockets'],
      outfile: join(dir, 'worker.js'),
      logLevel: 'error',
    })
    writeFileSync(join(dir, 'ca.pem'), certs.caPem)
    port = await freePort()
    writeFileSync(
      join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"], tlsOptions = (trustedCertificates = [ embed "ca.pem" ]))),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2024-09-23",
  compatibilityFlags = ["nodejs_compat"],
);
`,
    )
    workerd = spawn(join(root, 'node_modules/.bin/workerd'), ['serve', join(dir, 'config.capnp'), '--verbose'], { stdio: ['ignore', 'pipe', 'pipe'] })
    workerd.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)))
    workerd.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)))
    await waitForPort(port, 30_000)
  })
  after(async () => {
    workerd?.kill()
    await server?.stop()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  const ask = async (params: Record<string, string>): Promise<{ ok: boolean; tag?: string; message?: string; accepted?: number; transcript?: string[] }> => {
    const res = await fetch(`http://127.0.0.1:${port}/?${new URLSearchParams(params)}`)
    const text = await res.text()
    try {
      return JSON.parse(text)
    } catch {
      throw new Error(`workerd answered ${res.status}: ${text}\n${log}`)
    }
  }

  test('plain send through cloudflare:sockets', async () => {
    const marker = `workers-${Date.now()}`
    const r = await ask({ port: String(server.plain.port), tls: 'none', to: 'w1@example.test', marker })
    assert.equal(r.ok, true, JSON.stringify(r) + log)
    const m = await server.waitForRecipient('w1@example.test')
    assert.equal(m.body.toString(), '.dot\r\nline\r\n')
  })

  test('STARTTLS (socket.startTls) + AUTH', async () => {
    const r = await ask({ host: 'localhost', port: String(server.submission!.port), tls: 'required', user: server.credentials.username, pass: server.credentials.password, to: 'w2@example.test' })
    assert.equal(r.ok, true, JSON.stringify(r) + log)
    assert.ok(r.transcript!.some((l) => l.includes('TLS handshake')))
  })

  test('implicit TLS', async () => {
    const r = await ask({ host: 'localhost', port: String(server.implicitTls.port), tls: 'implicit', user: server.credentials.username, pass: server.credentials.password, to: 'w3@example.test' })
    assert.equal(r.ok, true, JSON.stringify(r) + log)
  })
})
