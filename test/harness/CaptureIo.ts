/** An Io for running the CLI in-process: records what a command printed, with no terminal. */
import type { Io } from '../../packages/node-adapter/src/cli.ts'

export const captureIo = (env: Record<string, string> = {}, askSecret: Io['askSecret'] = null) => {
  const out: string[] = []
  const err: string[] = []
  const status: string[] = []
  const io: Io = { out: (l) => void out.push(l), err: (l) => void err.push(l), status: (l) => void status.push(l), env, color: false, askSecret, now: () => performance.now() }
  return { io, out, err, status, all: (): string => [...out, ...err].join('\n') }
}
