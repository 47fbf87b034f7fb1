/**
 * A real DNS server on loopback for the routing tests: dnsmasq (Debian's `dnsmasq-base`) in the
 * foreground, answering only from the zone given here. Names under `localDomains` that are not
 * defined get NXDOMAIN; defined names asked for another type get NOERROR with no data.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { Resolver } from 'node:dns/promises'
import { freePort } from './ports.ts'

export interface DnsZone {
  readonly localDomains: ReadonlyArray<string>
  /** name → IPv4 and IPv6 addresses (loopback only). */
  readonly hosts?: Readonly<Record<string, ReadonlyArray<string>>>
  /** domain → MX records; exchange '.' is a null MX (RFC 7505). */
  readonly mx?: Readonly<Record<string, ReadonlyArray<{ readonly exchange: string; readonly preference: number }>>>
  /** `_service._tcp.domain` → SRV records. */
  readonly srv?: Readonly<Record<string, ReadonlyArray<{ readonly target: string; readonly port: number; readonly priority: number; readonly weight: number }>>>
}

export interface DnsServer {
  /** For `nodeResolver([...])` / `--dns`. */
  readonly address: string
  readonly port: number
  stop(): Promise<void>
}

/** How long dnsmasq may take to answer its first query. */
const START_TIMEOUT_MS = 5000

const LOOPBACK = new Set(['127.0.0.1', '::1'])

export const startDns = async (zone: DnsZone): Promise<DnsServer> => {
  const port = await freePort()
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--listen-address=127.0.0.1',
    '--bind-interfaces',
    `--port=${port}`,
    '--user=root',
    '--log-facility=/dev/null',
    ...zone.localDomains.map((d) => `--local=/${d}/`),
  ]
  for (const [name, addresses] of Object.entries(zone.hosts ?? {})) {
    for (const a of addresses) if (!LOOPBACK.has(a)) throw new Error(`test DNS: ${a} is not a loopback address`)
    // One record per address: with several IPv4 addresses in one --host-record, dnsmasq keeps only the last.
    for (const a of addresses) args.push(`--host-record=${name},${a}`)
  }
  for (const [domain, records] of Object.entries(zone.mx ?? {})) {
    for (const r of records) {
      // dnsmasq's --mx-host cannot express the root as exchange; RFC 7505's null MX is the raw
      // RDATA preference 0 (0000) and the root name (00).
      if (r.exchange === '.') args.push(`--dns-rr=${domain},15,${r.preference.toString(16).padStart(4, '0')}00`)
      else args.push(`--mx-host=${domain},${r.exchange},${r.preference}`)
    }
  }
  for (const [name, records] of Object.entries(zone.srv ?? {})) {
    for (const r of records) args.push(`--srv-host=${name},${r.target},${r.port},${r.priority},${r.weight}`)
  }
  const child: ChildProcess = spawn('/usr/sbin/dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Ready when it answers (any answer, NXDOMAIN included).
  const probe = new Resolver({ timeout: 200, tries: 1 })
  probe.setServers([`127.0.0.1:${port}`])
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr}`)
    const answered = await probe.resolve4(`ready.${zone.localDomains[0] ?? 'test'}`).then(
      () => true,
      (e: NodeJS.ErrnoException) => e.code === 'ENOTFOUND' || e.code === 'ENODATA',
    )
    if (answered) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`dnsmasq did not answer within ${START_TIMEOUT_MS} ms: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    address: `127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
  }
}
