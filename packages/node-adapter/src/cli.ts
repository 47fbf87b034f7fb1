/**
 * `smtpure`: send mail and look at servers from the command line, safely (certificates checked,
 * TLS before AUTH, passwords never on the command line or in the transcript).
 *
 * Exit codes: 0 every recipient accepted, 2 usage error, 3 permanent failure, 4 temporary
 * failure, 5 delivery unknown (the final reply never came: a blind retry may duplicate).
 */
import { parseArgs } from 'node:util'
import type { Io } from './cli/io.ts'
import { runProbe } from './cli/probe.ts'
import { CliUsage, EXIT, runSend, type SendArgs } from './cli/send.ts'

export { EXIT } from './cli/send.ts'
export type { Io } from './cli/io.ts'

export const USAGE = `usage:
  smtpure send [--server host[:port] | --server embedded] [--tls required|opportunistic|implicit|none]
               [--auth USER] [--from ADDR] [--to ADDR ...] [--to-file PATH] [--count N] [--connections N]
               [--subject TEXT] [--body TEXT | --body-file PATH] [--attach PATH ...]
               [--ca PATH] [--dns IP[:PORT] ...] [--mx-port N] [-v] [--json] [--quiet] [--progress]
  smtpure probe host[:port] [--tls ...] [--ca PATH] [-v] [--json]

  Where mail goes when there is no --server: with --auth, to the submission server of the --from
  domain found by DNS (SRV _submissions/_submission, then smtp.<domain>); with --to, straight to
  each recipient domain's MX hosts; with neither, to an embedded demo server on 127.0.0.1.
  The password comes from SMTPURE_PASSWORD or a prompt, never from the command line.
  --to-file sends one message per recipient listed; --count N sends the message N times (a pool of
  --connections connections, default 4). -v shows the transcript (credentials redacted).
  Exit: 0 all accepted, 2 usage, 3 permanent failure, 4 temporary failure, 5 delivery unknown.`

const TLS_POLICIES = ['required', 'opportunistic', 'implicit', 'none'] as const

/** Bounds on what the command line may ask for. */
export const MAX_COUNT = 1_000_000
export const MAX_CONNECTIONS = 64

const positiveInt = (name: string, v: string | undefined, fallback: number, max: number): number => {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 1 || n > max) throw new CliUsage(`--${name} must be a whole number from 1 to ${max}`)
  return n
}

const tlsOf = (v: string | undefined): SendArgs['tls'] => {
  if (v === undefined) return undefined
  if (!(TLS_POLICIES as ReadonlyArray<string>).includes(v)) throw new CliUsage(`--tls must be one of ${TLS_POLICIES.join(', ')}`)
  return v as SendArgs['tls']
}

const common = {
  tls: { type: 'string' },
  ca: { type: 'string' },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', short: 'v', default: false },
} as const

export const processIo = (): Io => ({
  out: (l) => void process.stdout.write(`${l}\n`),
  err: (l) => void process.stderr.write(`${l}\n`),
  status: (l) => void (process.stderr.isTTY ? process.stderr.write(`\r\x1b[K${l}`) : process.stderr.write(`${l}\n`)),
  env: process.env,
  color: process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined,
  askSecret: process.stdin.isTTY === true ? askSecret : null,
  now: () => performance.now(),
})

/** Read a line from the terminal without echo. */
const askSecret = (prompt: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const stdin = process.stdin
    process.stderr.write(prompt)
    stdin.setRawMode(true)
    stdin.resume()
    let value = ''
    const onData = (d: Buffer): void => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(null)
        if (ch === '\u0003') return finish(new Error('cancelled'))
        if (ch === '\u007f') value = value.slice(0, -1)
        else value += ch
      }
    }
    const finish = (e: Error | null): void => {
      stdin.off('data', onData)
      stdin.setRawMode(false)
      stdin.pause()
      process.stderr.write('\n')
      if (e !== null) reject(e)
      else resolve(value)
    }
    stdin.on('data', onData)
  })

export const main = async (argv: ReadonlyArray<string>, io: Io = processIo()): Promise<number> => {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'send': {
        if (rest.some((x) => x === '--password' || x.startsWith('--password=') || x === '--pass')) {
          throw new CliUsage('passwords are not taken from the command line (shell history, ps); set SMTPURE_PASSWORD or type it at the prompt')
        }
        const v = parseArgs({
          args: [...rest],
          options: {
            ...common,
            server: { type: 'string' },
            auth: { type: 'string' },
            user: { type: 'string' },
            from: { type: 'string', default: 'demo@example.org' },
            to: { type: 'string', multiple: true },
            'to-file': { type: 'string' },
            count: { type: 'string' },
            connections: { type: 'string' },
            subject: { type: 'string', default: 'Hello from smtpure' },
            body: { type: 'string' },
            'body-file': { type: 'string' },
            attach: { type: 'string', multiple: true },
            dns: { type: 'string', multiple: true },
            'mx-port': { type: 'string' },
            quiet: { type: 'boolean', default: false },
            progress: { type: 'boolean', default: false },
          },
        }).values
        if (v.body !== undefined && v['body-file'] !== undefined) throw new CliUsage('--body and --body-file are exclusive')
        return await runSend(io, {
          server: v.server,
          tls: tlsOf(v.tls),
          user: v.auth ?? v.user,
          from: v.from,
          to: v.to,
          toFile: v['to-file'],
          count: positiveInt('count', v.count, 1, MAX_COUNT),
          connections: positiveInt('connections', v.connections, 4, MAX_CONNECTIONS),
          subject: v.subject,
          body: v.body,
          bodyFile: v['body-file'],
          attach: v.attach ?? [],
          ca: v.ca,
          dns: v.dns,
          mxPort: v['mx-port'] !== undefined ? positiveInt('mx-port', v['mx-port'], 25, 65535) : undefined,
          json: v.json,
          verbose: v.verbose,
          quiet: v.quiet,
          progress: v.progress,
        })
      }
      case 'probe': {
        const p = parseArgs({ args: [...rest], options: common, allowPositionals: true })
        if (p.positionals.length !== 1) throw new CliUsage('probe takes one server: smtpure probe host[:port]')
        return await runProbe(io, { server: p.positionals[0]!, tls: tlsOf(p.values.tls), ca: p.values.ca, json: p.values.json, verbose: p.values.verbose })
      }
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE)
        return EXIT.ok
      default:
        throw new CliUsage(command === undefined ? 'a command is needed' : `unknown command ${JSON.stringify(command)}`)
    }
  } catch (e) {
    // parseArgs reports unknown options with a TypeError carrying an ERR_PARSE_ARGS_* code.
    const parseError = (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true
    if (e instanceof CliUsage || parseError) {
      io.err(`${(e as Error).message}\n${USAGE}`)
      return EXIT.usage
    }
    const { SmtpFailure } = await import('./index.ts')
    if (e instanceof SmtpFailure && e.error._tag === 'UsageError') {
      io.err(e.message)
      return EXIT.usage
    }
    throw e
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
