// Shared by the Node bench clients: the scenarios and the message bodies. Plain JavaScript, so
// every client runs on bare Node with no loader in the way.

/** @typedef {{messages:number, connections:number, perConnection:number, recipients:number, bodyBytes:number, streamed:boolean, warmup?:number}} Scenario */

/** @type {Record<string, Scenario>} */
const FULL = {
  A: { messages: 2000, connections: 1, perConnection: 2000, recipients: 1, bodyBytes: 1000, streamed: false },
  // A once more, after 10 000 such messages were sent in the same process first: a long-running
  // process's throughput, once the JIT has compiled the hot code (A alone is mostly warm-up).
  W: { messages: 2000, connections: 1, perConnection: 2000, recipients: 1, bodyBytes: 1000, streamed: false, warmup: 10000 },
  B: { messages: 500, connections: 1, perConnection: 1, recipients: 1, bodyBytes: 1000, streamed: false },
  C: { messages: 200, connections: 1, perConnection: 200, recipients: 50, bodyBytes: 1000, streamed: false },
  D: { messages: 1, connections: 1, perConnection: 1, recipients: 1, bodyBytes: 20 * 1024 * 1024, streamed: false },
  E: { messages: 2000, connections: 8, perConnection: 250, recipients: 1, bodyBytes: 1000, streamed: false },
  // E once more, after 10 000 messages through the same code first (a long-running sender's pool).
  X: { messages: 2000, connections: 8, perConnection: 250, recipients: 1, bodyBytes: 1000, streamed: false, warmup: 10000 },
  F: { messages: 1, connections: 1, perConnection: 1, recipients: 1, bodyBytes: 1024 * 1024 * 1024, streamed: true },
}

/**
 * SMTPURE_BENCH_SCALE=k divides every scenario's work by k (message counts, warm-ups, and the
 * size of the one-message bodies), keeping at least a message per connection. The test suite
 * runs the whole bench that way to check every client still delivers; figures at a scale are
 * not measurements.
 */
export const SCALE = Number(process.env.SMTPURE_BENCH_SCALE ?? '1')
if (!Number.isInteger(SCALE) || SCALE < 1) throw new Error(`SMTPURE_BENCH_SCALE must be a whole number ≥ 1, not ${process.env.SMTPURE_BENCH_SCALE}`)

/** @type {(s: Scenario, k: number) => Scenario} */
const scaled = (s, k) => {
  if (k === 1) return s
  const messages = Math.max(s.connections, Math.round(s.messages / k))
  return {
    ...s,
    messages,
    perConnection: Math.min(s.perConnection, Math.ceil(messages / s.connections)),
    bodyBytes: s.messages === 1 ? Math.ceil(s.bodyBytes / k) : s.bodyBytes,
    ...(s.warmup === undefined ? {} : { warmup: Math.ceil(s.warmup / k) }),
  }
}

/** @type {Record<string, Scenario>} */
export const SCENARIOS = Object.fromEntries(Object.entries(FULL).map(([name, s]) => [name, scaled(s, SCALE)]))

const LINE = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwx\r\n'
const DOT_LINE = '.A line that starts with a dot, as in scenario D of the benchmark brief......\r\n'
const HEADER = 'Subject: bench\r\nFrom: <bench@example.org>\r\nTo: <sink@example.net>\r\n\r\n'

/** A body of about `bytes` octets; every 4th line starts with '.' (dot-stuffing work). */
export const body = (bytes) => {
  const lines = [HEADER]
  let n = HEADER.length
  for (let i = 0; n < bytes; i++) {
    const l = i % 4 === 3 ? DOT_LINE : LINE
    lines.push(l)
    n += l.length
  }
  return Buffer.from(lines.join(''))
}

/** The same kind of body generated in 64 KB chunks, never held whole. */
export async function* streamedBody(bytes) {
  const block = body(64 * 1024).subarray(HEADER.length)
  yield Buffer.from(HEADER)
  for (let sent = 0; sent < bytes; sent += block.length) yield block
}

export const recipients = (n) => Array.from({ length: n }, (_, i) => `rcpt${i}@example.net`)

/** Print the measurement as one JSON line. */
export const report = (messages, bytes, wallMs, cpu) => {
  console.log(JSON.stringify({ messages, bytes, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, userMs: cpu.user / 1000, sysMs: cpu.system / 1000 }))
}

/** Split `total` messages over `lanes`, run `lane(share)` for each in parallel, and report. */
export const runLanes = async (sc, bytesPerMessage, lane) => {
  // Scenario W: an unmeasured warm-up run first, so the measured one finds the hot code compiled.
  if (sc.warmup !== undefined) await lane(sc.warmup)
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  await Promise.all(
    Array.from({ length: sc.connections }, (_, k) =>
      lane(Math.floor(sc.messages / sc.connections) + (k < sc.messages % sc.connections ? 1 : 0)),
    ),
  )
  report(sc.messages, sc.messages * bytesPerMessage, performance.now() - t0, process.cpuUsage(c0))
}
