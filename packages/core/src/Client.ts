/**
 * The transition module: every state change of the engine happens here.
 *
 * Theory of operation
 * -------------------
 * `step(input)(state)` takes one input (bytes from the server, a transport event, a tick of the
 * clock, or a request from the app) and returns the next state with an ordered batch of outputs.
 * A request that does not fit the state is a `UsageError` (Left) and changes nothing; whatever
 * the server does is reported as events, never as a Left.
 *
 * Commands are decided into an *outbox*, then moved to the *pending* FIFO as the pipelining
 * rules allow (RFC 2920 §3.1: only RSET, MAIL, RCPT and the end of message content may be
 * followed by more without waiting). Each reply is matched to the head of the FIFO. Without
 * PIPELINING the same machinery sends one command at a time, and unsent commands of a failed
 * transaction are simply dropped from the outbox.
 *
 * Session phases move along `TRANSITIONS` (rendered to docs/STATES.md); a transaction's own
 * progress (Envelope → Body → Finishing) lives in the `Transaction` record.
 *
 * After the final dot, a missing reply (timeout, lost connection, abort) is "delivery unknown"
 * (RFC 1047), never "failed".
 */
import * as E from 'fp-ts/lib/Either.js'
import * as O from 'fp-ts/lib/Option.js'
import { absurd } from 'fp-ts/lib/function.js'
import * as Base64 from './Base64.ts'
import { isAscii, utf8 } from './Bytes.ts'
import * as Caps from './Capabilities.ts'
import type { Command, Queued, Sent } from './Command.ts'
import { pipelinable, queued, secret, timeoutKind } from './Command.ts'
import type { Config } from './Config.ts'
import * as Dot from './DotStuffer.ts'
import type { Envelope } from './Envelope.ts'
import type { Input } from './Input.ts'
import { MAX_AUTH_LINE_OCTETS, MAX_RECIPIENTS, MAX_SASL_ROUNDS } from './Limits.ts'
import type { Event, Output, RecipientOutcome } from './Output.ts'
import { emit } from './Output.ts'
import type { Reply } from './Reply.ts'
import { text as replyText } from './Reply.ts'
import * as Parser from './ReplyParser.ts'
import * as Sasl from './Sasl.ts'
import type { SmtpError, UsageError } from './SmtpError.ts'
import { isTransient, rejected, usageError, violation } from './SmtpError.ts'
import type { Phase, State, Transaction } from './State.ts'
import { draftState, draftTransaction } from './State.ts'

// ---- the phase table

/** One allowed phase change and what causes it. `from: '*'` means any phase. */
export interface Transition {
  readonly from: Phase | '*'
  readonly to: Phase
  readonly on: string
}

/** Every phase change the engine can make. `goto` refuses any other (a defect, not input). */
export const TRANSITIONS: ReadonlyArray<Transition> = [
  { from: 'Greeting', to: 'Hello', on: '220 greeting / send EHLO' },
  { from: 'Greeting', to: 'Quitting', on: 'greeting refused (554) / send QUIT' },
  { from: 'Hello', to: 'Hello', on: 'EHLO answered 500 or 502 / send HELO' },
  { from: 'Hello', to: 'StartTls', on: 'STARTTLS offered, policy required or opportunistic / send STARTTLS' },
  { from: 'Hello', to: 'Auth', on: 'credentials given / send AUTH' },
  { from: 'Hello', to: 'Ready', on: 'nothing left to negotiate / Ready' },
  { from: 'Hello', to: 'Quitting', on: 'HELO refused, STARTTLS required but not offered, no usable AUTH / send QUIT' },
  { from: 'StartTls', to: 'TlsHandshake', on: '220 with no byte after it / UpgradeTls' },
  { from: 'StartTls', to: 'Auth', on: 'STARTTLS refused, opportunistic, plaintext AUTH allowed / send AUTH' },
  { from: 'StartTls', to: 'Ready', on: 'STARTTLS refused, opportunistic / Ready' },
  { from: 'StartTls', to: 'Quitting', on: 'STARTTLS refused and TLS required / send QUIT' },
  { from: 'TlsHandshake', to: 'Hello', on: 'TlsEstablished / forget capabilities, send EHLO' },
  { from: 'Auth', to: 'Ready', on: '235 / Ready' },
  { from: 'Auth', to: 'Quitting', on: 'AUTH refused or cancelled / send QUIT' },
  { from: 'Ready', to: 'Quitting', on: 'Quit request / send QUIT' },
  { from: '*', to: 'Closed', on: 'QUIT answered, EOF, timeout, violation, 421, TLS failure, Abort / Close' },
]

const goto = (s: State, to: Phase): State => {
  if (!TRANSITIONS.some((t) => (t.from === s.phase || t.from === '*') && t.to === to)) {
    throw new Error(`smtpure defect: no transition ${s.phase} -> ${to}`)
  }
  const n = draftState(s)
  n.phase = to
  return n
}

// ---- model

/** The result of one step: the next state and the ordered outputs. */
export interface Stepped {
  readonly state: State
  readonly outputs: ReadonlyArray<Output>
}

/** Outputs of the step being computed. Local to one `step` call; never escapes it mutable. */
type Out = Output[]

// ---- constructors

/**
 * The state right after the transport connected (and, for implicit TLS, finished its
 * handshake) at time `now`: waiting for the greeting.
 */
export const initial = (config: Config, now: number): State => ({
  config,
  phase: 'Greeting',
  parser: Parser.empty,
  outbox: [],
  pending: [{ command: { _tag: 'Greeting' }, label: 'greeting' }],
  waitSince: now,
  lastWriteAt: now,
  writesInFlight: 0,
  capabilities: Caps.none,
  secure: config.tls === 'implicit',
  triedStartTls: false,
  sasl: null,
  authenticated: null,
  current: null,
  finishing: null,
  nextTransaction: 1,
  closedBy: null,
})

// ---- queries

/** When the engine next needs a `Tick`, if at all. */
export const pollTimeout = (s: State): O.Option<number> => {
  const t = s.config.timeouts
  if (s.phase === 'Closed') return O.none
  if (s.phase === 'TlsHandshake') return O.some(s.waitSince + t.tlsHandshake)
  const head = s.pending[0]
  if (head !== undefined) return O.some(s.waitSince + t[timeoutKind(head.command)])
  if (s.current?.stage === 'Body' && s.writesInFlight > 0) return O.some(s.lastWriteAt + t.dataBlock)
  return O.none
}

/**
 * Whether the adapter should read from the connection now. False during the TLS handshake
 * (RFC 3207: no byte may be read between the 220 and the handshake) and once closed.
 */
export const wantsRead = (s: State): boolean => s.phase !== 'Closed' && s.phase !== 'TlsHandshake'

/** The id the next `Send` will get. */
export const nextTransactionId = (s: State): number => s.nextTransaction

/** True once the session is over. */
export const isClosed = (s: State): boolean => s.phase === 'Closed'

// ---- transient arrays

/**
 * Arrays made during the current `step`, which no caller has seen yet: a later change in the same
 * step may be made in place instead of on a copy (with 50 recipients, every RCPT reply copied two
 * 50-element arrays). Dropped when the step returns, so a state handed out never changes.
 */
const madeThisStep = new Set<ReadonlyArray<unknown>>()
let stepping = false

/** `xs` itself if this step made it, else a copy this step now owns. */
const owned = <A>(xs: ReadonlyArray<A>): A[] => {
  if (madeThisStep.has(xs)) return xs as A[]
  const copy = xs.slice()
  if (stepping) madeThisStep.add(copy)
  return copy
}

// ---- helpers: outputs

const tell = (out: Out, event: Event): void => {
  out.push(emit(event))
}

const transmit = (s: State, out: Out, bytes: Uint8Array, sensitive: boolean, kind: 'command' | 'body', now: number): State => {
  out.push({ _tag: 'Transmit', bytes, sensitive, kind })
  const n = draftState(s)
  n.writesInFlight = s.writesInFlight + 1
  n.lastWriteAt = now
  return n
}

const enqueue = (s: State, ...commands: ReadonlyArray<Queued>): State => {
  const n = draftState(s)
  n.outbox = [...s.outbox, ...commands]
  return n
}

/** `s` with another current transaction (`draftState`: no object spread on the hot path). */
const withCurrent = (s: State, current: Transaction | null): State => {
  const n = draftState(s)
  n.current = current
  return n
}

/** `s` with the capabilities of an EHLO (or HELO) reply. */
const withCapabilities = (s: State, capabilities: Caps.Capabilities): State => {
  const n = draftState(s)
  n.capabilities = capabilities
  return n
}

/** `s` with another finishing transaction. */
const withFinishing = (s: State, finishing: Transaction | null): State => {
  const n = draftState(s)
  n.finishing = finishing
  return n
}

const pipeliningOn = (s: State): boolean => s.config.pipelining && s.capabilities.pipelining

/**
 * Move commands from the outbox to the wire as RFC 2920 allows: into an empty pipeline always;
 * behind others only when pipelining and the last one sent may be followed. Consecutive lines
 * of the same sensitivity go out in one Transmit (one write for a whole pipelined group).
 */
const flush = (s0: State, out: Out, now: number): State => {
  if (s0.outbox.length === 0 || s0.current?.stage === 'Body') return s0
  // Work on local copies and build the next state once (this runs for every command sent).
  const pipelining = pipeliningOn(s0)
  const pending = [...s0.pending]
  let waitSince = s0.waitSince
  let taken = 0
  const batches: Array<{ readonly lines: string[]; readonly sensitive: boolean }> = []
  while (taken < s0.outbox.length) {
    // Indexes are checked before reading: `a[-1]` on an empty array is a named-property
    // lookup up the prototype chain, the slowest load V8 has (a tenth of this step's time).
    const last = pending.length > 0 ? pending[pending.length - 1] : undefined
    if (last !== undefined && !(pipelining && pipelinable(last.command))) break
    const q = s0.outbox[taken++]!
    const batch = batches.length > 0 ? batches[batches.length - 1] : undefined
    if (batch !== undefined && batch.sensitive === q.sensitive) batch.lines.push(q.line)
    else batches.push({ lines: [q.line], sensitive: q.sensitive })
    if (pending.length === 0) waitSince = now
    pending.push({ command: q.command, label: q.label })
  }
  if (taken === 0) return s0
  for (const b of batches) out.push({ _tag: 'Transmit', bytes: utf8(b.lines.length === 1 ? b.lines[0]! : b.lines.join('')), sensitive: b.sensitive, kind: 'command' })
  // What `transmit` does per write, done once for the batches.
  const n = draftState(s0)
  n.outbox = s0.outbox.slice(taken)
  n.pending = pending
  n.waitSince = waitSince
  n.writesInFlight = s0.writesInFlight + batches.length
  n.lastWriteAt = now
  return n
}

/** After every step: send what may be sent, ask for body when the pipe is clear. */
const settle = (s0: State, out: Out, now: number): State => {
  if (s0.phase === 'Closed') return s0
  let s = flush(s0, out, now)
  const c = s.current
  if (c !== null && c.stage === 'Body' && !c.bodyRequested && s.writesInFlight === 0) {
    tell(out, { _tag: 'BodyWanted', transaction: c.id })
    const t = draftTransaction(c)
    t.bodyRequested = true
    s = withCurrent(s, t)
  }
  return s
}

// ---- helpers: transactions

const outcomesOf = (t: Transaction, error: SmtpError): ReadonlyArray<RecipientOutcome> =>
  t.outcomes.map((o, i) => o ?? { _tag: 'Rejected', recipient: t.envelope.to[i]!, error })

const noRecipients = (t: Transaction): SmtpError => {
  const errors = t.outcomes.flatMap((o) => (o?._tag === 'Rejected' ? [o.error] : []))
  const only = errors.length === 1 ? errors[0] : undefined
  return (
    only ?? {
      _tag: 'NoRecipients',
      message: `all ${errors.length} recipients were rejected`,
      transient: errors.some(isTransient),
    }
  )
}

/**
 * End the current transaction as failed: every unanswered recipient takes `error`, its unsent
 * commands leave the outbox, DeliveryFailed is reported and RSET is queued (RFC 5321 §4.1.1.5)
 * so the next transaction starts clean.
 */
const failTransaction = (s: State, t: Transaction, error: SmtpError, out: Out): State => {
  for (let i = 0; i < t.outcomes.length; i++) {
    if (t.outcomes[i] === null) tell(out, { _tag: 'RecipientRejected', transaction: t.id, recipient: t.envelope.to[i]!, error })
  }
  tell(out, { _tag: 'DeliveryFailed', transaction: t.id, error, recipients: outcomesOf(t, error) })
  const outbox = s.outbox.filter((q) => !('txn' in q.command && q.command.txn === t.id))
  const n = draftState(s)
  n.outbox = [...outbox, queued({ _tag: 'Rset', requested: false }, 'RSET')]
  n.current = null
  return n
}

/** Refuse a transaction before anything is sent (a requirement the server cannot meet). */
const refuseTransaction = (s: State, envelope: Envelope, error: SmtpError, out: Out): State => {
  const id = s.nextTransaction
  for (const recipient of envelope.to) tell(out, { _tag: 'RecipientRejected', transaction: id, recipient, error })
  tell(out, {
    _tag: 'DeliveryFailed',
    transaction: id,
    error,
    recipients: envelope.to.map((recipient) => ({ _tag: 'Rejected', recipient, error })),
  })
  return { ...s, nextTransaction: id + 1 }
}

// ---- helpers: ending the session

const close = (s: State, out: Out, error: SmtpError | null): State => {
  out.push({ _tag: 'Close' })
  tell(out, { _tag: 'Closed' })
  const n = draftState(goto(s, 'Closed'))
  n.outbox = []
  n.pending = []
  n.closedBy = error ?? s.closedBy
  n.parser = Parser.empty
  return n
}

/**
 * The session failed. Open transactions are reported (after the final dot: delivery unknown),
 * then either QUIT is sent (the connection is still sound: RFC 5321 §3.1, §4.1.1.10) or the
 * connection is closed at once (it is not: violation, timeout, EOF, 421).
 */
const fail = (s0: State, error: SmtpError, how: 'quit' | 'close', out: Out): State => {
  let s = s0
  const f = s.finishing
  if (f !== null) {
    tell(out, { _tag: 'DeliveryUnknown', transaction: f.id, error, recipients: outcomesOf(f, error) })
  }
  const c = s.current
  if (c !== null) {
    tell(out, { _tag: 'DeliveryFailed', transaction: c.id, error, recipients: outcomesOf(c, error) })
  }
  s = { ...s, current: null, finishing: null, outbox: [], closedBy: error }
  tell(out, { _tag: 'Failed', error })
  if (how === 'close') return close(s, out, error)
  if (s.phase === 'Quitting') return s
  return enqueue(goto(s, 'Quitting'), queued({ _tag: 'Quit' }, 'QUIT'))
}

const unexpected = (s: State, sent: Sent, r: Reply, out: Out): State =>
  fail(s, violation(`unexpected reply ${r.code} to ${sent.label}`), 'close', out)

// ---- negotiation

const ready = (s: State, out: Out): State => {
  tell(out, { _tag: 'Ready', capabilities: s.capabilities, secure: s.secure, authenticated: s.authenticated })
  return goto(s, 'Ready')
}

const startAuthOrReady = (s: State, out: Out): State => {
  const auth = s.config.auth
  if (auth === null) return ready(s, out)
  if (!s.secure && !auth.allowPlaintext) {
    return fail(s, { _tag: 'PolicyRefused', requirement: 'AUTH-TLS', message: 'refusing to send credentials without TLS' }, 'quit', out)
  }
  const mechanism = Sasl.choose(s.config.saslMechanisms, s.capabilities.auth, auth.mechanisms)
  if (mechanism === undefined) {
    const offered = s.capabilities.auth.length === 0 ? 'no AUTH' : `AUTH ${s.capabilities.auth.join(' ')}`
    const wanted = auth.mechanisms.length > 0 ? auth.mechanisms : s.config.saslMechanisms.map((m) => m.name)
    return fail(
      s,
      { _tag: 'PolicyRefused', requirement: 'SASL', message: `no common SASL mechanism: the server offers ${offered}, we can use ${wanted.join(' ')}` },
      'quit',
      out,
    )
  }
  const start = mechanism.start(auth.credentials)
  const label = `AUTH ${mechanism.name}`
  const command: Command = { _tag: 'Auth', cancelled: false }
  let q: Queued
  if (start.initialResponse === null) {
    q = queued(command, label)
  } else {
    // RFC 4954 §4: an empty initial response is sent as "=".
    const encoded = start.initialResponse.length === 0 ? '=' : Base64.encode(start.initialResponse)
    q = secret(command, label, `${label} ${encoded}`)
  }
  if (utf8(q.line).length > MAX_AUTH_LINE_OCTETS) {
    return fail(s, { _tag: 'PolicyRefused', requirement: 'SASL', message: `the AUTH line would exceed ${MAX_AUTH_LINE_OCTETS} octets` }, 'quit', out)
  }
  return enqueue(
    { ...goto(s, 'Auth'), sasl: { mechanism: mechanism.name, progress: start.progress, rounds: 0, cancelReason: null } },
    q,
  )
}

/** After EHLO/HELO: STARTTLS if the policy asks and the server offers it, then AUTH, then Ready. */
const afterHello = (s: State, out: Out): State => {
  const policy = s.config.tls
  if (!s.secure && (policy === 'required' || policy === 'opportunistic') && !s.triedStartTls) {
    if (s.capabilities.startTls) {
      return enqueue({ ...goto(s, 'StartTls'), triedStartTls: true }, queued({ _tag: 'StartTls' }, 'STARTTLS'))
    }
    if (policy === 'required') {
      return fail(
        s,
        { _tag: 'PolicyRefused', requirement: 'STARTTLS', message: 'TLS is required but the server does not offer STARTTLS' },
        'quit',
        out,
      )
    }
  }
  return startAuthOrReady(s, out)
}

// RFC 2033 §4.1: LMTP greets with LHLO, which has no HELO to fall back to.
const ehlo = (s: State): State => enqueue(s, queued({ _tag: 'Ehlo' }, `${s.config.protocol === 'lmtp' ? 'LHLO' : 'EHLO'} ${s.config.clientName}`))

// ---- replies

const onAuthReply = (s: State, sent: Sent, cancelled: boolean, r: Reply, out: Out): State => {
  const sasl = s.sasl
  const auth = s.config.auth
  if (sasl === null || auth === null) return unexpected(s, sent, r, out)
  if (cancelled) {
    return fail(s, { _tag: 'AuthCancelled', mechanism: sasl.mechanism, message: sasl.cancelReason ?? 'cancelled' }, 'quit', out)
  }
  if (r.code === 235) {
    const mechanism = Sasl.byName(s.config.saslMechanisms)(sasl.mechanism)
    // RFC 5802 §5: with SCRAM a success the server has not proved (its signature) is refused.
    if (mechanism !== undefined && !mechanism.done(sasl.progress)) {
      return fail(s, { _tag: 'AuthCancelled', mechanism: sasl.mechanism, message: 'the server reported success without proving it knows the password' }, 'quit', out)
    }
    return ready({ ...s, sasl: null, authenticated: sasl.mechanism }, out)
  }
  if (r.code !== 334) {
    if (r.code >= 400) return fail(s, rejected(sent.label, r, s.capabilities.enhancedStatusCodes), 'quit', out)
    return unexpected(s, sent, r, out)
  }
  // RFC 4954 §4: cancel an exchange we cannot continue with a line holding a single "*".
  const cancel = (reason: string): State =>
    enqueue({ ...s, sasl: { ...sasl, cancelReason: reason } }, queued({ _tag: 'Auth', cancelled: true }, '*'))
  if (sasl.rounds >= MAX_SASL_ROUNDS) return cancel(`more than ${MAX_SASL_ROUNDS} challenges`)
  const challenge = Base64.decode((r.lines[0] ?? '').trim())
  if (E.isLeft(challenge)) return cancel(`undecodable challenge (${challenge.left})`)
  const mechanism = Sasl.byName(s.config.saslMechanisms)(sasl.mechanism)
  if (mechanism === undefined) return cancel('unknown mechanism')
  const next = mechanism.respond(auth.credentials, sasl.progress, challenge.right)
  switch (next._tag) {
    case 'Cancel':
      return cancel(next.reason)
    case 'Respond':
      return enqueue(
        { ...s, sasl: { ...sasl, progress: next.progress, rounds: sasl.rounds + 1 } },
        secret({ _tag: 'Auth', cancelled: false }, sent.label, Base64.encode(next.response)),
      )
    default:
      return absurd(next)
  }
}

const onRcptReply = (s: State, sent: Sent, txn: number, index: number, r: Reply, out: Out): State => {
  const t = s.current
  if (t === null || t.id !== txn || t.stage !== 'Envelope') return s // a failed transaction's leftover reply
  const recipient = t.envelope.to[index]!
  // RFC 5321 §4.3.2: RCPT answers 250/251 or a 4yz/5yz; anything else breaks the protocol.
  if (r.code < 400 && r.code !== 250 && r.code !== 251) return unexpected(s, sent, r, out)
  let outcome: RecipientOutcome
  if (r.code === 250 || r.code === 251) {
    outcome = { _tag: 'Accepted', recipient, reply: r }
    tell(out, { _tag: 'RecipientAccepted', transaction: t.id, recipient, reply: r })
  } else {
    const error = rejected(sent.label, r, s.capabilities.enhancedStatusCodes)
    outcome = { _tag: 'Rejected', recipient, error }
    tell(out, { _tag: 'RecipientRejected', transaction: t.id, recipient, error })
  }
  const outcomes = owned(t.outcomes)
  outcomes[index] = outcome
  const next = draftTransaction(t)
  next.outcomes = outcomes
  next.answered = t.answered + 1
  next.refused = t.refused + (outcome._tag === 'Rejected' ? 1 : 0)
  const all = next.answered === outcomes.length
  if (all && next.refused === outcomes.length) return failTransaction(withCurrent(s, next), next, noRecipients(next), out)
  // With BDAT there is no DATA/354: the content may flow once every recipient is answered.
  if (next.bdat && all) {
    next.stage = 'Body'
    next.bodyRequested = false
  }
  return withCurrent(s, next)
}

const onDataReply = (s: State, sent: Sent, txn: number, r: Reply, out: Out): State => {
  const t = s.current
  if (t === null || t.id !== txn) {
    // RFC 2920 §3.1: DATA pipelined after rejected recipients. If a server still answers 354,
    // end the empty content at once, ahead of anything already queued.
    if (r.code !== 354) return s
    const dot: Queued = { ...queued({ _tag: 'DataEnd', txn, discard: true, lmtpRecipient: -1 }, '.'), label: 'end of data' }
    return { ...s, outbox: [dot, ...s.outbox] }
  }
  if (r.code === 354) {
    const next = draftTransaction(t)
    next.stage = 'Body'
    next.bodyRequested = false
    return withCurrent(s, next)
  }
  if (r.code >= 400) return failTransaction(s, t, rejected(sent.label, r, s.capabilities.enhancedStatusCodes), out)
  return unexpected(s, sent, r, out)
}

const onDataEndReply = (s: State, sent: Sent, txn: number, discard: boolean, lmtpRecipient: number, r: Reply, out: Out): State => {
  if (discard) return s
  const t = s.finishing
  if (t === null || t.id !== txn) return unexpected(s, sent, r, out)
  // Only 2yz accepts and 4yz/5yz refuse; anything else is no answer at all (delivery unknown).
  if (r.code < 200 || (r.code >= 300 && r.code < 400)) return unexpected(s, sent, r, out)
  if (lmtpRecipient >= 0) return onLmtpReply(s, t, sent, lmtpRecipient, r, out)
  const recipients = outcomesOf(t, violation('no RCPT reply'))
  if (r.code >= 200 && r.code < 300) {
    tell(out, { _tag: 'Delivered', transaction: t.id, reply: r, recipients })
  } else {
    const error = rejected(sent.label, r, s.capabilities.enhancedStatusCodes)
    tell(out, { _tag: 'DeliveryFailed', transaction: t.id, error, recipients })
  }
  return withFinishing(s, null)
}

/**
 * RFC 2033 §4.2: after the final dot an LMTP server answers once per accepted recipient, in
 * RCPT order. Each answer settles that recipient; the last one settles the message.
 */
const onLmtpReply = (s: State, t: Transaction, sent: Sent, index: number, r: Reply, out: Out): State => {
  const recipient = t.envelope.to[index]!
  const outcome: RecipientOutcome =
    r.code >= 200 && r.code < 300 ? { _tag: 'Accepted', recipient, reply: r } : { _tag: 'Rejected', recipient, error: rejected(sent.label, r, s.capabilities.enhancedStatusCodes) }
  const next: Transaction = { ...t, outcomes: t.outcomes.map((o, i) => (i === index ? outcome : o)) }
  if (s.pending.some((p) => p.command._tag === 'DataEnd' && p.command.txn === t.id)) return withFinishing(s, next)
  const recipients = outcomesOf(next, violation('no reply'))
  const delivered = recipients.filter((o): o is Extract<RecipientOutcome, { _tag: 'Accepted' }> => o._tag === 'Accepted')
  const last = delivered.length > 0 ? delivered[delivered.length - 1] : undefined
  if (last !== undefined) tell(out, { _tag: 'Delivered', transaction: t.id, reply: last.reply, recipients })
  else tell(out, { _tag: 'DeliveryFailed', transaction: t.id, error: noRecipients(next), recipients })
  return withFinishing(s, null)
}

/** A reply to a BDAT chunk (RFC 3030 §2); the reply to the LAST chunk decides delivery. */
const onBdatReply = (s: State, sent: Sent, txn: number, last: boolean, r: Reply, out: Out): State => {
  if (last) {
    if (s.finishing?.id !== txn) return s // the transaction already failed on an earlier chunk
    return onDataEndReply(s, sent, txn, false, -1, r, out)
  }
  if (r.code >= 200 && r.code < 300) return s
  if (r.code < 400) return unexpected(s, sent, r, out)
  const error = rejected(sent.label, r, s.capabilities.enhancedStatusCodes)
  // RFC 3030 §4.2: a refused chunk ends the transaction; later chunks' replies are ignored.
  if (s.current?.id === txn) return failTransaction(s, s.current, error, out)
  const f = s.finishing
  if (f?.id === txn) {
    tell(out, { _tag: 'DeliveryFailed', transaction: f.id, error, recipients: outcomesOf(f, error) })
    return enqueue(withFinishing(s, null), queued({ _tag: 'Rset', requested: false }, 'RSET'))
  }
  return s
}

/** One complete reply, matched to the oldest pending command. */
const onReply = (s0: State, parser: Parser.ReplyParser, r: Reply, trailing: boolean, now: number, out: Out): State => {
  const sent = s0.pending[0]
  if (sent === undefined) {
    const s1 = { ...s0, parser }
    if (r.code === 421) return fail(s1, rejected('(no command)', r, false), 'close', out)
    return fail(s1, violation(`unsolicited reply ${r.code} ${replyText(r)}`), 'close', out)
  }
  // The parser's next state, the command answered and the restarted wait, in one copy.
  const pending = owned(s0.pending)
  pending.shift()
  const n = draftState(s0)
  n.parser = parser
  n.pending = pending
  n.waitSince = now
  let s: State = n
  const c = sent.command
  const enhanced = s.capabilities.enhancedStatusCodes
  // RFC 5321 §3.8: 421 to any command means the server is closing the channel.
  if (r.code === 421 && c._tag !== 'Quit') {
    if (c._tag === 'DataEnd' && !c.discard && s.finishing?.id === c.txn) {
      s = onDataEndReply(s, sent, c.txn, false, c.lmtpRecipient, r, out)
    }
    if (c._tag === 'Bdat' && c.last && s.finishing?.id === c.txn) {
      s = onDataEndReply(s, sent, c.txn, false, -1, r, out)
    }
    return fail(s, rejected(sent.label, r, enhanced), 'close', out)
  }
  switch (c._tag) {
    case 'Greeting':
      if (r.code === 220) return ehlo(goto(s, 'Hello'))
      // RFC 5321 §3.1: after a 554 greeting the client SHOULD send QUIT.
      if (r.code >= 400) return fail(s, rejected('greeting', r, false), 'quit', out)
      return unexpected(s, sent, r, out)
    case 'Ehlo':
      if (r.code === 250) return afterHello(withCapabilities(s, Caps.fromEhloReply(r)), out)
      // RFC 5321 §4.1.4: a server that does not know EHLO answers 500 or 502; fall back to HELO.
      if ((r.code === 500 || r.code === 502) && s.config.protocol === 'smtp') {
        return enqueue(goto(s, 'Hello'), queued({ _tag: 'Helo' }, `HELO ${s.config.clientName}`))
      }
      if (r.code >= 400) return fail(s, rejected(sent.label, r, false), 'quit', out)
      return unexpected(s, sent, r, out)
    case 'Helo':
      if (r.code === 250) return afterHello(withCapabilities(s, Caps.none), out)
      if (r.code >= 400) return fail(s, rejected(sent.label, r, false), 'quit', out)
      return unexpected(s, sent, r, out)
    case 'StartTls':
      if (r.code === 220) {
        // RFC 3207 §5 / CVE-2011-0411: anything after the 220 was sent before TLS and could be
        // a man-in-the-middle's injected reply. Fail closed.
        if (trailing || Parser.isMidReply(s.parser)) {
          return fail(s, violation('bytes arrived after the STARTTLS 220 reply (response injection)'), 'close', out)
        }
        out.push({ _tag: 'UpgradeTls', servername: s.config.serverName })
        return { ...goto(s, 'TlsHandshake'), waitSince: now }
      }
      if (r.code >= 400) {
        if (s.config.tls === 'required') {
          return fail(
            s,
            { _tag: 'PolicyRefused', requirement: 'STARTTLS', message: `TLS is required but STARTTLS was refused: ${r.code} ${replyText(r)}` },
            'quit',
            out,
          )
        }
        return startAuthOrReady(s, out)
      }
      return unexpected(s, sent, r, out)
    case 'Auth':
      return onAuthReply(s, sent, c.cancelled, r, out)
    case 'Mail': {
      const t = s.current
      if (t === null || t.id !== c.txn) return s
      if (r.code === 250) return s
      if (r.code >= 400) return failTransaction(s, t, rejected(sent.label, r, enhanced), out)
      return unexpected(s, sent, r, out)
    }
    case 'Rcpt':
      return onRcptReply(s, sent, c.txn, c.index, r, out)
    case 'Data':
      return onDataReply(s, sent, c.txn, r, out)
    case 'DataEnd':
      return onDataEndReply(s, sent, c.txn, c.discard, c.lmtpRecipient, r, out)
    case 'Bdat':
      return onBdatReply(s, sent, c.txn, c.last, r, out)
    case 'Rset':
    case 'Noop':
    case 'Vrfy': {
      const request = c._tag === 'Noop' ? 'NOOP' : c._tag === 'Vrfy' ? 'VRFY' : 'RSET'
      if (c._tag === 'Rset' && !c.requested) return s
      if (r.code >= 200 && r.code < 300) tell(out, { _tag: 'Replied', request, reply: r })
      else tell(out, { _tag: 'RequestFailed', request, error: rejected(sent.label, r, enhanced) })
      return s
    }
    case 'Quit':
      return close(s, out, null)
    default:
      return absurd(c)
  }
}

// ---- transport inputs

const onReceived = (s0: State, bytes: Uint8Array, now: number, out: Out): State => {
  if (s0.phase === 'TlsHandshake') {
    return fail(s0, violation('bytes arrived during the TLS handshake'), 'close', out)
  }
  let s = s0
  let offset = 0
  for (;;) {
    const r = Parser.parseAt(bytes, offset, s.parser)
    switch (r._tag) {
      case 'NeedMore': {
        const n = draftState(s)
        n.parser = r.parser
        return n
      }
      case 'Violation':
        return fail({ ...s, parser: Parser.empty }, violation(r.message), 'close', out)
      case 'Reply':
        offset = r.offset
        s = onReply(s, r.parser, r.reply, offset < bytes.length, now, out)
        if (s.phase === 'Closed' || s.phase === 'TlsHandshake' || offset >= bytes.length) return s
        break
      default:
        return absurd(r)
    }
  }
}

const onPeerClosed = (s: State, out: Out): State => {
  const head = s.pending[0]
  if (s.phase === 'Quitting' && (head === undefined || head.command._tag === 'Quit')) return close(s, out, null)
  const during = head?.label ?? (s.current?.stage === 'Body' ? 'DATA content' : 'an idle period')
  return fail(s, { _tag: 'ConnectionLost', during }, 'close', out)
}

const onTick = (s: State, now: number, out: Out): State => {
  const deadline = pollTimeout(s)
  if (O.isNone(deadline) || now < deadline.value) return s
  const head = s.pending[0]
  if (s.phase === 'Quitting' && head?.command._tag === 'Quit') return close(s, out, null)
  const t = s.config.timeouts
  const [during, afterMs] =
    s.phase === 'TlsHandshake'
      ? ['the TLS handshake', t.tlsHandshake]
      : head !== undefined
        ? [head.label, t[timeoutKind(head.command)]]
        : ['a DATA write', t.dataBlock]
  return fail(s, { _tag: 'TimedOut', during, afterMs }, 'close', out)
}

// ---- app requests

const wrongState = (message: string): E.Either<UsageError, State> => E.left(usageError('WrongState', message))

/**
 * Whether an app request (Send, RSET, NOOP, VRFY, QUIT) can be taken now; each answers WrongState
 * otherwise. The driver asks before stepping a queued request, so a waiting queue costs nothing.
 */
export const idle = (s: State): boolean => s.phase === 'Ready' && s.current === null

const onSend = (s: State, envelope: Envelope, out: Out): E.Either<UsageError, State> => {
  if (s.phase !== 'Ready') return wrongState(`cannot send: the session is not ready (${s.phase})`)
  if (s.current !== null) return wrongState(`cannot send: transaction ${s.current.id} is still open`)
  if (envelope.to.length === 0) return E.left(usageError('InvalidInput', 'the envelope has no recipients'))
  if (envelope.to.length > MAX_RECIPIENTS) {
    return E.left(usageError('InvalidInput', `the envelope has more than ${MAX_RECIPIENTS} recipients`))
  }
  const caps = s.capabilities
  // RFC 6531 §3.4: a non-ASCII address (or UTF-8 headers) needs SMTPUTF8 on MAIL FROM.
  const utf8Needed = envelope.smtpUtf8 === true || !isAscii(envelope.from) || envelope.to.some((m) => !isAscii(m))
  if (utf8Needed && !caps.smtpUtf8) {
    return E.right(
      refuseTransaction(s, envelope, { _tag: 'PolicyRefused', requirement: 'SMTPUTF8', message: 'the message needs SMTPUTF8, which the server does not offer' }, out),
    )
  }
  // RFC 6152 §3: 8-bit content only with BODY=8BITMIME, only if offered.
  if (envelope.eightBit === true && !caps.eightBitMime) {
    return E.right(
      refuseTransaction(s, envelope, { _tag: 'PolicyRefused', requirement: '8BITMIME', message: 'the body has 8-bit data and the server does not offer 8BITMIME' }, out),
    )
  }
  // RFC 1870 §6.1: do not send a message the server has declared too large.
  const limit = O.isSome(caps.size) ? caps.size.value : 0
  if (envelope.size !== undefined && limit > 0 && envelope.size > limit) {
    return E.right(
      refuseTransaction(s, envelope, { _tag: 'PolicyRefused', requirement: 'SIZE', message: `the message (${envelope.size} octets) exceeds the server's SIZE limit of ${limit}` }, out),
    )
  }
  // RFC 3030 §3: binary content goes only with BDAT and BINARYMIME.
  if (envelope.binary === true && !(caps.chunking && caps.binaryMime && s.config.chunking !== 'never')) {
    return E.right(
      refuseTransaction(s, envelope, { _tag: 'PolicyRefused', requirement: 'BINARYMIME', message: 'the body is binary and the server does not offer CHUNKING with BINARYMIME' }, out),
    )
  }
  // RFC 3461 §4: DSN parameters only to a server that offers DSN.
  const dsn = envelope.dsn
  if (dsn !== undefined && !caps.dsn && dsn.optional !== true) {
    return E.right(
      refuseTransaction(s, envelope, { _tag: 'PolicyRefused', requirement: 'DSN', message: 'delivery status notifications were asked for and the server does not offer DSN' }, out),
    )
  }
  // RFC 8689 §4.1: REQUIRETLS only over TLS, and only to a server that offers it.
  if (envelope.requireTls === true && !(s.secure && caps.requireTls)) {
    return E.right(
      refuseTransaction(s, envelope, { _tag: 'PolicyRefused', requirement: 'REQUIRETLS', message: s.secure ? 'the server does not offer REQUIRETLS' : 'REQUIRETLS needs a TLS connection' }, out),
    )
  }
  const id = s.nextTransaction
  const dsnOn = dsn !== undefined && caps.dsn
  let params = ''
  if (envelope.size !== undefined && O.isSome(caps.size)) params += ` SIZE=${envelope.size}`
  if (envelope.binary === true) params += ' BODY=BINARYMIME'
  else if (envelope.eightBit === true) params += ' BODY=8BITMIME'
  if (utf8Needed) params += ' SMTPUTF8'
  if (dsnOn && dsn.ret !== undefined) params += ` RET=${dsn.ret}`
  if (dsnOn && dsn.envid !== undefined) params += ` ENVID=${xtext(dsn.envid)}`
  if (envelope.requireTls === true) params += ' REQUIRETLS'
  let rcptParams = ''
  if (dsnOn && dsn.notify !== undefined) rcptParams += ` NOTIFY=${dsn.notify === 'NEVER' ? 'NEVER' : dsn.notify.join(',')}`
  const bdat = envelope.binary === true || (s.config.chunking === 'prefer' && caps.chunking && s.config.protocol === 'smtp')
  const commands: Queued[] = [queued({ _tag: 'Mail', txn: id }, `MAIL FROM:<${envelope.from}>${params}`)]
  envelope.to.forEach((m, index) =>
    commands.push(queued({ _tag: 'Rcpt', txn: id, index }, `RCPT TO:<${m}>${rcptParams}${dsnOn && dsn.orcpt === true ? ` ORCPT=rfc822;${xtext(m)}` : ''}`)),
  )
  if (!bdat) commands.push(queued({ _tag: 'Data', txn: id }, 'DATA'))
  const t: Transaction = {
    id,
    envelope,
    outcomes: envelope.to.map(() => null),
    answered: 0,
    refused: 0,
    stage: 'Envelope',
    stuffer: Dot.initial,
    bodyRequested: false,
    bdat,
  }
  const n = draftState(s)
  n.current = t
  n.nextTransaction = id + 1
  n.outbox = s.outbox.length === 0 ? commands : [...s.outbox, ...commands]
  return E.right(n)
}

const bodyTransaction = (s: State): Transaction | null =>
  s.current !== null && s.current.stage === 'Body' && s.current.bodyRequested ? s.current : null

const onBodyChunk = (s: State, bytes: Uint8Array, last: boolean, into: Uint8Array | null, now: number, out: Out): E.Either<UsageError, State> => {
  const t = bodyTransaction(s)
  if (t === null) return wrongState('body data is only taken after BodyWanted')
  if (t.bdat) {
    // RFC 3030 §2: BDAT carries the octets as they are: no dot-stuffing; line ends are still
    // normalized unless the body is binary.
    if (last) return E.right(endBdat(s, t, t.envelope.binary === true ? bytes : Dot.stuffLast(bytes, false)(t.stuffer), now, out))
    const [data, stuffer] = t.envelope.binary === true ? [bytes, t.stuffer] : Dot.stuff(bytes, false, into)(t.stuffer)
    const s1 = withCurrent(s, chunkTaken(t, stuffer))
    if (data.length === 0) return E.right(s1)
    return E.right(sendBdat(s1, data, false, t.id, now, out))
  }
  // The last chunk and the terminator go out together: one write, not two (and one copy).
  if (last) return E.right(endData(s, t, Dot.stuffLast(bytes)(t.stuffer), now, out))
  const [stuffed, stuffer] = Dot.stuff(bytes, true, into)(t.stuffer)
  const s1 = withCurrent(s, chunkTaken(t, stuffer))
  return E.right(stuffed.length === 0 ? s1 : transmit(s1, out, stuffed, false, 'body', now))
}

/** `t` after a body chunk: the stuffer moved on, and the next chunk waits for BodyWanted. */
const chunkTaken = (t: Transaction, stuffer: Dot.DotStuffer): Transaction => {
  const next = draftTransaction(t)
  next.stuffer = stuffer
  next.bodyRequested = false
  return next
}

/** `t` once its final dot (or BDAT LAST) is sent. */
const finishingOf = (t: Transaction): Transaction => {
  const next = draftTransaction(t)
  next.stage = 'Finishing'
  next.bodyRequested = false
  return next
}

const onBodyEnd = (s: State, now: number, out: Out): E.Either<UsageError, State> => {
  const t = bodyTransaction(s)
  if (t === null) return wrongState('the body can only end after BodyWanted')
  if (t.bdat) return E.right(endBdat(s, t, t.envelope.binary === true ? new Uint8Array(0) : Dot.finishUnstuffed(t.stuffer), now, out))
  return E.right(endData(s, t, Dot.finish(t.stuffer), now, out))
}

/** The last BDAT chunk (RFC 3030 §2: `BDAT n LAST`); the transaction waits for its reply. */
const endBdat = (s: State, t: Transaction, tail: Uint8Array, now: number, out: Out): State => {
  const n = draftState(sendBdat(s, tail, true, t.id, now, out))
  n.current = null
  n.finishing = finishingOf(t)
  return n
}

/** Send the end of the content (with the terminator) and wait for the final reply(s). */
const endData = (s: State, t: Transaction, tail: Uint8Array, now: number, out: Out): State => {
  out.push({ _tag: 'Transmit', bytes: tail, sensitive: false, kind: 'body' })
  // RFC 2033 §4.2: an LMTP server answers the final dot once per accepted recipient.
  const finals: Sent[] =
    s.config.protocol === 'lmtp'
      ? t.outcomes.flatMap((o, i) => (o?._tag === 'Accepted' ? [{ command: { _tag: 'DataEnd', txn: t.id, discard: false, lmtpRecipient: i }, label: `end of data for ${t.envelope.to[i]}` } satisfies Sent] : []))
      : [{ command: { _tag: 'DataEnd', txn: t.id, discard: false, lmtpRecipient: -1 }, label: 'end of data' }]
  // What `transmit` does, in the same copy of the state.
  const n = draftState(s)
  n.writesInFlight = s.writesInFlight + 1
  n.lastWriteAt = now
  n.current = null
  n.finishing = finishingOf(t)
  n.pending = [...s.pending, ...finals]
  n.waitSince = s.pending.length === 0 ? now : s.waitSince
  return n
}

/** `BDAT n [LAST]` and its octets (the command line and the data as two writes). */
const sendBdat = (s0: State, data: Uint8Array, last: boolean, txn: number, now: number, out: Out): State => {
  const line = `BDAT ${data.length}${last ? ' LAST' : ''}`
  let s = transmit(s0, out, utf8(line + '\r\n'), false, 'command', now)
  if (data.length > 0) s = transmit(s, out, data, false, 'body', now)
  const n = draftState(s)
  n.pending = [...s.pending, { command: { _tag: 'Bdat', txn, last }, label: line }]
  n.waitSince = s.pending.length === 0 ? now : s.waitSince
  return n
}

/** RFC 3461 §4: xtext: "+" and "=" and anything outside "!".."~" as "+XX". */
const xtext = (v: string): string =>
  Array.from(utf8(v), (b) => (b >= 0x21 && b <= 0x7e && b !== 0x2b && b !== 0x3d ? String.fromCharCode(b) : `+${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')

/** RFC 5321 §4.1.1.6: VRFY takes a user name or mailbox: printable, no CR, LF or NUL. */
export const MAX_VRFY_ARGUMENT = 256

// ---- the step

const writeDone = (s: State): State => {
  const n = draftState(s)
  n.writesInFlight = s.writesInFlight - 1
  return n
}

const dispatch = (input: Input, s: State, out: Out): E.Either<UsageError, State> => {
  if (s.phase === 'Closed') {
    switch (input._tag) {
      case 'Received':
      case 'PeerClosed':
      case 'WriteCompleted':
      case 'TlsEstablished':
      case 'TlsHandshakeFailed':
      case 'Tick':
        return E.right(s)
      default:
        return E.left(usageError('SessionClosed', 'the session is closed', O.fromNullable(s.closedBy)))
    }
  }
  switch (input._tag) {
    case 'Received':
      return E.right(onReceived(s, input.bytes, input.now, out))
    case 'PeerClosed':
      return E.right(onPeerClosed(s, out))
    case 'WriteCompleted':
      if (s.writesInFlight === 0) return wrongState('WriteCompleted without a Transmit in flight')
      return E.right(writeDone(s))
    case 'TlsEstablished':
      if (s.phase !== 'TlsHandshake') return wrongState('TlsEstablished without UpgradeTls')
      // RFC 3207 §4.2: forget everything learned before TLS and issue EHLO again.
      return E.right(ehlo({ ...goto(s, 'Hello'), secure: true, capabilities: Caps.none, parser: Parser.empty }))
    case 'TlsHandshakeFailed':
      if (s.phase !== 'TlsHandshake') return wrongState('TlsHandshakeFailed without UpgradeTls')
      return E.right(fail(s, { _tag: 'TlsFailed', reason: input.reason }, 'close', out))
    case 'Tick':
      return E.right(onTick(s, input.now, out))
    case 'Send':
      return onSend(s, input.envelope, out)
    case 'BodyChunk':
      return onBodyChunk(s, input.bytes, input.last === true, input.into ?? null, input.now, out)
    case 'BodyEnd':
      return onBodyEnd(s, input.now, out)
    case 'Reset':
      if (!idle(s)) return wrongState('RSET is only taken while no transaction is open')
      return E.right(enqueue(s, queued({ _tag: 'Rset', requested: true }, 'RSET')))
    case 'Noop':
      if (!idle(s)) return wrongState('NOOP is only taken while no transaction is open')
      return E.right(enqueue(s, queued({ _tag: 'Noop' }, 'NOOP')))
    case 'Verify':
      if (!idle(s)) return wrongState('VRFY is only taken while no transaction is open')
      if (!/^[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$/.test(input.argument) || input.argument.length > MAX_VRFY_ARGUMENT) {
        return E.left(usageError('InvalidInput', `VRFY takes a user name or mailbox of at most ${MAX_VRFY_ARGUMENT} printable characters`))
      }
      return E.right(enqueue(s, queued({ _tag: 'Vrfy' }, `VRFY ${input.argument}`)))
    case 'Quit':
      if (!idle(s)) return wrongState('QUIT is only taken while no transaction is open (use Abort)')
      return E.right(enqueue(goto(s, 'Quitting'), queued({ _tag: 'Quit' }, 'QUIT')))
    case 'Abort':
      return E.right(fail(s, { _tag: 'Aborted', reason: input.reason }, 'close', out))
    default:
      return absurd(input)
  }
}

/**
 * Feed one input. Right: the next state and its outputs, to be performed in order. Left: the
 * caller's mistake; the state is unchanged and nothing is to be done.
 */
export const step =
  (input: Input) =>
  (s: State): E.Either<UsageError, Stepped> => {
    const out: Out = []
    stepping = true
    try {
      const next = dispatch(input, s, out)
      if (E.isLeft(next)) return next
      return E.right({ state: settle(next.right, out, input.now), outputs: out })
    } finally {
      stepping = false
      if (madeThisStep.size > 0) madeThisStep.clear()
    }
  }
