/**
 * `smtpure`: send a message from the command line and show the (redacted) transcript.
 *
 *   smtpure send [--server host[:port]] [--tls required|opportunistic|implicit|none]
 *                [--user NAME] [--from ADDR] [--to ADDR]... [--subject TEXT] [--body TEXT | --body-file PATH]
 *                [--attach PATH]...
 *                [--ca PATH] [--json] [--quiet]
 *
 * With no --server, an embedded SMTP server is started on 127.0.0.1 and the message goes there.
 * The password comes from $SMTPURE_PASSWORD (never from argv, so it is not in shell history or ps).
 *
 * Exit codes: 0 delivered, 2 usage error, 3 permanent failure, 4 temporary failure,
 * 5 delivery unknown.
 */
import { randomBytes } from 'node:crypto'
import { createReadStream, readFileSync } from 'node:fs'
import { basename } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { Mime } from '@smtpure/core'
import { parseArgs } from 'node:util'
import { DeliveryError, SmtpFailure, sendMail, type ConnectOptions, type Message } from './index.ts'
import type { TranscriptLine } from '@smtpure/core'

const USAGE = `usage: smtpure send [--server host[:port]] [--tls required|opportunistic|implicit|none]
                    [--user NAME] [--from ADDR] [--to ADDR ...] [--subject TEXT]
                    [--body TEXT | --body-file PATH] [--attach PATH ...] [--ca PATH] [--json] [--quiet]
  The password is read from SMTPURE_PASSWORD. Without --server, an embedded local server is used.`

export const EXIT = { ok: 0, usage: 2, permanent: 3, transient: 4, unknown: 5 } as const

const color = process.stdout.isTTY ? (c: number, s: string) => `\x1b[${c}m${s}\x1b[0m` : (_c: number, s: string) => s

const show = (l: TranscriptLine): void => {
  const tag = l.direction === 'C' ? color(36, 'C:') : l.direction === 'S' ? color(33, 'S:') : color(90, '*')
  console.log(`${tag} ${l.text}`)
}

/** A small in-process server for the demo (the smtp-server package, a dev dependency). */
const embeddedServer = async (): Promise<{ port: number; close: () => void; received: () => number }> => {
  const { SMTPServer } = await import('smtp-server').catch(() => {
    throw new Error('the embedded demo server needs the smtp-server package (npm install smtp-server), or pass --server')
  })
  let count = 0
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    banner: 'smtpure embedded demo server',
    onData(stream, _session, callback) {
      stream.on('data', () => {})
      stream.on('end', () => {
        count++
        callback(null)
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const address = server.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return { port, close: () => server.close(), received: () => count }
}

const parseServer = (s: string): { host: string; port?: number } => {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s)
  if (m === null) throw new Error(`--server: cannot read ${JSON.stringify(s)} as host[:port]`)
  return m[2] !== undefined ? { host: m[1]!, port: Number(m[2]) } : { host: m[1]! }
}

export const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [command, ...rest] = argv
  if (command !== 'send') {
    console.error(USAGE)
    return command === '--help' || command === '-h' ? EXIT.ok : EXIT.usage
  }
  let args
  try {
    args = parseArgs({
      args: [...rest],
      options: {
        server: { type: 'string' },
        tls: { type: 'string' },
        user: { type: 'string' },
        from: { type: 'string', default: 'demo@example.org' },
        to: { type: 'string', multiple: true, default: ['you@example.net'] },
        subject: { type: 'string', default: 'Hello from smtpure' },
        body: { type: 'string' },
        'body-file': { type: 'string' },
        attach: { type: 'string', multiple: true },
        ca: { type: 'string' },
        json: { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
      },
    }).values
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`)
    return EXIT.usage
  }
  const embedded = args.server === undefined ? await embeddedServer() : null
  const target = embedded !== null ? { host: '127.0.0.1', port: embedded.port } : parseServer(args.server!)
  const password = process.env['SMTPURE_PASSWORD']
  if (args.user !== undefined && password === undefined) {
    console.error('--user needs the password in the SMTPURE_PASSWORD environment variable')
    return EXIT.usage
  }
  const text = args['body-file'] !== undefined ? readFileSync(args['body-file'], 'utf8') : (args.body ?? 'This message was sent by smtpure, an SMTP client with a pure protocol core.\n')
  const built = Mime.buildMessage(
    {
      from: args.from,
      to: args.to,
      subject: args.subject,
      text,
      attachments: (args.attach ?? []).map((path) => ({ filename: basename(path), content: createReadStream(path) as AsyncIterable<Uint8Array> })),
    },
    { now: Date.now(), tzOffsetMinutes: -new Date().getTimezoneOffset(), random: randomBytes(Mime.RANDOM_OCTETS) },
  )
  if (E.isLeft(built)) {
    console.error(built.left.message)
    embedded?.close()
    return EXIT.usage
  }
  const body: Message['body'] = built.right.chunks
  const options: ConnectOptions & Message = {
    ...target,
    ...(args.tls !== undefined ? { tls: args.tls as NonNullable<ConnectOptions['tls']> } : embedded !== null ? { tls: 'none' as const } : {}),
    ...(args.user !== undefined && password !== undefined ? { auth: { user: args.user, pass: password } } : {}),
    ...(args.ca !== undefined ? { ca: readFileSync(args.ca) } : {}),
    from: built.right.envelope.from,
    to: built.right.envelope.to,
    ...(built.right.envelope.smtpUtf8 === true ? { smtpUtf8: true } : {}),
    body,
    transcript: false,
    ...(args.quiet || args.json ? {} : { onTranscript: show }),
  }
  if (embedded !== null && !args.quiet && !args.json) console.log(color(90, `* embedded SMTP server listening on 127.0.0.1:${embedded.port}`))
  const started = performance.now()
  try {
    const result = await sendMail(options)
    const ms = Math.round(performance.now() - started)
    if (args.json) {
      console.log(JSON.stringify({ status: 'delivered', ms, ...result, transcript: undefined }))
    } else if (!args.quiet) {
      console.log(color(32, `delivered in ${ms} ms: ${result.reply.code} ${result.reply.text}`))
      for (const a of result.accepted) console.log(`  accepted ${a.recipient} (${a.code})`)
      for (const r of result.rejected) console.log(color(31, `  rejected ${r.recipient}: ${r.message}`))
    }
    return EXIT.ok
  } catch (e) {
    if (e instanceof DeliveryError || e instanceof SmtpFailure) {
      const code =
        e instanceof SmtpFailure && e.error._tag === 'UsageError'
          ? EXIT.usage
          : e instanceof DeliveryError && e.outcome === 'unknown'
            ? EXIT.unknown
            : e.transient
              ? EXIT.transient
              : EXIT.permanent
      if (args.json) console.log(JSON.stringify({ status: code === EXIT.unknown ? 'unknown' : 'failed', error: e.message, transient: e.transient }))
      else console.error(color(31, e.message))
      return code
    }
    throw e
  } finally {
    embedded?.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/cli.ts') || process.argv[1]?.endsWith('/cli.js')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e)
      process.exit(1)
    },
  )
}
