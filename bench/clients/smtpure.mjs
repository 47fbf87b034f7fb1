// smtpure as a bench client (the built package): node bench/clients/smtpure.mjs PORT SCENARIO
import { connect } from '@smtpure/node'
import { SCENARIOS, body, recipients, runLanes, streamedBody } from './common.mjs'

const [port, name] = [Number(process.argv[2]), process.argv[3] ?? 'A']
const sc = SCENARIOS[name]
const to = recipients(sc.recipients)
const payload = sc.streamed ? null : body(sc.bodyBytes)
const opts = { host: '127.0.0.1', port, tls: 'none', clientName: 'bench.example' }

await runLanes(sc, payload?.length ?? sc.bodyBytes, async (share) => {
  for (let sent = 0; sent < share; ) {
    const client = await connect(opts)
    const batch = Math.min(sc.perConnection, share - sent)
    // Queue the whole batch: each envelope is pipelined behind the previous final dot.
    await Promise.all(Array.from({ length: batch }, () => client.send({ from: 'bench@example.org', to, body: payload ?? streamedBody(sc.bodyBytes) })))
    await client.quit()
    sent += batch
  }
})
