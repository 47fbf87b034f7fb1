/**
 * The message builder (RFC 5322, MIME RFC 2045-2049): a validated message object in, the SMTP
 * envelope and a stream of byte chunks out. Deterministic: the date and the randomness for the
 * Message-ID and the MIME boundaries are inputs, so the same inputs give the same bytes.
 *
 * Structure: text and html become multipart/alternative; inline attachments (Content-ID) join
 * the html in multipart/related; other attachments go in multipart/mixed. Each text part is
 * 7bit when it can be, 8bit only when the server offers 8BITMIME, else quoted-printable (mostly
 * ASCII) or base64; attachments are base64, streamed chunk by chunk.
 */
import * as E from 'fp-ts/lib/Either.js'
import { isAscii, utf8 } from '../Bytes.ts'
import { issuesOf } from '../codecs/errors.ts'
import { domainOf, needsSmtpUtf8, type Mailbox } from '../codecs/Mailbox.ts'
import type { Envelope } from '../Envelope.ts'
import type { UsageError } from '../SmtpError.ts'
import { AddressInput, formatAddress, formatList, type NamedAddress } from './Address.ts'
import { rfc5322Date } from './DateTime.ts'
import { base64Chunk, base64End, base64Start, parameter, quotedPrintable } from './Encoding.ts'
import { fold, isFieldName, unstructured } from './Header.ts'
import { MAX_LINE, RANDOM_OCTETS } from './Limits.ts'

// ---- input

/** Bytes, text, or a stream of bytes (read once, chunk by chunk). */
export type Content = Uint8Array | string | AsyncIterable<Uint8Array>

/** An attachment. `inline` with a `contentId` makes it referable from html as `cid:...`. */
export interface Attachment {
  readonly filename?: string
  readonly contentType?: string
  readonly content: Content
  readonly inline?: boolean
  readonly contentId?: string
}

/** A message, validated. */
export interface MessageFields {
  readonly from: NamedAddress
  readonly to: ReadonlyArray<NamedAddress>
  readonly cc: ReadonlyArray<NamedAddress>
  readonly bcc: ReadonlyArray<NamedAddress>
  readonly replyTo: ReadonlyArray<NamedAddress>
  readonly sender: NamedAddress | null
  readonly subject: string | null
  readonly text: string | null
  readonly html: string | null
  readonly attachments: ReadonlyArray<Attachment>
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>
  readonly inReplyTo: string | null
  readonly references: ReadonlyArray<string>
  readonly date: number | null
  readonly messageId: string | null
  readonly envelope: { readonly from: Mailbox | ''; readonly to: ReadonlyArray<Mailbox> } | null
}

/** What the builder needs from outside the core: time and randomness. */
export interface BuildContext {
  /** Milliseconds since the Unix epoch. */
  readonly now: number
  /** The local time zone, minutes east of UTC (e.g. 60 for +0100). */
  readonly tzOffsetMinutes: number
  /** At least RANDOM_OCTETS random octets (Message-ID, boundaries). */
  readonly random: Uint8Array
  /** The server offers 8BITMIME: 8-bit text may go unencoded. */
  readonly eightBitOk?: boolean
}

/** A built message: the envelope it implies, and its bytes as a stream. */
export interface Built {
  readonly envelope: Envelope
  readonly chunks: AsyncIterable<Uint8Array>
}

// ---- validation

const GENERATED = new Set([
  'from', 'to', 'cc', 'bcc', 'reply-to', 'sender', 'subject', 'date', 'message-id', 'mime-version',
  'content-type', 'content-transfer-encoding', 'in-reply-to', 'references',
])

type Issue = { readonly path: string; readonly message: string }

const noBreaks = (path: string, v: unknown, issues: Issue[]): string | null => {
  if (v === undefined || v === null) return null
  if (typeof v !== 'string') {
    issues.push({ path, message: 'must be a string' })
    return null
  }
  if (/[\r\n\0]/.test(v)) {
    issues.push({ path, message: 'must not contain CR, LF or NUL' })
    return null
  }
  return v
}

const addresses = (path: string, v: unknown, issues: Issue[]): NamedAddress[] => {
  if (v === undefined || v === null) return []
  const list = Array.isArray(v) ? v : [v]
  const out: NamedAddress[] = []
  list.forEach((item, i) => {
    const r = AddressInput.decode(item)
    if (E.isRight(r)) out.push(r.right)
    else for (const x of issuesOf(r.left)) issues.push({ path: Array.isArray(v) ? `${path}[${i}]` : path, message: x.message })
  })
  return out
}

const msgId = (path: string, v: unknown, issues: Issue[]): string | null => {
  const s = noBreaks(path, v, issues)
  if (s === null) return null
  const bare = s.trim().replace(/^<|>$/g, '')
  // RFC 5322 §3.6.4: msg-id = "<" id-left "@" id-right ">"
  if (!/^[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+$/.test(bare)) {
    issues.push({ path, message: 'is not a message id like <id@example.org>' })
    return null
  }
  return `<${bare}>`
}

const isContent = (c: unknown): c is Content =>
  typeof c === 'string' || c instanceof Uint8Array || (typeof c === 'object' && c !== null && Symbol.asyncIterator in c)

/** Validate a message object; every problem names its field. */
export const validate = (input: unknown): E.Either<UsageError, MessageFields> => {
  const issues: Issue[] = []
  if (typeof input !== 'object' || input === null) {
    return E.left({ _tag: 'UsageError', reason: 'InvalidInput', message: 'the message must be an object', issues: [], cause: { _tag: 'None' } })
  }
  const m = input as Record<string, unknown>
  const from = addresses('from', m['from'], issues)
  if (m['from'] === undefined) issues.push({ path: 'from', message: 'is required' })
  const to = addresses('to', m['to'], issues)
  const cc = addresses('cc', m['cc'], issues)
  const bcc = addresses('bcc', m['bcc'], issues)
  const replyTo = addresses('replyTo', m['replyTo'], issues)
  const sender = addresses('sender', m['sender'], issues)
  const subject = noBreaks('subject', m['subject'], issues)
  const text = m['text'] === undefined ? null : typeof m['text'] === 'string' ? m['text'] : (issues.push({ path: 'text', message: 'must be a string' }), null)
  const html = m['html'] === undefined ? null : typeof m['html'] === 'string' ? m['html'] : (issues.push({ path: 'html', message: 'must be a string' }), null)
  const attachments: Attachment[] = []
  const rawAttachments = m['attachments'] ?? []
  if (!Array.isArray(rawAttachments)) issues.push({ path: 'attachments', message: 'must be a list' })
  else
    rawAttachments.forEach((a: unknown, i) => {
      const path = `attachments[${i}]`
      if (typeof a !== 'object' || a === null) return void issues.push({ path, message: 'must be an object' })
      const o = a as Record<string, unknown>
      if (!isContent(o['content'])) issues.push({ path: `${path}.content`, message: 'must be bytes, a string or an async iterable of bytes' })
      const filename = noBreaks(`${path}.filename`, o['filename'], issues)
      const contentType = noBreaks(`${path}.contentType`, o['contentType'], issues)
      if (contentType !== null && !/^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/.test(contentType)) {
        issues.push({ path: `${path}.contentType`, message: 'must be a MIME type like image/png' })
      }
      const cid = o['contentId'] === undefined ? null : msgId(`${path}.contentId`, o['contentId'], issues)
      attachments.push({
        content: o['content'] as Content,
        ...(filename !== null ? { filename } : {}),
        ...(contentType !== null ? { contentType } : {}),
        ...(o['inline'] === true ? { inline: true } : {}),
        ...(cid !== null ? { contentId: cid.slice(1, -1) } : {}),
      })
    })
  const headers: Array<{ name: string; value: string }> = []
  const rawHeaders = m['headers'] ?? []
  const headerList = Array.isArray(rawHeaders)
    ? (rawHeaders as Array<{ name: unknown; value: unknown }>)
    : typeof rawHeaders === 'object' && rawHeaders !== null
      ? Object.entries(rawHeaders).map(([name, value]) => ({ name, value }))
      : (issues.push({ path: 'headers', message: 'must be a list of { name, value } or an object' }), [])
  headerList.forEach((h, i) => {
    const path = `headers[${i}]`
    const name = h?.name
    if (typeof name !== 'string' || !isFieldName(name)) {
      issues.push({ path: `${path}.name`, message: 'must be printable ASCII without spaces or ":" (RFC 5322 §2.2)' })
      return
    }
    if (GENERATED.has(name.toLowerCase())) {
      issues.push({ path: `${path}.name`, message: `${name} is written by the builder; use the message field instead` })
      return
    }
    const value = noBreaks(`${path}.value`, h.value, issues)
    if (value !== null) headers.push({ name, value })
  })
  const inReplyTo = m['inReplyTo'] === undefined ? null : msgId('inReplyTo', m['inReplyTo'], issues)
  const refsRaw = m['references'] === undefined ? [] : Array.isArray(m['references']) ? m['references'] : [m['references']]
  const references = refsRaw.flatMap((r, i) => {
    const id = msgId(`references[${i}]`, r, issues)
    return id === null ? [] : [id]
  })
  const date = m['date'] === undefined ? null : typeof m['date'] === 'number' && Number.isFinite(m['date']) ? m['date'] : (issues.push({ path: 'date', message: 'must be milliseconds since the epoch' }), null)
  const messageId = m['messageId'] === undefined ? null : msgId('messageId', m['messageId'], issues)
  let envelope: MessageFields['envelope'] = null
  if (m['envelope'] !== undefined) {
    const e = m['envelope'] as Record<string, unknown>
    const ef = e['from'] === '' || e['from'] === '<>' ? [] : addresses('envelope.from', e['from'], issues)
    const et = addresses('envelope.to', e['to'], issues)
    envelope = { from: ef[0]?.address ?? '', to: et.map((x) => x.address) }
  }
  if (issues.length > 0 || from[0] === undefined) {
    return E.left({
      _tag: 'UsageError',
      reason: 'InvalidInput',
      message: `invalid message: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
      cause: { _tag: 'None' },
    })
  }
  return E.right({
    from: from[0],
    to,
    cc,
    bcc,
    replyTo,
    sender: sender[0] ?? null,
    subject,
    text,
    html,
    attachments,
    headers,
    inReplyTo,
    references,
    date,
    messageId,
    envelope,
  })
}

// ---- parts

type Encoding = '7bit' | '8bit' | 'quoted-printable' | 'base64'

type Part =
  | { readonly kind: 'text'; readonly subtype: 'plain' | 'html'; readonly text: string; readonly encoding: Encoding }
  | { readonly kind: 'file'; readonly attachment: Attachment }
  | { readonly kind: 'multi'; readonly subtype: 'alternative' | 'mixed' | 'related'; readonly parts: ReadonlyArray<Part> }

const normalizeLines = (s: string): string => s.replace(/\r\n|\r|\n/g, '\r\n')

/** 7bit when ASCII with short lines; 8bit only with 8BITMIME; else QP for mostly ASCII, base64. */
const chooseEncoding = (text: string, eightBitOk: boolean): Encoding => {
  // A loop, not Math.max(...lines): a spread of a million lines overflows the stack.
  let longest = 0
  // A UTF-16 unit is at most 3 UTF-8 octets, so only lines that could be too long are encoded.
  for (const l of text.split('\r\n')) if (l.length * 3 > longest) longest = Math.max(longest, utf8(l).length)
  if (isAscii(text) && longest <= MAX_LINE) return '7bit'
  if (eightBitOk && longest <= MAX_LINE && !text.includes('\0')) return '8bit'
  const bytes = utf8(text)
  let high = 0
  for (const b of bytes) if (b > 127) high++
  return high * 3 > bytes.length ? 'base64' : 'quoted-printable'
}

const textPart = (subtype: 'plain' | 'html', raw: string, eightBitOk: boolean): Part => {
  const text = normalizeLines(raw)
  return { kind: 'text', subtype, text, encoding: chooseEncoding(text, eightBitOk) }
}

const structure = (f: MessageFields, eightBitOk: boolean): Part => {
  const text = f.text === null ? null : textPart('plain', f.text, eightBitOk)
  const html = f.html === null ? null : textPart('html', f.html, eightBitOk)
  const inline = f.attachments.filter((a) => a.inline === true).map((attachment): Part => ({ kind: 'file', attachment }))
  const files = f.attachments.filter((a) => a.inline !== true).map((attachment): Part => ({ kind: 'file', attachment }))
  const withInline = (p: Part): Part => (inline.length === 0 ? p : { kind: 'multi', subtype: 'related', parts: [p, ...inline] })
  let main: Part
  if (text !== null && html !== null) main = { kind: 'multi', subtype: 'alternative', parts: [text, withInline(html)] }
  else main = withInline(html ?? text ?? textPart('plain', '', eightBitOk))
  return files.length === 0 ? main : { kind: 'multi', subtype: 'mixed', parts: [main, ...files] }
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')

/** Boundaries `=_sp...`: "=_" cannot occur in quoted-printable or base64 text; 7bit/8bit text is checked. */
const boundaries = (root: Part, random: Uint8Array): Map<Part, string> => {
  const texts: string[] = []
  const walk = (p: Part): void => {
    if (p.kind === 'text' && (p.encoding === '7bit' || p.encoding === '8bit')) texts.push(p.text)
    if (p.kind === 'multi') p.parts.forEach(walk)
  }
  walk(root)
  const seed = hex(random.subarray(8, 16))
  const out = new Map<Part, string>()
  let n = 0
  const assign = (p: Part): void => {
    if (p.kind !== 'multi') return
    let b: string
    do b = `=_sp${seed}_${n++}`
    while (texts.some((t) => t.includes(b)))
    out.set(p, b)
    p.parts.forEach(assign)
  }
  assign(root)
  return out
}

// ---- output

/** Largest slice of an in-memory attachment encoded at once (keeps output chunks bounded). */
export const ATTACHMENT_SLICE = 48 * 1024
/** Output is gathered into chunks of about this size. */
export const OUTPUT_CHUNK = 64 * 1024

const partHeaders = (p: Part, boundary: string | undefined): string => {
  switch (p.kind) {
    case 'text':
      return `Content-Type: text/${p.subtype}; charset=utf-8\r\nContent-Transfer-Encoding: ${p.encoding}\r\n`
    case 'multi':
      return `Content-Type: multipart/${p.subtype}; boundary="${boundary}"\r\n`
    case 'file': {
      const a = p.attachment
      const type = a.contentType ?? 'application/octet-stream'
      let h = fold('Content-Type', `${type}${a.filename !== undefined ? `; ${parameter('name', a.filename)}` : ''}`)
      h += fold('Content-Disposition', `${a.inline === true ? 'inline' : 'attachment'}${a.filename !== undefined ? `; ${parameter('filename', a.filename)}` : ''}`)
      if (a.contentId !== undefined) h += `Content-ID: <${a.contentId}>\r\n`
      return h + 'Content-Transfer-Encoding: base64\r\n'
    }
  }
}

async function* encodeContent(c: Content): AsyncGenerator<string> {
  if (typeof c === 'string' || c instanceof Uint8Array) {
    const bytes = typeof c === 'string' ? utf8(c) : c
    let s = base64Start
    for (let i = 0; i < bytes.length; i += ATTACHMENT_SLICE) {
      const [text, next] = base64Chunk(bytes.subarray(i, i + ATTACHMENT_SLICE), s)
      s = next
      yield text
    }
    yield base64End(s)
    return
  }
  let s = base64Start
  for await (const chunk of c) {
    const [text, next] = base64Chunk(chunk, s)
    s = next
    yield text
  }
  yield base64End(s)
}

async function* partBody(p: Part, b: Map<Part, string>): AsyncGenerator<string> {
  switch (p.kind) {
    case 'text':
      if (p.encoding === 'quoted-printable') yield quotedPrintable(p.text)
      else if (p.encoding === 'base64') yield* encodeContent(p.text)
      else yield p.text
      return
    case 'file':
      yield* encodeContent(p.attachment.content)
      return
    case 'multi': {
      const boundary = b.get(p)!
      for (const child of p.parts) {
        yield `--${boundary}\r\n${partHeaders(child, b.get(child))}\r\n`
        yield* partBody(child, b)
        yield '\r\n'
      }
      yield `--${boundary}--\r\n`
      return
    }
  }
}

/** Gather strings into byte chunks of about OUTPUT_CHUNK octets. */
async function* gather(source: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  let pending: string[] = []
  let size = 0
  for await (const s of source) {
    pending.push(s)
    size += s.length
    if (size >= OUTPUT_CHUNK) {
      yield utf8(pending.join(''))
      pending = []
      size = 0
    }
  }
  if (size > 0) yield utf8(pending.join(''))
}

const unique = (list: ReadonlyArray<Mailbox>): Mailbox[] => [...new Set(list)]

/** Build a message. */
export const buildMessage = (input: unknown, context: BuildContext): E.Either<UsageError, Built> => {
  if (context.random.length < RANDOM_OCTETS) {
    return E.left({ _tag: 'UsageError', reason: 'InvalidInput', message: `the build context needs ${RANDOM_OCTETS} random octets`, issues: [], cause: { _tag: 'None' } })
  }
  const v = validate(input)
  if (E.isLeft(v)) return v
  const f = v.right
  const eightBitOk = context.eightBitOk === true
  const root = structure(f, eightBitOk)
  const b = boundaries(root, context.random)
  const all = [f.from, ...f.to, ...f.cc, ...f.bcc, ...f.replyTo, ...(f.sender !== null ? [f.sender] : [])]
  const utf8Addresses = all.some((a) => needsSmtpUtf8(a.address))
  let eightBit = false
  const scan = (p: Part): void => {
    if (p.kind === 'text' && p.encoding === '8bit') eightBit = true
    if (p.kind === 'multi') p.parts.forEach(scan)
  }
  scan(root)
  const domain = domainOf(f.from.address)
  const messageId = f.messageId ?? `<${hex(context.random.subarray(0, 8))}.${Math.floor(context.now).toString(36)}@${domain}>`
  let head = ''
  head += `Date: ${rfc5322Date(f.date ?? context.now, context.tzOffsetMinutes)}\r\n`
  head += fold('From', formatAddress(f.from))
  if (f.sender !== null) head += fold('Sender', formatAddress(f.sender))
  if (f.replyTo.length > 0) head += fold('Reply-To', formatList(f.replyTo))
  if (f.to.length > 0) head += fold('To', formatList(f.to))
  if (f.cc.length > 0) head += fold('Cc', formatList(f.cc))
  // RFC 5322 §3.6.3: Bcc recipients are in the envelope only, never in the header.
  if (f.subject !== null) head += fold('Subject', unstructured(f.subject))
  head += `Message-ID: ${messageId}\r\n`
  if (f.inReplyTo !== null) head += fold('In-Reply-To', f.inReplyTo)
  if (f.references.length > 0) head += fold('References', f.references.join(' '))
  for (const h of f.headers) head += fold(h.name, unstructured(h.value))
  head += 'MIME-Version: 1.0\r\n'
  head += partHeaders(root, b.get(root)) + '\r\n'
  const envelope: Envelope = {
    from: f.envelope?.from ?? (f.sender ?? f.from).address,
    to: f.envelope?.to ?? unique([...f.to, ...f.cc, ...f.bcc].map((a) => a.address)),
    ...(eightBit ? { eightBit: true } : {}),
    ...(utf8Addresses ? { smtpUtf8: true } : {}),
  }
  async function* text(): AsyncGenerator<string> {
    yield head
    yield* partBody(root, b)
  }
  return E.right({ envelope, chunks: gather(text()) })
}

/** Build a small message into one byte array (tests, previews). */
export const buildMessageBytes = async (input: unknown, context: BuildContext): Promise<E.Either<UsageError, { envelope: Envelope; bytes: Uint8Array }>> => {
  const built = buildMessage(input, context)
  if (E.isLeft(built)) return built
  const parts: Uint8Array[] = []
  let n = 0
  for await (const c of built.right.chunks) {
    parts.push(c)
    n += c.length
  }
  const bytes = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    bytes.set(p, at)
    at += p.length
  }
  return E.right({ envelope: built.right.envelope, bytes })
}

export type { NamedAddress } from './Address.ts'
