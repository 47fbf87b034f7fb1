/**
 * DNS for routing over `Deno.resolveDns`, classified for the core's planners: NXDOMAIN →
 * NoDomain, no records of the type → NoRecords, any other failure → LookupFailed.
 */
import type { Resolver, Routing } from '@smtpure/core'

/** A name server to ask instead of the system's (`Deno.resolveDns`'s `nameServer`). */
export interface NameServer {
  readonly ipAddr: string
  readonly port?: number
}

type RecordType = 'A' | 'AAAA' | 'MX' | 'SRV'

const lookup = async <A>(name: string, type: RecordType, server: NameServer | undefined, map: (r: unknown) => A): Promise<Routing.Lookup<A>> => {
  try {
    // deno-lint-ignore no-explicit-any
    const records = (await Deno.resolveDns(name, type as any, server !== undefined ? { nameServer: { ipAddr: server.ipAddr, port: server.port ?? 53 } } : {})) as ReadonlyArray<unknown>
    return records.length === 0 ? { _tag: 'NoRecords' } : { _tag: 'Found', records: records.map(map) }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    // Deno reports NXDOMAIN and NODATA both as NotFound; the message tells them apart.
    if (e instanceof Deno.errors.NotFound) return /no records found|no record found/i.test(message) && !/NXDomain/i.test(message) ? { _tag: 'NoRecords' } : { _tag: 'NoDomain' }
    return { _tag: 'LookupFailed', reason: message }
  }
}

/** A resolver over Deno.resolveDns (needs --allow-net). */
export const denoResolver = (server?: NameServer): Resolver => ({
  mx: (domain) => lookup(domain, 'MX', server, (r) => {
    const x = r as { preference: number; exchange: string }
    return { exchange: x.exchange, preference: x.preference }
  }),
  srv: (name) => lookup(name, 'SRV', server, (r) => {
    const x = r as { priority: number; weight: number; port: number; target: string }
    return { target: x.target, port: x.port, priority: x.priority, weight: x.weight }
  }),
  a: (host) => lookup(host, 'A', server, (r) => r as string),
  aaaa: (host) => lookup(host, 'AAAA', server, (r) => r as string),
})
