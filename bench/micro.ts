/**
 * In-process micro-benchmarks of the core: dot-stuffing throughput (against a plain copy of the
 * same buffer), reply parsing, and whole transactions through the engine with an in-memory
 * "server". Prints one JSON object.
 */
import * as E from 'fp-ts/lib/Either.js'
import { Client, DotStuffer, ReplyParser, decodeConfig, decodeEnvelope, type State } from '@smtpure/core'
// SMTPURE_BENCH_SCALE=k divides the work by k, as for the bench clients: a check, not a measurement.
import { SCALE } from './clients/common.mjs'

const seconds = (ms: number): number => ms / 1000
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const time = (fn: () => void, runs = 5): number => {
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    fn()
    ms.push(performance.now() - t0)
  }
  return median(ms)
}

// ---- dot-stuffing: 64 MB of text lines (CRLF), some starting with '.', in 64 KB chunks
const makeBody = (bytes: number, dotEvery: number): Uint8Array => {
  const line = (i: number) => (i % dotEvery === 0 ? '.' : 'x') + 'abcdefghijklmnopqrstuvwxyz0123456789 lorem ipsum dolor sit amet conse\r\n'
  const one = new TextEncoder().encode(Array.from({ length: 1000 }, (_, i) => line(i)).join(''))
  const out = new Uint8Array(bytes)
  for (let at = 0; at < bytes; at += one.length) out.set(one.subarray(0, Math.min(one.length, bytes - at)), at)
  return out
}
const SIZE = Math.ceil((64 * 1024 * 1024) / SCALE / (64 * 1024)) * 64 * 1024
const CHUNK = 64 * 1024
// Room for a stuffed chunk, reused as the client's body stream reuses its own (`into`).
const scratch = new Uint8Array(2 * CHUNK + 2)
const stuffRun = (body: Uint8Array) => () => {
  let st = DotStuffer.initial
  let n = 0
  for (let i = 0; i < body.length; i += CHUNK) {
    const [out, next] = DotStuffer.stuff(body.subarray(i, i + CHUNK), true, scratch)(st)
    n += out.length
    st = next
  }
  if (n < body.length) throw new Error('lost bytes')
}
const plainBody = makeBody(SIZE, 1_000_000)
const dottedBody = makeBody(SIZE, 10)
const copyMs = time(() => {
  const dst = new Uint8Array(CHUNK)
  for (let i = 0; i < plainBody.length; i += CHUNK) dst.set(plainBody.subarray(i, i + CHUNK))
})
const cleanMs = time(stuffRun(plainBody))
const dottedMs = time(stuffRun(dottedBody))

// ---- reply parsing: a buffer of many single-line and multi-line replies
const REPLY_GROUPS = Math.ceil(20_000 / SCALE)
const replies = new TextEncoder().encode(('250 2.1.5 Ok\r\n'.repeat(9) + '250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n').repeat(REPLY_GROUPS))
const replyCount = 10 * REPLY_GROUPS
const parseMs = time(() => {
  let p = ReplyParser.empty
  let offset = 0
  let n = 0
  for (;;) {
    const r = ReplyParser.parseAt(replies, offset, p)
    if (r._tag !== 'Reply') break
    n++
    p = r.parser
    offset = r.offset
    if (offset >= replies.length) break
  }
  if (n !== replyCount) throw new Error(`parsed ${n}`)
})

// ---- whole transactions through the engine (pipelined, 1 recipient, small body)
const config = decodeConfig({ serverName: 'mx.example', clientName: 'client.example', tls: 'none' })
const envelope = decodeEnvelope({ from: 'a@example.org', to: ['b@example.net'] })
if (E.isLeft(config) || E.isLeft(envelope)) throw new Error('setup')
const enc = (s: string) => new TextEncoder().encode(s)
const GREETING = enc('220 mx ESMTP\r\n')
const EHLO = enc('250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n')
const ENVELOPE_OK = enc('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n')
const QUEUED = enc('250 2.0.0 queued\r\n')
const BODY = enc('Subject: hi\r\n\r\nHello there\r\n')
const TXNS = Math.ceil(50_000 / SCALE)
let delivered = 0
const step = (s: State, input: Parameters<typeof Client.step>[0]): State => {
  const r = Client.step(input)(s)
  if (E.isLeft(r)) throw new Error(r.left.message)
  let st = r.right.state
  for (const o of r.right.outputs) {
    if (o._tag === 'Transmit') st = step(st, { _tag: 'WriteCompleted', now: 0 })
    else if (o._tag === 'Event' && o.event._tag === 'Delivered') delivered++
  }
  return st
}
const txnMs = time(() => {
  delivered = 0
  let s = Client.initial(config.right, 0)
  s = step(s, { _tag: 'Received', bytes: GREETING, now: 0 })
  s = step(s, { _tag: 'Received', bytes: EHLO, now: 0 })
  for (let i = 0; i < TXNS; i++) {
    s = step(s, { _tag: 'Send', envelope: envelope.right, now: 0 })
    s = step(s, { _tag: 'Received', bytes: ENVELOPE_OK, now: 0 })
    s = step(s, { _tag: 'BodyChunk', bytes: BODY, now: 0 })
    s = step(s, { _tag: 'BodyEnd', now: 0 })
    s = step(s, { _tag: 'Received', bytes: QUEUED, now: 0 })
  }
  if (delivered !== TXNS) throw new Error(`${delivered} of ${TXNS} transactions delivered`)
}, 3)

const result = {
  dotStuffing: {
    bytes: SIZE,
    copyGBps: +(SIZE / 1e9 / seconds(copyMs)).toFixed(2),
    cleanGBps: +(SIZE / 1e9 / seconds(cleanMs)).toFixed(2),
    dottedGBps: +(SIZE / 1e9 / seconds(dottedMs)).toFixed(2),
  },
  replyParsing: { replies: replyCount, repliesPerSecond: Math.round(replyCount / seconds(parseMs)) },
  transactions: { count: TXNS, perSecond: Math.round(TXNS / seconds(txnMs)) },
}
console.log(JSON.stringify(result))
