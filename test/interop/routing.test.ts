/**
 * Finding the server against a real DNS server (dnsmasq on loopback): direct delivery through MX
 * records to real SMTP servers, fallback across hosts and addresses, null MX, NXDOMAIN, implicit
 * MX; submission discovery through SRV; and the same through the CLI.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { makeNodeApi, nodeResolver, SmtpFailure } from '@smtpure/node'
import { main, EXIT } from '../../packages/node-adapter/src/cli.ts'
import { captureIo } from '../harness/CaptureIo.ts'
import { startDns, type DnsServer } from '../servers/dnsmasq.ts'
import { startMiniSmtp, type MiniServer } from '../servers/miniSmtp.ts'
import { startSmtpServer, testCa, type MailServer } from '../servers/index.ts'
import { freePort } from '../servers/ports.ts'

const capture = captureIo

describe('routing against a real DNS server', () => {
  let dns: DnsServer
  let server: MailServer
  let busy: MiniServer
  let closedPort: number
  before(async () => {
    server = await startSmtpServer()
    const port = server.plain.port
    // A server that greets with 421 on [::1] at the same port number as the real one on 127.0.0.1.
    busy = await startMiniSmtp({ greeting: '421 4.3.2 too busy, try another MX' }, '::1', port)
    closedPort = await freePort()
    dns = await startDns({
      localDomains: ['test'],
      hosts: {
        'good.multi.test': ['127.0.0.1'],
        'busy.busy.test': ['::1'],
        'good.busy.test': ['127.0.0.1'],
        'both.test': ['::1', '127.0.0.1'],
        'nomx.test': ['127.0.0.1'],
        localhost: ['127.0.0.1'],
      },
      mx: {
        'multi.test': [
          { exchange: 'missing.multi.test', preference: 5 },
          { exchange: 'good.multi.test', preference: 20 },
        ],
        'busy.test': [
          { exchange: 'busy.busy.test', preference: 10 },
          { exchange: 'good.busy.test', preference: 20 },
        ],
        'null.test': [{ exchange: '.', preference: 0 }],
      },
      srv: {
        '_submissions._tcp.sub.test': [{ target: 'localhost', port: server.implicitTls.port, priority: 0, weight: 1 }],
        '_submission._tcp.sub.test': [{ target: 'localhost', port: server.submission!.port, priority: 0, weight: 1 }],
        '_submissions._tcp.down.test': [{ target: 'localhost', port: closedPort, priority: 0, weight: 1 }],
        '_submission._tcp.down.test': [{ target: 'localhost', port: server.submission!.port, priority: 0, weight: 1 }],
      },
    })
  })
  after(async () => {
    await dns.stop()
    await busy.close()
    await server.stop()
  })

  const api = () => makeNodeApi({ resolver: nodeResolver([dns.address]) })

  test('the resolver classifies answers as routing needs them', async () => {
    const r = nodeResolver([dns.address])
    assert.deepEqual(await r.mx('null.test'), { _tag: 'Found', records: [{ exchange: '', preference: 0 }] })
    assert.deepEqual(await r.mx('nomx.test'), { _tag: 'NoRecords' })
    assert.deepEqual(await r.mx('gone.test'), { _tag: 'NoDomain' })
    assert.deepEqual(await r.aaaa('both.test'), { _tag: 'Found', records: ['::1'] })
    const dead = nodeResolver([`127.0.0.1:${closedPort}`])
    assert.equal((await dead.mx('x.test'))._tag, 'LookupFailed')
  })

  test('direct delivery: every recipient\'s fate, across MX fallback, 421 greetings, implicit MX, null MX and NXDOMAIN', async () => {
    const report = await api().sendDirect(
      { port: server.plain.port, tls: 'none' },
      {
        from: 'sender@example.org',
        to: ['a@multi.test', 'b@busy.test', 'c@nomx.test', 'reject-c@nomx.test', 'd@null.test', 'e@gone.test', 'f@Both.TEST'],
        body: 'Subject: direct\r\n\r\ndirect delivery\r\n',
      },
    )
    const byDomain = Object.fromEntries(report.domains.map((d) => [d.domain, d]))
    // multi.test: the preferred MX has no address at all; the next one takes it.
    const multi = byDomain['multi.test']!
    assert.equal(multi._tag, 'Delivered')
    assert.equal(multi._tag === 'Delivered' && multi.via.host, 'good.multi.test')
    assert.equal(multi.attempts[0]!.host, 'missing.multi.test')
    // busy.test: the preferred MX greets with 421 (RFC 5321 §5.1: try the next).
    const busyD = byDomain['busy.test']!
    assert.equal(busyD._tag, 'Delivered')
    assert.match(busyD.attempts.map((a) => a.error).join(), /421/)
    // nomx.test: no MX, so its own address (implicit MX).
    const nomx = byDomain['nomx.test']!
    assert.ok(nomx._tag === 'Delivered' && nomx.via.implicit)
    // both.test: IPv6 first ([::1] answers 421 there), then IPv4.
    const both = byDomain['both.test']!
    assert.ok(both._tag === 'Delivered' && both.via.address === '127.0.0.1')
    assert.equal(both.attempts[0]!.address, '::1')
    // Null MX and NXDOMAIN: permanent, nothing connected.
    const nul = byDomain['null.test']!
    assert.ok(nul._tag === 'Failed' && nul.error._tag === 'RouteFailed' && nul.error.reason === 'NullMx' && !nul.transient)
    const gone = byDomain['gone.test']!
    assert.ok(gone._tag === 'Failed' && gone.error._tag === 'RouteFailed' && gone.error.reason === 'NoSuchDomain')

    assert.deepEqual(report.accepted.map((a) => a.recipient).sort(), ['a@multi.test', 'b@busy.test', 'c@nomx.test', 'f@Both.TEST'])
    assert.deepEqual(report.rejected.map((r) => [r.recipient, r.transient]).sort(), [
      ['d@null.test', false],
      ['e@gone.test', false],
      ['reject-c@nomx.test', false],
    ])
    assert.deepEqual(report.unknown, [])
    for (const r of ['a@multi.test', 'b@busy.test', 'c@nomx.test', 'f@Both.TEST']) await server.waitForRecipient(r)
  })

  test('a streamed body to several domains is refused up front; bad addresses too', async () => {
    async function* stream() {
      yield new TextEncoder().encode('x\r\n')
    }
    await assert.rejects(api().sendDirect({ port: server.plain.port }, { from: 'a@example.org', to: ['x@multi.test', 'y@nomx.test'], body: stream() }), (e: unknown) => e instanceof SmtpFailure && e.error._tag === 'UsageError')
    await assert.rejects(api().sendDirect({ port: server.plain.port }, { from: 'a@example.org', to: ['no at sign'], body: 'x' }), (e: unknown) => e instanceof SmtpFailure && e.error._tag === 'UsageError')
  })

  test('an MX whose certificate does not match its name is not trusted (TLS required)', async () => {
    const { caPem } = await testCa()
    const report = await api().sendDirect({ port: server.plain.port, tls: 'required', ca: caPem }, { from: 'a@example.org', to: ['tls@nomx.test'], body: 'x\r\n' })
    const d = report.domains[0]!
    assert.ok(d._tag === 'Failed' && d.error._tag === 'TlsFailed', JSON.stringify(d))
  })

  test('submission discovery: SRV _submissions, then _submission, then the guesses', async () => {
    const found = await api().discoverSubmission('me@sub.test')
    assert.deepEqual(found, [
      { host: 'localhost', port: server.implicitTls.port, tls: 'implicit', how: 'srv-submissions' },
      { host: 'localhost', port: server.submission!.port, tls: 'required', how: 'srv-submission' },
      { host: 'smtp.sub.test', port: 465, tls: 'implicit', how: 'guess' },
      { host: 'smtp.sub.test', port: 587, tls: 'required', how: 'guess' },
    ])
  })

  describe('through the CLI', () => {
    test('--to with no server delivers to the MX hosts (--dns, --mx-port for the test)', async () => {
      const t = capture()
      const code = await main(['send', '--to', 'cli@multi.test', '--to', 'cli@null.test', '--dns', dns.address, '--mx-port', String(server.plain.port), '--tls', 'none'], t.io)
      assert.equal(code, EXIT.permanent, t.all())
      assert.match(t.all(), /multi\.test: delivered via good\.multi\.test \[127\.0\.0\.1\] \(MX 20\)/)
      assert.match(t.all(), /null\.test: failed: null\.test accepts no mail/)
      await server.waitForRecipient('cli@multi.test')
    })

    test('--auth with no server finds the submission server by SRV, skipping one that is down', async () => {
      const caPath = join((await testCa()).dir, 'server-ca.pem')
      const t = capture({ SMTPURE_PASSWORD: server.credentials.password })
      const args = ['send', '--auth', server.credentials.username, '--to', 'found@example.test', '--dns', dns.address, '--ca', caPath, '--json']
      assert.equal(await main([...args, '--from', 'me@sub.test'], t.io), EXIT.ok, t.all())
      assert.equal((JSON.parse(t.out.at(-1)!) as { how: string }).how, 'srv-submissions')
      const t2 = capture({ SMTPURE_PASSWORD: server.credentials.password })
      assert.equal(await main([...args, '--from', 'me@down.test'], t2.io), EXIT.ok, t2.all())
      assert.equal((JSON.parse(t2.out.at(-1)!) as { how: string }).how, 'srv-submission')
    })
  })
})
