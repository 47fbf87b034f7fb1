// nodemailer as a bench client: node bench/clients/nodemailer.mjs PORT SCENARIO
import nodemailer from 'nodemailer'
import { Readable } from 'node:stream'
import { SCENARIOS, body, recipients, runLanes, streamedBody } from './common.mjs'

const [port, name] = [Number(process.argv[2]), process.argv[3] ?? 'A']
const sc = SCENARIOS[name]
const to = recipients(sc.recipients)
const payload = sc.streamed ? null : body(sc.bodyBytes)

await runLanes(sc, payload?.length ?? sc.bodyBytes, async (share) => {
  for (let sent = 0; sent < share; ) {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity, name: 'bench.example' })
    const batch = Math.min(sc.perConnection, share - sent)
    for (let i = 0; i < batch; i++) {
      const info = await transport.sendMail({ envelope: { from: 'bench@example.org', to }, raw: payload ?? Readable.from(streamedBody(sc.bodyBytes)) })
      // A message counts only if every recipient was accepted (nodemailer throws when none was).
      if (info.rejected.length > 0) throw new Error(`refused: ${info.rejected.join(', ')}`)
    }
    transport.close()
    sent += batch
  }
})
