/**
 * DNS for routing, over node:dns. Answers are classified for the core's pure planners:
 * NXDOMAIN → NoDomain, an empty answer → NoRecords, anything else that failed → LookupFailed.
 */
import { Resolver as DnsResolver } from 'node:dns/promises'
import type { Resolver } from '@smtpure/core'
import type { Routing } from '@smtpure/core'

/** Per-query timeout and tries (node:dns defaults are 5 s x 4, too slow to fall back from). */
export const DNS_TIMEOUT_MS = 3000
export const DNS_TRIES = 2

const classify = <A>(run: () => Promise<ReadonlyArray<A>>): Promise<Routing.Lookup<A>> =>
  run().then(
    (records): Routing.Lookup<A> => (records.length === 0 ? { _tag: 'NoRecords' } : { _tag: 'Found', records }),
    (e: NodeJS.ErrnoException): Routing.Lookup<A> =>
      e.code === 'ENOTFOUND' ? { _tag: 'NoDomain' } : e.code === 'ENODATA' ? { _tag: 'NoRecords' } : { _tag: 'LookupFailed', reason: `${e.code ?? 'error'}: ${e.message}` },
  )

/** A resolver; `servers` (e.g. `['127.0.0.1:5353']`) replaces the system's name servers. */
export const nodeResolver = (servers?: ReadonlyArray<string>): Resolver => {
  const r = new DnsResolver({ timeout: DNS_TIMEOUT_MS, tries: DNS_TRIES })
  if (servers !== undefined) r.setServers([...servers])
  return {
    mx: (domain) => classify(() => r.resolveMx(domain).then((rs) => rs.map((x) => ({ exchange: x.exchange, preference: x.priority })))),
    srv: (name) => classify(() => r.resolveSrv(name).then((rs) => rs.map((x) => ({ target: x.name, port: x.port, priority: x.priority, weight: x.weight })))),
    a: (host) => classify(() => r.resolve4(host)),
    aaaa: (host) => classify(() => r.resolve6(host)),
  }
}
