// The floor: the least a Node client can do, as a reference for what Node itself costs. Hand-written
// pipelined SMTP over net.Socket: no validation, no reply parsing beyond the code of each final
// line, no timeouts, no error handling; dot-stuffing with Buffer's native search. Not a usable
// client: it measures the runtime, sockets and sink that every Node client pays for.
//   node bench/clients/node-floor.mjs PORT SCENARIO
import * as net from 'node:net'
import { SCENARIOS, body, recipients, runLanes } from './common.mjs'

const [port, name] = [Number(process.argv[2]), process.argv[3] ?? 'A']
const sc = SCENARIOS[name]
if (sc.streamed) throw new Error('the floor client does not stream (scenario F)')
const payload = body(sc.bodyBytes)
const envelope = Buffer.from(`MAIL FROM:<bench@example.org>\r\n${recipients(sc.recipients).map((r) => `RCPT TO:<${r}>\r\n`).join('')}DATA\r\n`)
const END = Buffer.from('\r\n.\r\n')

/** RFC 5321 §4.5.2 for a body with CRLF line ends only: double every dot that starts a line. */
const stuff = (b) => {
  const parts = []
  let from = 0
  if (b[0] === 0x2e) parts.push(Buffer.from('.'))
  for (let at = b.indexOf('\r\n.', 0, 'latin1'); at >= 0; at = b.indexOf('\r\n.', at + 3, 'latin1')) {
    parts.push(b.subarray(from, at + 3))
    from = at + 2
  }
  parts.push(b.subarray(from))
  return parts
}

/** One connection that sends `count` messages, each envelope pipelined behind the previous dot. */
const session = (count) =>
  new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1')
    s.setNoDelay(true)
    s.on('error', reject)
    let phase = 'greeting'
    let sent = 0
    let buf = ''
    s.on('data', (d) => {
      buf += d.toString('latin1')
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        if (line[3] === '-') continue
        if (line[0] === '4' || line[0] === '5') return reject(new Error(line))
        if (phase === 'greeting') {
          s.write('EHLO bench.example\r\n')
          phase = 'ehlo'
        } else if (phase === 'ehlo') {
          s.write(envelope)
          phase = 'txn'
        } else if (line.startsWith('354')) {
          sent++
          s.cork()
          for (const p of stuff(payload)) s.write(p)
          s.write(END)
          if (sent < count) s.write(envelope)
          else {
            s.write('QUIT\r\n')
            phase = 'quit'
          }
          s.uncork()
        } else if (line.startsWith('221')) {
          s.end()
          resolve()
        }
      }
    })
  })

await runLanes(sc, payload.length, async (share) => {
  for (let done = 0; done < share; ) {
    const batch = Math.min(sc.perConnection, share - done)
    await session(batch)
    done += batch
  }
})
