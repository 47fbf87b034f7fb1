/**
 * Renders the engine's phase table (Client.TRANSITIONS) to docs/STATES.md as a Mermaid state
 * diagram plus a table, so the documentation is drawn from the code. `npm run docs` writes it;
 * a test checks the committed file is current.
 */
import { writeFileSync } from 'node:fs'
import { Client } from '@smtpure/core'

export const renderStates = (): string => {
  const rows = Client.TRANSITIONS
  const phases = ['Greeting', 'Hello', 'StartTls', 'TlsHandshake', 'Auth', 'Ready', 'Quitting']
  const edges = rows.flatMap((t) => (t.from === '*' ? phases.map((p) => ({ ...t, from: p })) : [t]))
  const mermaid = [
    'stateDiagram-v2',
    '    [*] --> Greeting',
    ...edges.map((t) => `    ${t.from} --> ${t.to}${t.from === t.to || t.to !== 'Closed' ? `: ${t.on.split(' / ')[0]}` : ''}`),
    '    Closed --> [*]',
  ]
  const table = ['| from | to | on / does |', '| --- | --- | --- |', ...rows.map((t) => `| ${t.from} | ${t.to} | ${t.on} |`)]
  return [
    '# Session phases',
    '',
    'Generated from `Client.TRANSITIONS` in packages/core/src/Client.ts by `npm run docs`. Do not edit by hand.',
    '',
    '```mermaid',
    ...mermaid,
    '```',
    '',
    ...table,
    '',
    'Inside `Ready`, each transaction moves `Envelope` (MAIL/RCPT/DATA replies pending) → `Body` (354 received,',
    'content flowing as the app supplies chunks) → `Finishing` (final dot sent; its reply decides Delivered or',
    'DeliveryFailed; no reply means DeliveryUnknown). With PIPELINING the next transaction may start while the',
    'previous one is Finishing.',
    '',
  ].join('\n')
}

if (process.argv[1]?.endsWith('render-states.ts')) {
  writeFileSync(new URL('../docs/STATES.md', import.meta.url), renderStates())
  console.log('wrote docs/STATES.md')
}
