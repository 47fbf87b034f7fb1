/**
 * Replays the language-neutral transcript vectors in test/vectors/*.json against the engine.
 * The format is documented in test/vectors/README.md; this file is its reference reader.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { Buffer } from 'node:buffer'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  Client,
  decodeConfig,
  decodeEnvelope,
  type Event,
  type Input,
  type Output,
  type SmtpErrorType,
  type State,
} from '@smtpure/core'

export interface VectorStep {
  readonly in: Record<string, unknown> & { readonly type: string }
  readonly out?: ReadonlyArray<Record<string, unknown>>
  readonly error?: string
  readonly deadline?: number | null
  readonly wantsRead?: boolean
}

export interface Vector {
  readonly name: string
  readonly description?: string
  readonly rfc?: ReadonlyArray<string>
  readonly config: Record<string, unknown>
  readonly start?: number
  readonly autoWriteCompleted?: boolean
  readonly steps: ReadonlyArray<VectorStep>
}

export const vectorsDir = new URL('../vectors/', import.meta.url).pathname

export const loadVectors = (): ReadonlyArray<{ file: string; vector: Vector }> =>
  readdirSync(vectorsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, vector: JSON.parse(readFileSync(join(vectorsDir, file), 'utf8')) as Vector }))

// ---- normalization (what the README calls the "plain form" of outputs)

export const normalizeError = (e: SmtpErrorType): Record<string, unknown> => {
  switch (e._tag) {
    case 'Rejected':
      return {
        tag: e._tag,
        command: e.command,
        code: e.code,
        enhanced: O.isSome(e.enhanced) ? `${e.enhanced.value.class}.${e.enhanced.value.subject}.${e.enhanced.value.detail}` : null,
      }
    case 'PolicyRefused':
      return { tag: e._tag, requirement: e.requirement }
    case 'ConnectionLost':
      return { tag: e._tag, during: e.during }
    case 'TimedOut':
      return { tag: e._tag, during: e.during }
    case 'AuthCancelled':
      return { tag: e._tag, mechanism: e.mechanism }
    case 'NoRecipients':
      return { tag: e._tag, transient: e.transient }
    case 'RouteFailed':
      return { tag: e._tag, reason: e.reason }
    case 'ProtocolViolation':
    case 'ConnectFailed':
    case 'TlsFailed':
    case 'Aborted':
      return { tag: e._tag }
  }
}

const normalizeRecipients = (rs: ReadonlyArray<import('@smtpure/core').RecipientOutcome>) =>
  rs.map((r) =>
    r._tag === 'Accepted' ? { recipient: r.recipient, accepted: true, code: r.reply.code } : { recipient: r.recipient, accepted: false, error: normalizeError(r.error) },
  )

export const normalizeEvent = (e: Event): Record<string, unknown> => {
  switch (e._tag) {
    case 'Ready':
      return { event: e._tag, secure: e.secure, authenticated: e.authenticated, extensions: e.capabilities.extensions.map((x) => x.keyword) }
    case 'RecipientAccepted':
      return { event: e._tag, transaction: e.transaction, recipient: e.recipient, code: e.reply.code }
    case 'RecipientRejected':
      return { event: e._tag, transaction: e.transaction, recipient: e.recipient, error: normalizeError(e.error) }
    case 'BodyWanted':
      return { event: e._tag, transaction: e.transaction }
    case 'Delivered':
      return { event: e._tag, transaction: e.transaction, code: e.reply.code, recipients: normalizeRecipients(e.recipients) }
    case 'DeliveryFailed':
    case 'DeliveryUnknown':
      return { event: e._tag, transaction: e.transaction, error: normalizeError(e.error), recipients: normalizeRecipients(e.recipients) }
    case 'Replied':
      return { event: e._tag, request: e.request, code: e.reply.code }
    case 'RequestFailed':
      return { event: e._tag, request: e.request, error: normalizeError(e.error) }
    case 'Failed':
      return { event: e._tag, error: normalizeError(e.error) }
    case 'Closed':
      return { event: e._tag }
  }
}

export const normalizeOutput = (o: Output): Record<string, unknown> => {
  switch (o._tag) {
    case 'Transmit':
      return { transmit: Buffer.from(o.bytes).toString('latin1'), ...(o.sensitive ? { sensitive: true } : {}) }
    case 'UpgradeTls':
      return { upgradeTls: o.servername }
    case 'Close':
      return { close: true }
    case 'Event':
      return normalizeEvent(o.event)
  }
}

/** Every key of `expected` must equal (deeply, recursively subset-matched) the actual value. */
export const matches = (expected: unknown, actual: unknown): boolean => {
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object') return false
    if (Array.isArray(expected)) {
      return Array.isArray(actual) && expected.length === actual.length && expected.every((x, i) => matches(x, actual[i]))
    }
    return Object.entries(expected).every(([k, v]) => matches(v, (actual as Record<string, unknown>)[k]))
  }
  return expected === actual
}

// ---- inputs

const text = (step: Record<string, unknown>): Uint8Array => {
  if (typeof step['hex'] === 'string') return Buffer.from(step['hex'], 'hex')
  return Buffer.from(String(step['data'] ?? ''), 'latin1')
}

export const toInput = (i: VectorStep['in'], now: number): Input => {
  switch (i.type) {
    case 'received':
      return { _tag: 'Received', bytes: text(i), now }
    case 'peerClosed':
      return { _tag: 'PeerClosed', now }
    case 'writeCompleted':
      return { _tag: 'WriteCompleted', now }
    case 'tlsEstablished':
      return { _tag: 'TlsEstablished', now }
    case 'tlsFailed':
      return { _tag: 'TlsHandshakeFailed', reason: String(i['reason'] ?? 'handshake failed'), now }
    case 'tick':
      return { _tag: 'Tick', now }
    case 'send': {
      const env = decodeEnvelope(i['envelope'])
      if (E.isLeft(env)) throw new Error(`vector envelope invalid: ${env.left.message}`)
      return { _tag: 'Send', envelope: env.right, now }
    }
    case 'bodyChunk':
      return i['last'] === true ? { _tag: 'BodyChunk', bytes: text(i), last: true, now } : { _tag: 'BodyChunk', bytes: text(i), now }
    case 'bodyEnd':
      return { _tag: 'BodyEnd', now }
    case 'reset':
      return { _tag: 'Reset', now }
    case 'noop':
      return { _tag: 'Noop', now }
    case 'verify':
      return { _tag: 'Verify', argument: String(i['argument'] ?? ''), now }
    case 'quit':
      return { _tag: 'Quit', now }
    case 'abort':
      return { _tag: 'Abort', reason: String(i['reason'] ?? 'test'), now }
    default:
      throw new Error(`unknown vector input type ${i.type}`)
  }
}

export interface StepResult {
  readonly index: number
  readonly outputs: ReadonlyArray<Record<string, unknown>>
  readonly error: string | null
  readonly deadline: number | null
  readonly wantsRead: boolean
}

/** Run a vector; returns per-step actual results (the caller compares). */
export const runVector = (v: Vector): { results: StepResult[]; state: State } => {
  const config = decodeConfig(v.config)
  if (E.isLeft(config)) throw new Error(`vector config invalid: ${config.left.message}`)
  let now = v.start ?? 0
  let state = Client.initial(config.right, now)
  const auto = v.autoWriteCompleted ?? true
  const results: StepResult[] = []
  v.steps.forEach((s, index) => {
    if (typeof s.in['now'] === 'number') now = s.in['now']
    const r = Client.step(toInput(s.in, now))(state)
    if (E.isLeft(r)) {
      results.push({ index, outputs: [], error: r.left.reason, deadline: O.toNullable(Client.pollTimeout(state)), wantsRead: Client.wantsRead(state) })
      return
    }
    state = r.right.state
    const outputs = [...r.right.outputs]
    if (auto) {
      // Report each Transmit as written, in order; their outputs belong to this step too.
      for (let k = 0; k < outputs.length; k++) {
        if (outputs[k]!._tag !== 'Transmit') continue
        const w = Client.step({ _tag: 'WriteCompleted', now })(state)
        if (E.isRight(w)) {
          state = w.right.state
          outputs.push(...w.right.outputs)
        }
      }
    }
    results.push({
      index,
      outputs: outputs.map(normalizeOutput),
      error: null,
      deadline: O.toNullable(Client.pollTimeout(state)),
      wantsRead: Client.wantsRead(state),
    })
  })
  return { results, state }
}
