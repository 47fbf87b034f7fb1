/**
 * The CLI's contact with the terminal, passed in so tests can run commands in-process and read
 * what they printed: output lines, error lines, environment, whether a person is there to type.
 */
import type { TranscriptLine } from '@smtpure/core'

export interface Io {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
  /** Progress on one line (overwritten in place on a terminal). */
  readonly status: (line: string) => void
  readonly env: Readonly<Record<string, string | undefined>>
  /** Colors on (a terminal that did not ask for NO_COLOR). */
  readonly color: boolean
  /** Ask for a secret without echoing it; null when no one can answer (not a terminal). */
  readonly askSecret: ((prompt: string) => Promise<string>) | null
  /** Milliseconds, for rates shown to people (never for protocol timing). */
  readonly now: () => number
}

export const paint =
  (io: Io) =>
  (code: number, s: string): string =>
    io.color ? `\x1b[${code}m${s}\x1b[0m` : s

export const COLORS = { client: 36, server: 33, note: 90, ok: 32, bad: 31, head: 1 } as const

/** One transcript line, colored by direction (the core has already redacted secrets). */
export const showLine =
  (io: Io) =>
  (l: TranscriptLine): void => {
    const c = paint(io)
    const tag = l.direction === 'C' ? c(COLORS.client, 'C:') : l.direction === 'S' ? c(COLORS.server, 'S:') : c(COLORS.note, ' *')
    io.out(`${tag} ${l.text}`)
  }

/** Human-readable bytes. */
export const formatBytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`

/** Width of a progress bar, in characters. */
export const BAR_WIDTH = 20

/** `[#####---------------]` for `done` of `total`. */
export const bar = (done: number, total: number): string => {
  const filled = total <= 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.floor((done * BAR_WIDTH) / total))
  return `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`
}

/** Minimum time between progress updates. */
export const PROGRESS_INTERVAL_MS = 200

/** A throttled progress reporter; `done` prints the final figure. */
export const progress = (io: Io, render: (elapsedMs: number) => string): { tick: () => void; done: () => void } => {
  const start = io.now()
  let last = 0
  return {
    tick: () => {
      const now = io.now()
      if (now - last < PROGRESS_INTERVAL_MS) return
      last = now
      io.status(render(now - start))
    },
    done: () => io.status(render(Math.max(1, io.now() - start))),
  }
}

/** Count bytes flowing through a body, reporting bytes/s. */
export async function* counting(chunks: AsyncIterable<Uint8Array>, io: Io, label: string): AsyncIterable<Uint8Array> {
  let bytes = 0
  const p = progress(io, (ms) => `${label} ${formatBytes(bytes)} at ${formatBytes(Math.round((bytes * 1000) / Math.max(ms, 1)))}/s`)
  for await (const c of chunks) {
    bytes += c.length
    p.tick()
    yield c
  }
  p.done()
}
