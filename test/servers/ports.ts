/** Free loopback ports, for servers started by tests (never a fixed port: test files run in parallel). */
import { createServer } from 'node:net'
import { connect } from 'node:net'

/** A port that was free on 127.0.0.1 a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      const port = typeof a === 'object' && a !== null ? a.port : 0
      s.close(() => resolve(port))
    })
  })

/** Distinct free ports. */
export const freePorts = async (n: number): Promise<number[]> => {
  const out = new Set<number>()
  while (out.size < n) out.add(await freePort())
  return [...out]
}

/** Resolve once 127.0.0.1:port accepts a TCP connection (polling, bounded). */
export const waitForPort = async (port: number, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect({ host: '127.0.0.1', port })
      c.once('connect', () => {
        c.destroy()
        resolve(true)
      })
      c.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
