/**
 * Benchmarks against the peers, side by side in one run, against the same sink: Postfix's
 * smtp-sink on loopback (advertising PIPELINING). Peers: smtp-source (C, lock-step), nodemailer
 * and Python's smtplib. Each scenario runs several times; medians are reported with the ratio
 * to smtp-source and client CPU per message. Writes bench/RESULTS.md.
 *
 * Then the core micro-benchmarks (bench/micro.ts) in a few fresh processes.
 *
 *   npm run bench                 all scenarios, 3 runs each, and the micro-benchmarks
 *   npm run bench -- A D --runs 5 those scenarios only (add `micro` for the micro-benchmarks too)
 *   npm run bench -- micro        the micro-benchmarks only
 *   npm run bench -- --node PATH  also smtpure on another Node binary (a newer V8), same rounds
 *   npm run bench -- --scale 100 --out FILE --no-build
 *                                 every scenario's work divided by 100, written to FILE, with no
 *                                 build first: how the test suite checks that every client still
 *                                 delivers (figures at a scale are not measurements)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import { writeFileSync } from 'node:fs'
import { freePort, waitForPort } from '../test/servers/ports.ts'

const root = new URL('../', import.meta.url).pathname
const args = process.argv.slice(2)
/** The value after `--name`, if given. */
const option = (name: string): string | undefined => {
  const at = args.indexOf(name)
  return at >= 0 ? args[at + 1] : undefined
}
const RUNS = Number(option('--runs') ?? '3')
/** Another Node binary to run smtpure on as well: the cold scenarios are mostly V8's compiler. */
const OTHER_NODE = option('--node')
const SCALE = option('--scale')
const OUT = option('--out') ?? new URL('./RESULTS.md', import.meta.url).pathname
// Every client (and bench/clients/common.mjs, imported below) reads the scale from here.
if (SCALE !== undefined) process.env['SMTPURE_BENCH_SCALE'] = SCALE
const { SCENARIOS } = (await import('./clients/common.mjs')) as typeof import('./clients/common.mjs')
const wanted = args.filter((a, i) => /^[A-FWX]$/.test(a) && !['--runs', '--scale', '--out', '--node'].includes(args[i - 1] ?? ''))
const microAsked = args.includes('micro')
const scenarios = wanted.length > 0 ? wanted : microAsked ? [] : ['A', 'W', 'B', 'C', 'D', 'E', 'X', 'F']
const withMicro = wanted.length === 0 || microAsked
/**
 * Fresh processes for the micro-benchmarks: the dot-stuffing scan's speed differs from one
 * process to the next (where V8 places its loop), so one process is not a measurement.
 */
const MICRO_PROCESSES = 3

interface Measure {
  readonly wallMs: number
  readonly cpuMs: number
  readonly rssMb: number
  readonly messages: number
  readonly bytes: number
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/**
 * Run a command under /usr/bin/time (peak RSS, and CPU for a client that does not report its
 * own); `inner` says the client measured itself (a JSON line), which must be for the scenario's
 * number of messages (`work`, taken as is for the others). Otherwise the wall time is taken
 * here, to the millisecond: time's own `%e` has hundredths of a second.
 */
const measure = (cmd: string, argv: string[], inner: boolean, work: { messages: number; bytes: number }): Measure => {
  const t0 = performance.now()
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S %M', cmd, ...argv], { cwd: root, encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 24 })
  const wallMs = performance.now() - t0
  const t = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr)
  if (r.status !== 0 || t === null) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr.slice(-800)}`)
  const rssMb = Number(t[4]) / 1024
  if (!inner) return { wallMs, cpuMs: (Number(t[2]) + Number(t[3])) * 1000, rssMb, ...work }
  const line = r.stdout.trim().split('\n').pop() ?? '{}'
  const j = JSON.parse(line) as { wallMs: number; cpuMs: number; messages: number; bytes: number }
  // Every client must have done the same work (the Python client keeps its own table).
  if (j.messages !== work.messages) throw new Error(`${cmd} ${argv.join(' ')} sent ${j.messages} messages, not ${work.messages}`)
  return { ...j, rssMb }
}

// Clients run on bare Node; smtpure from its build (npm run build), as a user would run it.
const node = (client: string, port: number, sc: string, binary = process.execPath): [string, string[]] => [binary, [`bench/clients/${client}.mjs`, String(port), sc]]
const otherVersion = OTHER_NODE === undefined ? null : spawnSync(OTHER_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim()

const sourceArgs = (sc: string, port: number): string[] => {
  const s = SCENARIOS[sc]!
  const a = ['-M', 'bench.example', '-f', 'bench@example.org', '-t', 'sink@example.net', '-m', String(s.messages), '-s', String(s.connections), '-l', String(s.bodyBytes)]
  if (s.perConnection > 1) a.push('-d')
  if (s.recipients > 1) a.push('-r', String(s.recipients))
  return [...a, `127.0.0.1:${port}`]
}

interface Row {
  readonly scenario: string
  readonly client: string
  readonly msgsPerSec: number
  readonly mbPerSec: number
  readonly cpuMsPerMsg: number
  readonly rssMb: number
  /** Medians of the per-round ratios (null where that reference did not run). */
  readonly vsSource: number | null
  /** The lowest and highest of those per-round ratios to smtp-source (msgs/s). */
  readonly vsSourceRange: readonly [number, number] | null
  readonly vsFloor: number | null
  readonly cpuVsSource: number | null
}

interface Micro {
  readonly dotStuffing: { readonly copyGBps: number; readonly cleanGBps: number; readonly dottedGBps: number }
  readonly replyParsing: { readonly repliesPerSecond: number }
  readonly transactions: { readonly perSecond: number }
}

/** One run of bench/micro.ts in a process of its own (from the sources, as `npm run bench:micro`). */
const micro = (): Micro => {
  const r = spawnSync(process.execPath, ['--conditions=smtpure-source', '--import', 'tsx', 'bench/micro.ts'], { cwd: root, encoding: 'utf8', timeout: 600_000 })
  if (r.status !== 0) throw new Error(`bench/micro.ts failed: ${r.stderr.slice(-800)}`)
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Micro
}

const microLines = (runs: ReadonlyArray<Micro>): string[] => [
  `## Core micro-benchmarks (bench/micro.ts, in-process; one row per fresh process)`,
  '',
  'Dot-stuffing: 64 MB of 72-octet CRLF lines in 64 KB chunks into a reused buffer, "clean" with a dot line',
  'every 1000 lines, "dotted" every 10th (target ≥ 1 GB/s), beside a plain copy of the same chunks. Reply',
  'parsing: single- and multi-line replies from one buffer (target ≥ 2 M/s). Transactions: pipelined',
  'one-recipient transactions through the engine with an in-memory server.',
  '',
  '| process | dot-stuffing clean GB/s | dot-stuffing dotted GB/s | plain copy GB/s | replies/s | transactions/s |',
  '| ---: | ---: | ---: | ---: | ---: | ---: |',
  ...runs.map((m, i) => `| ${i + 1} | ${m.dotStuffing.cleanGBps} | ${m.dotStuffing.dottedGBps} | ${m.dotStuffing.copyGBps} | ${m.replyParsing.repliesPerSecond} | ${m.transactions.perSecond} |`),
  '',
]

const main = async (): Promise<void> => {
  if (!args.includes('--no-build')) {
    const built = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
    if (built.status !== 0) throw new Error('npm run build failed')
  }
  const port = await freePort()
  const sink: ChildProcess = spawn('smtp-sink', ['-u', 'nobody', `127.0.0.1:${port}`, '1024'], { stdio: 'ignore' })
  await waitForPort(port)
  const rows: Row[] = []
  try {
    for (const sc of scenarios) {
      const s = SCENARIOS[sc]!
      const work = { messages: s.messages, bytes: s.messages * s.bodyBytes }
      const clients: Array<[string, () => Measure]> = [
        ['smtp-source', () => measure('smtp-source', sourceArgs(sc, port), false, work)],
        ['smtpure', () => measure(...node('smtpure', port, sc), true, work)],
        ['nodemailer', () => measure(...node('nodemailer', port, sc), true, work)],
      ]
      if (OTHER_NODE !== undefined) clients.push([`smtpure (Node ${otherVersion})`, () => measure(...node('smtpure', port, sc, OTHER_NODE), true, work)])
      // The floor: what Node itself allows (hand-written pipelining, no checks); not a usable client.
      if (sc !== 'F') clients.push(['node-floor', () => measure(...node('node-floor', port, sc), true, work)])
      if (sc !== 'F') clients.push(['smtplib', () => measure('/usr/bin/python3', ['bench/clients/smtplib_client.py', String(port), sc], true, work)])
      const runs = sc === 'F' ? 1 : RUNS
      // Round robin: every client once per round, so a change in the machine's speed during the
      // run hits all of them alike; ratios are taken pair by pair within a round, then the median.
      const ms = new Map<string, Measure[]>(clients.map(([c]) => [c, []]))
      for (let i = 0; i < runs; i++) for (const [client, run] of clients) ms.get(client)!.push(run())
      const rate = (m: Measure): number => m.messages / (m.wallMs / 1000)
      /** The ratio of `xs` to `ys` round by round (null where that reference did not run). */
      const ratios = (xs: Measure[], ys: Measure[] | undefined, f: (m: Measure) => number): number[] | null =>
        ys === undefined ? null : xs.map((x, i) => f(x) / f(ys[i]!))
      const pairwise = (xs: Measure[], ys: Measure[] | undefined, f: (m: Measure) => number): number | null => {
        const rs = ratios(xs, ys, f)
        return rs === null ? null : median(rs)
      }
      const source = ms.get('smtp-source')
      const floorRuns = ms.get('node-floor')
      for (const [client] of clients) {
        const xs = ms.get(client)!
        const m = xs[0]!
        const wall = median(xs.map((x) => x.wallMs))
        const cpu = (x: Measure): number => x.cpuMs / x.messages
        const bySource = ratios(xs, source, rate)
        const row: Row = {
          scenario: sc,
          client,
          msgsPerSec: +(m.messages / (wall / 1000)).toFixed(1),
          mbPerSec: +(m.bytes / 1e6 / (wall / 1000)).toFixed(1),
          cpuMsPerMsg: +median(xs.map(cpu)).toFixed(3),
          rssMb: +Math.max(...xs.map((x) => x.rssMb)).toFixed(1),
          vsSource: bySource === null ? null : median(bySource),
          vsSourceRange: bySource === null ? null : [Math.min(...bySource), Math.max(...bySource)],
          vsFloor: pairwise(xs, floorRuns, rate),
          cpuVsSource: pairwise(xs, source, cpu),
        }
        rows.push(row)
        console.log(JSON.stringify(row))
      }
    }
  } finally {
    sink.kill()
  }
  const micros: Micro[] = []
  if (withMicro)
    for (let i = 0; i < MICRO_PROCESSES; i++) {
      micros.push(micro())
      console.log(JSON.stringify(micros[i]))
    }
  const lines = [
    '# Benchmark results',
    '',
    `Measured ${new Date().toISOString()} on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
    ...(SCALE === undefined || SCALE === '1' ? [] : ['', `**Scaled down ${SCALE}× (--scale): a check that every client delivers, not a measurement.**`]),
    '',
    ...(rows.length === 0 ? [] : scenarioLines(rows)),
    ...(micros.length === 0 ? [] : microLines(micros)),
  ]
  writeFileSync(OUT, lines.join('\n'))
  console.log(lines.join('\n'))
}

/** The scenarios' table and what its columns and scenarios are. */
const scenarioLines = (rows: ReadonlyArray<Row>): string[] => [
  `Sink: Postfix smtp-sink on 127.0.0.1 (PIPELINING advertised). ${RUNS} rounds (F: 1), every client once per round;`,
  'msgs/s and CPU are medians over the rounds, ratios are medians of the ratios within each round',
  '(the lowest and highest of those ratios show how much the machine moved between rounds).',
  'Client CPU is measured inside each client around the work (smtp-source: the whole process).',
  ...(otherVersion === null ? [] : [`"smtpure (Node ${otherVersion})" is the same client on that Node binary, in the same rounds (\`--node\`).`]),
  '',
  '| scenario | client | msgs/s | MB/s | × smtp-source (msgs/s) | lowest–highest round | × node-floor (msgs/s) | CPU ms/msg | × smtp-source (CPU) | peak RSS MB |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => {
    const x = (v: number | null): string => (v === null || !Number.isFinite(v) ? '' : v.toFixed(2))
    const range = r.vsSourceRange === null ? '' : `${r.vsSourceRange[0].toFixed(2)}–${r.vsSourceRange[1].toFixed(2)}`
    return `| ${r.scenario} | ${r.client} | ${r.msgsPerSec} | ${r.mbPerSec} | ${x(r.vsSource)} | ${range} | ${x(r.vsFloor)} | ${r.cpuMsPerMsg} | ${x(r.cpuVsSource)} | ${r.rssMb} |`
  }),
  '',
  'Scenarios: A 2000 small messages over one connection; B 500 messages, a new connection each;',
  'C 200 messages with 50 recipients each; D one 20 MB message (every 4th line starts with a dot);',
  'E 2000 messages over 8 connections; F one 1 GB streamed body (peak RSS). W is A measured after 10 000',
  'messages were first sent in the same process (JIT warmed up): a long-running process. smtp-source and',
  "smtplib have no JIT to warm, so their W is A's work run as is. X is E after such a warm-up (smtpure: through",
  'another pool first).',
  '',
  'node-floor is not a client anyone should use: hand-written pipelined SMTP on a bare net.Socket with',
  'no validation, no reply parsing, no timeouts and no error handling (bench/clients/node-floor.mjs).',
  'It shows what Node, its sockets and the sink cost before any library code runs.',
  '',
]

await main()
