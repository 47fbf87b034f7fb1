/**
 * `smtpure send`: one message to a server, to many (bulk through a pool), straight to the
 * recipients' MX hosts, or to a submission server found by DNS; every recipient's fate printed
 * (or as JSON), with an exit code that says what kind of failure it was.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { Mime, type Direct } from '@smtpure/core'
import { DeliveryError, SmtpFailure, makeNodeApi, nodeResolver, type ConnectOptions, type PoolOutcome, type SendResult } from '../index.ts'
import { bar, COLORS, counting, formatBytes, paint, progress, showLine, type Io } from './io.ts'

export const EXIT = { ok: 0, usage: 2, permanent: 3, transient: 4, unknown: 5 } as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** The worst of several outcomes: unknown beats temporary beats permanent beats success. */
export const worst = (codes: ReadonlyArray<ExitCode>): ExitCode => {
  const rank: ReadonlyArray<ExitCode> = [EXIT.usage, EXIT.unknown, EXIT.transient, EXIT.permanent]
  return rank.find((c) => codes.includes(c)) ?? EXIT.ok
}

export interface SendArgs {
  readonly server: string | undefined
  readonly tls: ConnectOptions['tls'] | undefined
  readonly user: string | undefined
  readonly from: string
  readonly to: ReadonlyArray<string> | undefined
  readonly toFile: string | undefined
  readonly count: number
  readonly connections: number
  readonly subject: string
  readonly body: string | undefined
  readonly bodyFile: string | undefined
  readonly attach: ReadonlyArray<string>
  readonly ca: string | undefined
  readonly dns: ReadonlyArray<string> | undefined
  readonly mxPort: number | undefined
  readonly json: boolean
  readonly verbose: boolean
  readonly quiet: boolean
  readonly progress: boolean
}

/** Thrown for the user's mistakes on the command line; printed with the usage, exit 2. */
export class CliUsage extends Error {}

const DEMO_TO = 'you@example.net'
const DEFAULT_TEXT = 'This message was sent by smtpure, an SMTP client with a pure protocol core.\n'

/** `host`, `host:port`, `[v6]` or `[v6]:port`. */
export const parseServer = (s: string): { host: string; port?: number } => {
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s) ?? /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(s)
  if (m === null) throw new CliUsage(`--server: cannot read ${JSON.stringify(s)} as host[:port]`)
  return m[2] !== undefined ? { host: m[1]!, port: Number(m[2]) } : { host: m[1]! }
}

/** The exit code for an error thrown by connect/send. */
export const exitFor = (e: unknown): ExitCode =>
  e instanceof SmtpFailure
    ? e.error._tag === 'UsageError'
      ? EXIT.usage
      : e.transient
        ? EXIT.transient
        : EXIT.permanent
    : e instanceof DeliveryError
      ? e.outcome === 'unknown'
        ? EXIT.unknown
        : e.transient
          ? EXIT.transient
          : EXIT.permanent
      : EXIT.permanent

/** A small in-process server for the demo (the smtp-server package, a dev dependency). */
const embeddedServer = async (): Promise<{ port: number; close: () => void }> => {
  const { SMTPServer } = await import('smtp-server').catch(() => {
    throw new CliUsage('the embedded demo server needs the smtp-server package (npm install smtp-server), or pass --server')
  })
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    banner: 'smtpure embedded demo server',
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {})
      stream.on('end', () => callback(null))
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.server.address()
  return { port: typeof address === 'object' && address !== null ? address.port : 0, close: () => server.close() }
}

/** The password: from SMTPURE_PASSWORD, or asked for on a terminal; never from argv. */
const passwordFor = async (io: Io, user: string): Promise<string> => {
  const fromEnv = io.env['SMTPURE_PASSWORD']
  if (fromEnv !== undefined) return fromEnv
  if (io.askSecret === null) throw new CliUsage('--auth needs a password: set SMTPURE_PASSWORD (it is never taken from the command line)')
  return io.askSecret(`password for ${user}: `)
}

const recipientsOf = (a: SendArgs): ReadonlyArray<string> => {
  const fromFile =
    a.toFile !== undefined
      ? readText(a.toFile, '--to-file')
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== '' && !l.startsWith('#'))
      : []
  return [...(a.to ?? []), ...fromFile]
}

/** A file the user named, or a usage error saying which option named it. */
const readText = (path: string, option: string): string => {
  try {
    return readFileSync(path, 'utf8')
  } catch (e) {
    throw new CliUsage(`${option}: cannot read ${path}: ${(e as Error).message}`)
  }
}

/** Build the message (the text read once, attachment streams opened fresh each time; the same `seed` gives the same bytes). */
const builder = (a: SendArgs) => {
  const text = a.bodyFile !== undefined ? readText(a.bodyFile, '--body-file') : (a.body ?? DEFAULT_TEXT)
  return (to: ReadonlyArray<string>, seed: { now: number; random: Uint8Array }) =>
    Mime.buildMessage(
      {
        from: a.from,
        to,
        subject: a.subject,
        text,
        attachments: a.attach.map((path) => ({ filename: basename(path), content: createReadStream(path) as AsyncIterable<Uint8Array> })),
      },
      { now: seed.now, tzOffsetMinutes: -new Date(seed.now).getTimezoneOffset(), random: seed.random },
    )
}

const freshSeed = (): { now: number; random: Uint8Array } => ({ now: Date.now(), random: new Uint8Array(randomBytes(Mime.RANDOM_OCTETS)) })

type Report = { readonly code: ExitCode; readonly json: Record<string, unknown> }

const printResult = (io: Io, a: SendArgs, r: SendResult, ms: number): void => {
  if (a.quiet || a.json) return
  const c = paint(io)
  io.out(c(COLORS.ok, `delivered in ${ms} ms: ${r.reply.code} ${r.reply.text}`))
  for (const x of r.accepted) io.out(`  accepted ${x.recipient} (${x.code})`)
  for (const x of r.rejected) io.out(c(COLORS.bad, `  rejected ${x.recipient}: ${x.message}`))
}

export const runSend = async (io: Io, a: SendArgs): Promise<ExitCode> => {
  const c = paint(io)
  const recipients = recipientsOf(a)
  const bulk = a.count > 1 || a.toFile !== undefined
  // No --server: log in → find the submission server; recipients → their MX hosts; else the demo.
  const mode = a.server === 'embedded' || (a.server === undefined && a.user === undefined && recipients.length === 0) ? 'embedded' : a.server !== undefined ? 'server' : a.user !== undefined ? 'discover' : 'direct'
  const api = makeNodeApi(a.dns !== undefined ? { resolver: nodeResolver(a.dns) } : {})
  const build = builder(a)
  const common: Partial<ConnectOptions> = {
    ...(a.ca !== undefined ? { ca: readFileSync(a.ca) } : {}),
    ...(a.verbose && !a.json ? { onTranscript: showLine(io) } : {}),
  }
  let report: Report
  if (mode === 'direct') report = await direct(io, a, api, build, recipients, common)
  else {
    const embedded = mode === 'embedded' ? await embeddedServer() : null
    try {
      const auth = a.user !== undefined ? { auth: { user: a.user, pass: await passwordFor(io, a.user) } } : {}
      const targets: ReadonlyArray<{ host: string; port?: number; tls?: ConnectOptions['tls']; how?: string }> =
        embedded !== null
          ? [{ host: '127.0.0.1', port: embedded.port, tls: 'none' }]
          : mode === 'server'
            ? [{ ...parseServer(a.server!), ...(a.tls !== undefined ? { tls: a.tls } : {}) }]
            : await discovered(io, a, api)
      if (embedded !== null && !a.quiet && !a.json) io.out(c(COLORS.note, ` * embedded SMTP server listening on 127.0.0.1:${embedded.port}`))
      const to = recipients.length > 0 ? recipients : [DEMO_TO]
      report = bulk ? await bulkSend(io, a, api, build, to, targets[0]!, { ...common, ...auth }) : await single(io, a, api, build, to, targets, { ...common, ...auth })
    } finally {
      embedded?.close()
    }
  }
  if (a.json) io.out(JSON.stringify(report.json))
  return report.code
}

type Api = ReturnType<typeof makeNodeApi>
type Build = ReturnType<typeof builder>

const discovered = async (io: Io, a: SendArgs, api: Api): Promise<ReadonlyArray<{ host: string; port: number; tls: ConnectOptions['tls']; how: string }>> => {
  const servers = await api.discoverSubmission(a.from)
  if (!a.quiet && !a.json) for (const s of servers) io.out(paint(io)(COLORS.note, ` * candidate ${s.host}:${s.port} (${s.tls === 'implicit' ? 'implicit TLS' : 'STARTTLS'}, ${s.how})`))
  return servers.map((s) => ({ host: s.host, port: s.port, tls: s.tls, how: s.how }))
}

const single = async (
  io: Io,
  a: SendArgs,
  api: Api,
  build: Build,
  to: ReadonlyArray<string>,
  targets: ReadonlyArray<{ host: string; port?: number; tls?: ConnectOptions['tls']; how?: string }>,
  common: Partial<ConnectOptions>,
): Promise<Report> => {
  const built = build(to, freshSeed())
  if (E.isLeft(built)) throw new CliUsage(built.left.message)
  const env = built.right.envelope
  const body = a.progress ? counting(built.right.chunks, io, 'sending') : built.right.chunks
  const started = io.now()
  let lastError: unknown = null
  for (const t of targets) {
    const client = await api.connect({ ...common, ...t } as ConnectOptions).catch((e: unknown) => {
      lastError = e
      return null
    })
    if (client === null) {
      // A discovered candidate that does not answer: try the next (RFC 6186 §3.1 order).
      if (t.how !== undefined && exitFor(lastError) !== EXIT.usage) continue
      break
    }
    try {
      const r = await client.send({ from: env.from, to: env.to, body, ...(env.smtpUtf8 === true ? { smtpUtf8: true } : {}) })
      await client.quit()
      const ms = Math.round(io.now() - started)
      printResult(io, a, r, ms)
      return { code: r.rejected.length === 0 ? EXIT.ok : worst(r.rejected.map((x) => (x.error._tag === 'Rejected' && x.error.code < 500 ? EXIT.transient : EXIT.permanent))), json: { status: 'delivered', ms, server: `${t.host}:${t.port ?? ''}`, ...(t.how !== undefined ? { how: t.how } : {}), accepted: r.accepted, rejected: r.rejected.map((x) => ({ recipient: x.recipient, message: x.message })), reply: r.reply } }
    } catch (e) {
      if (e instanceof DeliveryError && e.outcome === 'failed' && client.failure() === null) await client.quit().catch(() => client.abort())
      else client.abort()
      lastError = e
      break
    }
  }
  const code = exitFor(lastError)
  const message = lastError instanceof Error ? lastError.message : String(lastError)
  if (!a.json) io.err(paint(io)(COLORS.bad, message))
  return { code, json: { status: code === EXIT.unknown ? 'unknown' : 'failed', error: message, transient: code === EXIT.transient } }
}

const bulkSend = async (
  io: Io,
  a: SendArgs,
  api: Api,
  build: Build,
  to: ReadonlyArray<string>,
  target: { host: string; port?: number; tls?: ConnectOptions['tls'] },
  common: Partial<ConnectOptions>,
): Promise<Report> => {
  // --to-file: one message per recipient; --count N: the message N times (to every --to).
  const jobs: ReadonlyArray<ReadonlyArray<string>> = a.toFile !== undefined ? to.flatMap((r) => Array.from({ length: a.count }, () => [r])) : Array.from({ length: a.count }, () => to)
  const pool = api.createPool({ ...common, ...target, connections: a.connections, queueLimit: Math.max(16, a.connections * 4) } as Parameters<Api['createPool']>[0])
  let done = 0
  const p = a.progress ? progress(io, (ms) => `${bar(done, jobs.length)} ${done}/${jobs.length} messages, ${((done * 1000) / Math.max(ms, 1)).toFixed(1)} msg/s`) : null
  const outcomes: Array<Promise<PoolOutcome>> = []
  const started = io.now()
  for (const rcpts of jobs) {
    const built = build(rcpts, freshSeed())
    if (E.isLeft(built)) {
      await pool.close({ drain: false })
      throw new CliUsage(built.left.message)
    }
    const env = built.right.envelope
    const ticket = await pool.enqueue({ from: env.from, to: env.to, body: built.right.chunks, ...(env.smtpUtf8 === true ? { smtpUtf8: true } : {}) })
    outcomes.push(
      ticket.outcome.then((o) => {
        done++
        p?.tick()
        return o
      }),
    )
  }
  const all = await Promise.all(outcomes)
  await pool.close()
  p?.done()
  const ms = Math.max(1, Math.round(io.now() - started))
  const codes = all.map((o): ExitCode => (o._tag === 'Sent' ? (o.result.rejected.length === 0 ? EXIT.ok : EXIT.permanent) : o._tag === 'Unknown' ? EXIT.unknown : o.transient ? EXIT.transient : EXIT.permanent))
  const sent = all.filter((o) => o._tag === 'Sent').length
  const unknown = all.filter((o) => o._tag === 'Unknown').length
  const failed = all.length - sent - unknown
  if (!a.quiet && !a.json) {
    const c = paint(io)
    io.out(c(failed + unknown === 0 ? COLORS.ok : COLORS.bad, `${sent} sent, ${failed} failed, ${unknown} unknown in ${ms} ms (${((all.length * 1000) / ms).toFixed(1)} msg/s)`))
    all.forEach((o, i) => {
      if (o._tag !== 'Sent') io.out(c(COLORS.bad, `  message ${i + 1} (${jobs[i]!.join(', ')}): ${o._tag === 'Unknown' ? 'delivery unknown' : 'failed'}: ${o.error instanceof Error ? o.error.message : String(o.error)}`))
    })
  }
  return { code: worst(codes), json: { status: failed + unknown === 0 ? 'delivered' : 'partial', sent, failed, unknown, ms, messages: all.map((o, i) => ({ to: jobs[i], outcome: o._tag, ...(o._tag === 'Sent' ? { reply: o.result.reply } : { error: o.error instanceof Error ? o.error.message : String(o.error) }) })) } }
}

const direct = async (io: Io, a: SendArgs, api: Api, build: Build, to: ReadonlyArray<string>, common: Partial<ConnectOptions>): Promise<Report> => {
  const seed = freshSeed()
  const built = build(to, seed)
  if (E.isLeft(built)) throw new CliUsage(built.left.message)
  const env = built.right.envelope
  // The same seed rebuilds the same bytes for each domain (attachments are reopened).
  const again = (): AsyncIterable<Uint8Array> => {
    const b = build(to, seed)
    if (E.isLeft(b)) throw new CliUsage(b.left.message)
    return a.progress ? counting(b.right.chunks, io, 'sending') : b.right.chunks
  }
  const started = io.now()
  const report = await api.sendDirect({ ...common, ...(a.mxPort !== undefined ? { port: a.mxPort } : {}), ...(a.tls !== undefined ? { tls: a.tls } : {}) } as Parameters<Api['sendDirect']>[0], {
    from: env.from,
    to: env.to,
    body: again,
    ...(env.smtpUtf8 === true ? { smtpUtf8: true } : {}),
  })
  const ms = Math.round(io.now() - started)
  if (!a.quiet && !a.json) printDirect(io, report, ms)
  const codes: Array<ExitCode> = [
    ...report.rejected.map((r) => (r.transient ? EXIT.transient : EXIT.permanent)),
    ...report.unknown.map(() => EXIT.unknown),
  ]
  return { code: worst(codes), json: { status: codes.length === 0 ? 'delivered' : 'partial', ms, ...report } }
}

const printDirect = (io: Io, r: Direct.DirectReport, ms: number): void => {
  const c = paint(io)
  for (const d of r.domains) {
    for (const t of d.attempts) io.out(c(COLORS.note, ` * ${d.domain}: ${t.host}${t.address !== null ? ` [${t.address}]` : ''} did not take it: ${t.error}`))
    const via = d._tag === 'Failed' ? d.via : d.via
    const where = via !== null ? ` via ${via.host} [${via.address}]${via.implicit ? ' (no MX: the domain itself)' : via.preference !== null ? ` (MX ${via.preference})` : ''}` : ''
    switch (d._tag) {
      case 'Delivered':
        io.out(c(COLORS.ok, `${d.domain}: delivered${where}: ${d.result.reply.code} ${d.result.reply.text}`))
        break
      case 'Failed':
        io.out(c(COLORS.bad, `${d.domain}: ${d.transient ? 'temporary failure' : 'failed'}${where}: ${d.message}`))
        break
      case 'Unknown':
        io.out(c(COLORS.bad, `${d.domain}: delivery unknown${where}: ${d.message}`))
        break
    }
  }
  for (const x of r.accepted) io.out(`  accepted ${x.recipient} (${x.code})`)
  for (const x of r.rejected) io.out(c(COLORS.bad, `  rejected ${x.recipient}: ${x.message}`))
  for (const x of r.unknown) io.out(c(COLORS.bad, `  unknown  ${x}`))
  io.out(c(COLORS.note, ` * ${ms} ms`))
}

export { formatBytes }
