// smtpure as a bench client (the built package): node bench/clients/smtpure.mjs PORT SCENARIO
import { connect, createPool, sendMail } from '@smtpure/node'
import { SCENARIOS, body, recipients, report, runLanes, streamedBody } from './common.mjs'

const [port, name] = [Number(process.argv[2]), process.argv[3] ?? 'A']
const sc = SCENARIOS[name]
const to = recipients(sc.recipients)
const payload = sc.streamed ? null : body(sc.bodyBytes)
const opts = { host: '127.0.0.1', port, tls: 'none', clientName: 'bench.example' }
/** A message counts only if every recipient was accepted (a refused one throws on its own). */
const delivered = (result) => {
  if (result.rejected.length > 0) throw new Error(`refused: ${result.rejected.map((r) => r.message).join('; ')}`)
}

if (name === 'E' || name === 'X') {
  // The pool: N connections, each carrying its share with envelopes pipelined behind final dots.
  const round = async (messages) => {
    const pool = createPool({ ...opts, connections: sc.connections, messagesPerConnection: sc.perConnection, pipelineDepth: sc.perConnection, queueLimit: messages })
    const outcomes = await Promise.all(Array.from({ length: messages }, () => pool.send({ from: 'bench@example.org', to, body: payload })))
    await pool.close()
    if (outcomes.some((o) => o._tag !== 'Sent' || o.result.rejected.length > 0)) throw new Error('a message was not delivered to every recipient')
  }
  // Scenario X: an unmeasured warm-up through another pool first.
  if (sc.warmup !== undefined) await round(sc.warmup)
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  await round(sc.messages)
  report(sc.messages, sc.messages * payload.length, performance.now() - t0, process.cpuUsage(c0))
  process.exit(0)
}

await runLanes(sc, payload?.length ?? sc.bodyBytes, async (share) => {
  if (sc.perConnection === 1) {
    // One message per connection (B): the call made for it, which pipelines QUIT behind the dot.
    for (let sent = 0; sent < share; sent++) delivered(await sendMail({ ...opts, from: 'bench@example.org', to, body: payload ?? streamedBody(sc.bodyBytes) }))
    return
  }
  for (let sent = 0; sent < share; ) {
    const client = await connect(opts)
    const batch = Math.min(sc.perConnection, share - sent)
    // Queue the whole batch: each envelope is pipelined behind the previous final dot.
    const results = await Promise.all(Array.from({ length: batch }, () => client.send({ from: 'bench@example.org', to, body: payload ?? streamedBody(sc.bodyBytes) })))
    results.forEach(delivered)
    await client.quit()
    sent += batch
  }
})
