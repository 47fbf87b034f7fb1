/** The smtpure command end to end: exit codes and output, against a real server. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { main, EXIT } from '../../packages/node-adapter/src/cli.ts'
import { startSmtpServer, type MailServer } from '../servers/index.ts'

describe('smtpure send', () => {
  let server: MailServer
  const logs: string[] = []
  const original = { log: console.log, error: console.error }
  before(async () => {
    server = await startSmtpServer()
    console.log = (...a: unknown[]) => void logs.push(a.join(' '))
    console.error = (...a: unknown[]) => void logs.push(a.join(' '))
  })
  after(async () => {
    console.log = original.log
    console.error = original.error
    await server.stop()
  })

  test('delivers, with a JSON result, and the message is well-formed', async () => {
    logs.length = 0
    const code = await main(['send', '--server', `127.0.0.1:${server.plain.port}`, '--tls', 'none', '--json', '--from', 'me@example.org', '--to', 'you@example.test', '--subject', 'Grüße', '--body', 'hello'])
    assert.equal(code, EXIT.ok)
    const result = JSON.parse(logs.find((l) => l.startsWith('{'))!) as { status: string }
    assert.equal(result.status, 'delivered')
    const m = await server.waitForRecipient('you@example.test')
    const raw = m.raw.toString()
    assert.match(raw, /^Subject: =\?UTF-8\?/m)
    assert.match(raw, /^MIME-Version: 1\.0/m)
  })

  test('exit codes: usage 2, permanent 3, temporary 4', async () => {
    assert.equal(await main(['send', '--server', `127.0.0.1:${server.plain.port}`, '--to', 'not an address']), EXIT.usage)
    assert.equal(await main(['send', '--server', `127.0.0.1:${server.plain.port}`, '--tls', 'none', '--to', 'reject@example.test', '--quiet']), EXIT.permanent)
    assert.equal(await main(['send', '--server', `127.0.0.1:${server.plain.port}`, '--tls', 'none', '--to', 'tempfail@example.test', '--quiet']), EXIT.transient)
    assert.equal(await main(['bogus']), EXIT.usage)
  })
})
