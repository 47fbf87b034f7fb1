import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import fc from 'fast-check'
import { simpleParser } from 'mailparser'
import { Mime } from '@smtpure/core'

const context = { now: Date.UTC(2026, 10, 28, 19, 58, 40), tzOffsetMinutes: 60, random: new Uint8Array(Array.from({ length: 16 }, (_, i) => i * 17)) }

const build = async (input: unknown, ctx: Partial<typeof context & { eightBitOk: boolean }> = {}) => {
  const r = await Mime.buildMessageBytes(input, { ...context, ...ctx })
  if (E.isLeft(r)) throw new Error(r.left.message)
  return { envelope: r.right.envelope, text: Buffer.from(r.right.bytes).toString('latin1'), bytes: Buffer.from(r.right.bytes) }
}

/** Every line ends with CRLF, none is longer than 998 octets, no bare CR or LF. */
const wellFormed = (raw: string): void => {
  assert.doesNotMatch(raw.replace(/\r\n/g, ''), /[\r\n]/, 'bare CR or LF')
  for (const line of raw.split('\r\n')) assert.ok(line.length <= 998, `line of ${line.length} octets`)
}

describe('message builder: golden output', () => {
  test('a plain text message', async () => {
    const { text, envelope } = await build({ from: 'Alice <alice@example.org>', to: 'bob@example.net', subject: 'Hello', text: 'Hi Bob,\nsee you.\n' })
    assert.equal(
      text,
      [
        'Date: Sat, 28 Nov 2026 20:58:40 +0100',
        'From: Alice <alice@example.org>',
        'To: bob@example.net',
        'Subject: Hello',
        'Message-ID: <0011223344556677.mx0u28hs@example.org>',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 7bit',
        '',
        'Hi Bob,',
        'see you.',
        '',
      ].join('\r\n'),
    )
    assert.deepEqual(envelope, { from: 'alice@example.org', to: ['bob@example.net'] })
  })

  test('Bcc is in the envelope only; cc and bcc dedupe into the envelope', async () => {
    const { text, envelope } = await build({ from: 'a@example.org', to: ['b@example.net'], cc: ['c@example.net', 'b@example.net'], bcc: ['secret@example.net'], text: 'x' })
    assert.doesNotMatch(text, /secret/)
    assert.doesNotMatch(text, /^Bcc:/im)
    assert.deepEqual(envelope.to, ['b@example.net', 'c@example.net', 'secret@example.net'])
  })

  test('non-ASCII subject and display name become encoded words; IDN domains A-labels', async () => {
    const { text } = await build({ from: { name: 'Jürgen Müller', address: 'j@bücher.example' }, to: 'b@example.net', subject: 'Grüße aus Köln', text: 'x' })
    assert.match(text, /^From: =\?UTF-8\?B\?SsO8cmdlbiBNw7xsbGVy\?= <j@xn--bcher-kva\.example>\r$/m)
    assert.match(text, /^Subject: =\?UTF-8\?B\?R3LDvMOfZSBhdXMgS8O2bG4=\?=\r$/m)
    const parsed = await simpleParser(Buffer.from(text, 'latin1'))
    assert.equal(parsed.subject, 'Grüße aus Köln')
    assert.equal(parsed.from?.value[0]?.name, 'Jürgen Müller')
  })

  test('long headers fold at 78 and text that is mostly non-ASCII goes base64', async () => {
    const many = Array.from({ length: 12 }, (_, i) => `recipient.number.${i}@example.net`)
    const { text } = await build({ from: 'a@example.org', to: many, subject: '日本語の件名'.repeat(8), text: '日本語の本文です。'.repeat(40) })
    wellFormed(text)
    const head = text.slice(0, text.indexOf('\r\n\r\n'))
    for (const l of head.split('\r\n')) assert.ok(l.length <= 78, `header line of ${l.length}: ${l}`)
    assert.match(text, /Content-Transfer-Encoding: base64/)
  })

  test('8-bit text is quoted-printable unless the server offers 8BITMIME', async () => {
    const a = await build({ from: 'a@example.org', to: 'b@example.net', text: 'Grüße, a mostly ASCII line of text here.' })
    assert.match(a.text, /Content-Transfer-Encoding: quoted-printable/)
    assert.match(a.text, /Gr=C3=BC=C3=9Fe/)
    assert.equal(a.envelope.eightBit, undefined)
    const b = await build({ from: 'a@example.org', to: 'b@example.net', text: 'Grüße, a mostly ASCII line of text here.' }, { eightBitOk: true })
    assert.match(b.text, /Content-Transfer-Encoding: 8bit/)
    assert.equal(b.envelope.eightBit, true)
  })

  test('text + html + attachment + inline image: the multipart tree', async () => {
    const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 1, 2, 3])
    const { text } = await build({
      from: 'a@example.org',
      to: 'b@example.net',
      subject: 'tree',
      text: 'plain',
      html: '<p><img src="cid:logo@example.org"></p>',
      attachments: [
        { filename: 'logo.png', contentType: 'image/png', content: png, inline: true, contentId: 'logo@example.org' },
        { filename: 'résumé.pdf', contentType: 'application/pdf', content: 'PDF bytes' },
      ],
    })
    wellFormed(text)
    const order = ['multipart/mixed', 'multipart/alternative', 'text/plain', 'multipart/related', 'text/html', 'image/png', 'application/pdf'].map((t) => text.indexOf(`Content-Type: ${t}`))
    assert.deepEqual([...order].sort((x, y) => x - y), order, text)
    assert.ok(order.every((i) => i >= 0))
    assert.match(text, /filename\*=utf-8''r%C3%A9sum%C3%A9\.pdf/)
    assert.match(text, /Content-ID: <logo@example\.org>/)
  })
})

describe('message builder: round trip through mailparser', () => {
  test('headers, texts and attachment bytes survive (property)', async () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'Z', ' ', 'ü', 'é', '日', '.', '-', '"', '\\', '=', '?', '_', '\t'), minLength: 1, maxLength: 30 })
    const body = fc.string({ unit: fc.constantFrom('a', 'x', ' ', '\n', '\r\n', '.', 'ü', '日', '=', '-', '\t'), maxLength: 300 })
    await fc.assert(
      fc.asyncProperty(word, word, body, body, fc.uint8Array({ maxLength: 500 }), fc.boolean(), async (name, subject, textBody, htmlBody, bytes, eightBitOk) => {
        const subjectT = subject.trim()
        const input = {
          from: { name: name.trim(), address: 'sender@example.org' },
          to: ['one@example.net'],
          subject: subjectT,
          text: textBody,
          html: `<p>${htmlBody}</p>`,
          attachments: [{ filename: 'data.bin', content: bytes }],
        }
        const { text } = await build(input, { eightBitOk })
        wellFormed(text)
        const parsed = await simpleParser(Buffer.from(text, 'latin1'))
        const norm = (x: string): string => x.replace(/\s+/g, ' ').trim()
        assert.equal(norm(parsed.subject ?? ''), norm(subjectT))
        assert.equal(parsed.from?.value[0]?.address, 'sender@example.org')
        assert.equal(norm(parsed.from?.value[0]?.name ?? ''), norm(name))
        const want = textBody.replace(/\r\n|\r|\n/g, '\n')
        assert.equal((parsed.text ?? '').replace(/\r\n/g, '\n').replace(/\n$/, ''), want.replace(/\n$/, ''))
        assert.equal(parsed.attachments.length, 1)
        assert.deepEqual(new Uint8Array(parsed.attachments[0]!.content), bytes)
      }),
      { numRuns: 150 },
    )
  })
})

describe('message builder: bad input names the field', () => {
  const cases: ReadonlyArray<[string, unknown, string]> = [
    ['address without a domain', { from: 'a@example.org', to: ['ok@example.net', 'nobody'], text: 'x' }, 'to[1]'],
    ['CR/LF in the subject', { from: 'a@example.org', to: 'b@example.net', subject: 'hi\r\nBcc: victim@example.net', text: 'x' }, 'subject'],
    ['LF in a header value', { from: 'a@example.org', to: 'b@example.net', headers: [{ name: 'X-Tag', value: 'a\nb' }] }, 'headers[0].value'],
    ['header name with a colon', { from: 'a@example.org', to: 'b@example.net', headers: [{ name: 'X-Bad:', value: 'v' }] }, 'headers[0].name'],
    ['header name with a space', { from: 'a@example.org', to: 'b@example.net', headers: { 'X Bad': 'v' } }, 'headers[0].name'],
    ['non-ASCII header name', { from: 'a@example.org', to: 'b@example.net', headers: { 'X-Grüße': 'v' } }, 'headers[0].name'],
    ['a generated header set by hand', { from: 'a@example.org', to: 'b@example.net', headers: { Bcc: 'x@example.net' } }, 'headers[0].name'],
    ['missing from', { to: 'b@example.net' }, 'from'],
    ['CR in a display name', { from: { name: 'Eve\r\nBcc: x@y', address: 'e@example.org' }, to: 'b@example.net' }, 'from'],
  ]
  for (const [name, input, path] of cases) {
    test(name, async () => {
      const r = await Mime.buildMessageBytes(input, context)
      assert.ok(E.isLeft(r))
      assert.ok(r.left.issues.some((i) => i.path === path), JSON.stringify(r.left.issues))
    })
  }
})

describe('message builder: streaming', () => {
  test('a 20 MB streamed attachment passes through in bounded chunks and decodes back', async () => {
    const CHUNK = 64 * 1024
    const total = 20 * 1024 * 1024
    const block = new Uint8Array(CHUNK).map((_, i) => (i * 31) & 255)
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let sent = 0; sent < total; sent += CHUNK) yield block
    }
    const built = Mime.buildMessage({ from: 'a@example.org', to: 'b@example.net', text: 'see attached', attachments: [{ filename: 'big.bin', content: source() }] }, context)
    assert.ok(E.isRight(built))
    let biggest = 0
    let b64 = ''
    let decoded = 0
    let inAttachment = false
    let carry = ''
    for await (const chunk of built.right.chunks) {
      biggest = Math.max(biggest, chunk.length)
      const s = Buffer.from(chunk).toString('latin1')
      // Decode the attachment's base64 incrementally (never holding it whole).
      let text = carry + s
      if (!inAttachment) {
        const at = text.indexOf('filename=big.bin')
        if (at < 0) {
          carry = text.slice(-64)
          continue
        }
        text = text.slice(text.indexOf('\r\n\r\n', at) + 4)
        inAttachment = true
      }
      const end = text.indexOf('--=_')
      const usable = end >= 0 ? text.slice(0, end) : text
      b64 = (b64 + usable.replace(/\r\n/g, '')).trim()
      const whole = b64.length - (b64.length % 4)
      decoded += Buffer.from(b64.slice(0, whole), 'base64').length
      b64 = b64.slice(whole)
      carry = ''
      if (end >= 0) break
    }
    assert.equal(decoded, total)
    assert.ok(biggest < 4 * CHUNK, `a chunk of ${biggest} octets`)
  })
})
