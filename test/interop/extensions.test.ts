/**
 * ESMTP extensions and SASL mechanisms against real Postfix (with Dovecot SASL), which offers
 * CHUNKING, SMTPUTF8, 8BITMIME, DSN and SIZE, and SCRAM-SHA-256 and CRAM-MD5 through Dovecot.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { connect, DeliveryError, sendMail, type ConnectOptions } from '@smtpure/node'
import { spawn } from 'node:child_process'
import { freePort, startPostfix, testCa, waitForPort, type MailServer } from '../servers/index.ts'

describe('extensions against Postfix', { timeout: 120_000 }, () => {
  let server: MailServer
  let ca: string
  before(async () => {
    ca = (await testCa()).caPem
    server = await startPostfix()
  })
  after(async () => {
    await server?.stop()
  })
  const plain = (): ConnectOptions => ({ host: '127.0.0.1', port: server.plain.port, tls: 'none', clientName: 'client.example.test' })
  const from = 'sender@example.org'
  const delivered = (recipient: string) => server.waitForRecipient(recipient)
  const transcriptOf = async (options: Parameters<typeof sendMail>[0]): Promise<string> => {
    const r = await sendMail({ ...options, transcript: true })
    return r.transcript.map((l) => `${l.direction}: ${l.text}`).join('\n')
  }

  for (const mechanism of ['SCRAM-SHA-256', 'CRAM-MD5']) {
    test(`AUTH ${mechanism} through Dovecot`, async () => {
      const client = await connect({ host: 'localhost', port: server.submission!.port, ca, auth: { user: server.credentials.username, pass: server.credentials.password, mechanisms: [mechanism] } })
      assert.equal(client.authenticated, mechanism)
      await client.quit()
    })
  }

  test('with no mechanism named, the strongest one is used: SCRAM-SHA-256', async () => {
    const client = await connect({ host: 'localhost', port: server.submission!.port, ca, auth: { user: server.credentials.username, pass: server.credentials.password } })
    assert.equal(client.authenticated, 'SCRAM-SHA-256')
    await client.quit()
  })

  test('a wrong password with SCRAM fails with a typed error', async () => {
    await assert.rejects(connect({ host: 'localhost', port: server.submission!.port, ca, auth: { user: server.credentials.username, pass: 'nope', mechanisms: ['SCRAM-SHA-256'] } }))
  })

  test('CHUNKING: BDAT by default, the body arrives exactly', async () => {
    await server.clearMessages()
    const t = await transcriptOf({ ...plain(), from, to: 'chunk@example.test', body: 'Subject: bdat\r\n\r\n.dot line\nbare LF\r\n' })
    assert.match(t, /C: BDAT \d+ LAST/)
    assert.doesNotMatch(t, /C: DATA/)
    const m = await delivered('chunk@example.test')
    assert.equal(m.body.toString(), '.dot line\r\nbare LF\r\n')
  })

  test('chunking: never uses DATA', async () => {
    const t = await transcriptOf({ ...plain(), chunking: 'never', from, to: 'data@example.test', body: 'Subject: data\r\n\r\nx\r\n' })
    assert.match(t, /C: DATA/)
    assert.doesNotMatch(t, /BDAT/)
  })

  test('DSN parameters are accepted', async () => {
    const t = await transcriptOf({
      ...plain(),
      from,
      to: 'dsn@example.test',
      body: 'Subject: dsn\r\n\r\nx\r\n',
      dsn: { ret: 'HDRS', envid: 'smtpure-1', notify: ['FAILURE', 'DELAY'], orcpt: true },
    })
    assert.match(t, /MAIL FROM:<sender@example\.org> SIZE=\d+ RET=HDRS ENVID=smtpure-1/)
    assert.match(t, /RCPT TO:<dsn@example\.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;dsn@example\.test/)
  })

  test('SMTPUTF8: a non-ASCII mailbox is delivered', async () => {
    await server.clearMessages()
    const t = await transcriptOf({ ...plain(), from, to: 'jürgen@example.test', body: 'Subject: utf8\r\n\r\nGrüße\r\n' })
    assert.match(t, /SMTPUTF8/)
    const m = await delivered('jürgen@example.test')
    assert.deepEqual(m.recipients, ['jürgen@example.test'])
  })

  test('8BITMIME: an 8-bit body is declared and arrives intact', async () => {
    await server.clearMessages()
    const t = await transcriptOf({ ...plain(), from, to: 'eight@example.test', body: 'Subject: 8bit\r\n\r\nGrüße aus Köln\r\n' })
    assert.match(t, /BODY=8BITMIME/)
    const m = await delivered('eight@example.test')
    assert.equal(m.body.toString('utf8'), 'Grüße aus Köln\r\n')
  })

  test('SIZE: a declared size over the limit is refused locally, nothing sent', async () => {
    await assert.rejects(sendMail({ ...plain(), from, to: 'big@example.test', body: 'x', size: 60 * 1024 * 1024 }), (e: unknown) => {
      assert.ok(e instanceof DeliveryError)
      assert.equal(e.error._tag, 'PolicyRefused')
      assert.equal((e.error as { requirement: string }).requirement, 'SIZE')
      return true
    })
  })

  test('REQUIRETLS and BINARYMIME, which Postfix lacks, are refused locally', async () => {
    for (const extra of [{ requireTls: true }, { binary: true }]) {
      await assert.rejects(sendMail({ host: 'localhost', port: server.implicitTls.port, tls: 'implicit', ca, from, to: 'x@example.test', body: 'x', ...extra }), (e: unknown) => {
        assert.ok(e instanceof DeliveryError)
        assert.equal(e.error._tag, 'PolicyRefused')
        return true
      })
    }
  })

  test('LMTP against smtp-sink -L: one final reply per recipient', async () => {
    const port = await freePort()
    const sink = spawn('smtp-sink', ['-L', '-u', 'nobody', `127.0.0.1:${port}`, '16'], { stdio: 'ignore' })
    try {
      await waitForPort(port)
      const r = await sendMail({ host: '127.0.0.1', port, tls: 'none', protocol: 'lmtp', from, to: ['one@example.test', 'two@example.test'], body: 'Subject: lmtp\r\n\r\nx\r\n', transcript: true })
      assert.deepEqual(r.accepted.map((a) => a.recipient), ['one@example.test', 'two@example.test'])
      assert.match(r.transcript.map((l) => l.text).join('\n'), /LHLO client|LHLO \[/)
    } finally {
      sink.kill()
    }
  })

  test('VRFY is exposed', async () => {
    const client = await connect(plain())
    const r = await client.verify('someone@example.test').catch((e: Error) => ({ code: 0, text: e.message }))
    assert.ok(r.code === 252 || r.code === 250 || r.code === 0, JSON.stringify(r))
    await client.quit()
  })
})
