/**
 * Finding the server, as pure functions over DNS answers the adapter looked up:
 * - direct delivery: MX for a recipient domain (RFC 5321 §5.1, null MX RFC 7505);
 * - submission: SRV `_submissions._tcp` then `_submission._tcp` (RFC 6186, RFC 8314 §5.1), then the
 *   `smtp.<domain>` guess.
 * Shuffling draws on injected random octets, so the same answers and octets give the same order.
 */
import * as E from 'fp-ts/lib/Either.js'
import { parseAddressLiteral } from './codecs/AddressLiteral.ts'
import { parseMailbox } from './codecs/Mailbox.ts'
import { toALabel } from './codecs/punycode.ts'
import type { SmtpError, UsageError } from './SmtpError.ts'
import { usageError } from './SmtpError.ts'

// ---- model: what a lookup says

/** One DNS answer, classified the way routing needs it. */
export type Lookup<A> =
  | { readonly _tag: 'Found'; readonly records: ReadonlyArray<A> }
  /** NOERROR with no records of this type (NODATA). */
  | { readonly _tag: 'NoRecords' }
  /** NXDOMAIN: the name does not exist. */
  | { readonly _tag: 'NoDomain' }
  /** SERVFAIL, timeout, refused: nothing is known; try later. */
  | { readonly _tag: 'LookupFailed'; readonly reason: string }

export interface MxRecord {
  readonly exchange: string
  readonly preference: number
}

export interface SrvRecord {
  readonly target: string
  readonly port: number
  readonly priority: number
  readonly weight: number
}

/** Where direct delivery for one domain goes, or why it cannot. */
export type MxPlan =
  /** Hosts in the order to try them; `implicit` when the domain has no MX (RFC 5321 §5.1). */
  | { readonly _tag: 'Hosts'; readonly hosts: ReadonlyArray<{ readonly host: string; readonly preference: number; readonly implicit: boolean }> }
  /** RFC 7505: the domain declares it accepts no mail. Permanent. */
  | { readonly _tag: 'NullMx' }
  /** The domain does not exist. Permanent. */
  | { readonly _tag: 'NoSuchDomain' }
  /** DNS could not say; a later try may work. */
  | { readonly _tag: 'TryLater'; readonly reason: string }

/** How a submission server was found. */
export type Discovery = 'srv-submissions' | 'srv-submission' | 'guess'

/** One submission server to try. `tls` is how it expects TLS: implicit (465-style) or STARTTLS. */
export interface SubmissionServer {
  readonly host: string
  readonly port: number
  readonly tls: 'implicit' | 'required'
  readonly how: Discovery
}

// ---- limits

/** At most this many MX hosts are tried per domain (RFC 5321 §5.1 asks for a configurable limit). */
export const MAX_MX_HOSTS = 10
/** At most this many addresses per host, so one host with many records cannot use up the attempts. */
export const MAX_ADDRESSES_PER_HOST = 4
/** Octets of randomness one plan may use (one per swap); more are ignored, fewer are reused. */
export const RANDOM_OCTETS = 32
/** Submission port with implicit TLS (RFC 8314 §7.3) and with STARTTLS (RFC 6409). */
export const SUBMISSIONS_PORT = 465
export const SUBMISSION_PORT = 587

// ---- shuffling

/** The i-th random octet, cycling (an empty source gives 0: the input order is kept). */
const octet = (random: Uint8Array, i: number): number => (random.length === 0 ? 0 : random[i % random.length]!)

/** Fisher-Yates over `items` with octets from `random` starting at `from`; returns octets used. */
const shuffleInPlace = <A>(items: Array<A>, random: Uint8Array, from: number): number => {
  let used = 0
  for (let i = items.length - 1; i > 0; i--) {
    const j = octet(random, from + used++) % (i + 1)
    const t = items[i]!
    items[i] = items[j]!
    items[j] = t
  }
  return used
}

/** Group sorted items by a key and shuffle within each group. */
const shuffleGroups = <A>(sorted: ReadonlyArray<A>, key: (a: A) => number, random: Uint8Array): Array<A> => {
  const out: Array<A> = []
  let used = 0
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j < sorted.length && key(sorted[j]!) === key(sorted[i]!)) j++
    const group = sorted.slice(i, j)
    used += shuffleInPlace(group, random, used)
    out.push(...group)
    i = j
  }
  return out
}

/** A host name as DNS wants it: lower case, no trailing dot, A-labels. */
export const dnsName = (host: string): string =>
  host
    .replace(/\.$/, '')
    .split('.')
    .map((l) => toALabel(l.normalize('NFC').toLowerCase()))
    .join('.')

// ---- direct delivery

/**
 * The hosts to try for a domain, from its MX lookup (RFC 5321 §5.1): sorted by preference, equal
 * preferences shuffled; no MX means the domain itself; a lone null MX means no mail at all.
 */
export const planMx =
  (domain: string, random: Uint8Array): ((mx: Lookup<MxRecord>) => MxPlan) =>
  (mx: Lookup<MxRecord>): MxPlan => {
    switch (mx._tag) {
      case 'NoDomain':
        return { _tag: 'NoSuchDomain' }
      case 'LookupFailed':
        return { _tag: 'TryLater', reason: mx.reason }
      case 'NoRecords':
        // §5.1: no MX, so the domain is its own implicit MX with preference 0.
        return { _tag: 'Hosts', hosts: [{ host: dnsName(domain), preference: 0, implicit: true }] }
      case 'Found': {
        if (mx.records.length === 0) return { _tag: 'Hosts', hosts: [{ host: dnsName(domain), preference: 0, implicit: true }] }
        // RFC 7505 §3: a null MX is a single record with the root as exchange. Mixed with
        // real MX records it is ignored (§4.3 leaves them to be used).
        const real = mx.records.filter((r) => dnsName(r.exchange) !== '')
        if (real.length === 0) return { _tag: 'NullMx' }
        const sorted = [...real].sort((a, b) => a.preference - b.preference)
        const seen = new Set<string>()
        const hosts = shuffleGroups(sorted, (r) => r.preference, random)
          .map((r) => ({ host: dnsName(r.exchange), preference: r.preference, implicit: false }))
          .filter((h) => (seen.has(h.host) ? false : (seen.add(h.host), true)))
        return { _tag: 'Hosts', hosts: hosts.slice(0, MAX_MX_HOSTS) }
      }
    }
  }

/**
 * A host's addresses in the order to try them: IPv6 and IPv4 interleaved, IPv6 first (in the spirit
 * of RFC 8305 §4), at most MAX_ADDRESSES_PER_HOST; when neither lookup found one, the more telling
 * of the two answers.
 */
export const orderAddresses = (v6: Lookup<string>, v4: Lookup<string>): E.Either<Lookup<string>, ReadonlyArray<string>> => {
  const six = v6._tag === 'Found' ? v6.records : []
  const four = v4._tag === 'Found' ? v4.records : []
  const out: Array<string> = []
  for (let i = 0; i < Math.max(six.length, four.length); i++) {
    if (i < six.length) out.push(six[i]!)
    if (i < four.length) out.push(four[i]!)
  }
  if (out.length > 0) return E.right(out.slice(0, MAX_ADDRESSES_PER_HOST))
  // Say the most useful reason: a failure beats NXDOMAIN beats NODATA.
  return E.left(v4._tag === 'LookupFailed' ? v4 : v6._tag === 'LookupFailed' ? v6 : v4._tag === 'NoDomain' ? v4 : v6)
}

/**
 * Whether a failure at one host means "try the next one" (RFC 5321 §5.1: a connection that cannot
 * be made, or a server that is not ready): connection failures, lost connections and timeouts
 * before a transaction began, TLS that could not be set up, and 4yz replies to the greeting or
 * EHLO. A 5yz there is the domain's answer and is kept.
 */
export const tryNextHost = (e: SmtpError): boolean => {
  switch (e._tag) {
    case 'ConnectFailed':
    case 'ConnectionLost':
    case 'TimedOut':
    case 'TlsFailed':
      return true
    case 'Rejected':
      return e.code >= 400 && e.code < 500
    case 'ProtocolViolation':
    case 'PolicyRefused':
    case 'AuthCancelled':
    case 'NoRecipients':
    case 'RouteFailed':
    case 'Aborted':
      return false
  }
}

/** Recipients grouped by domain, in first-seen order; domains compared as DNS names. */
export interface DomainGroup {
  /** The domain as DNS sees it (A-labels, lower case), or the address literal. */
  readonly domain: string
  readonly recipients: ReadonlyArray<string>
  /** Set when the domain is an address literal: connect there, no MX lookup. */
  readonly literal: string | null
}

/** Split recipients by domain (each group is one transaction to one set of hosts). */
export const groupByDomain = (recipients: ReadonlyArray<string>): E.Either<UsageError, ReadonlyArray<DomainGroup>> => {
  const groups = new Map<string, { domain: string; recipients: Array<string>; literal: string | null }>()
  const issues: Array<{ path: string; message: string }> = []
  recipients.forEach((r, i) => {
    const parsed = parseMailbox(r)
    if (E.isLeft(parsed)) {
      issues.push({ path: `to[${i}]`, message: parsed.left })
      return
    }
    const raw = parsed.right.slice(parsed.right.lastIndexOf('@') + 1)
    const literal = raw.startsWith('[') ? parseAddressLiteral(raw) : null
    const address = literal !== null && E.isRight(literal) ? literal.right.slice(1, -1).replace(/^IPv6:/i, '') : null
    const key = address !== null ? `[${address.toLowerCase()}]` : dnsName(raw)
    const g = groups.get(key) ?? { domain: key, recipients: [], literal: address }
    g.recipients.push(parsed.right)
    groups.set(key, g)
  })
  if (issues.length > 0) {
    return E.left({ ...usageError('InvalidInput', issues.map((x) => `${x.path}: ${x.message}`).join('; ')), issues })
  }
  return E.right([...groups.values()])
}

// ---- submission discovery

/**
 * RFC 2782 order: priority ascending; within a priority, a weighted random pick repeated (weight 0
 * records still get a chance). A lone "." target means the service is decidedly not offered.
 */
export const orderSrv = (records: ReadonlyArray<SrvRecord>, random: Uint8Array): ReadonlyArray<SrvRecord> => {
  const usable = records.filter((r) => dnsName(r.target) !== '')
  const sorted = [...usable].sort((a, b) => a.priority - b.priority)
  const out: Array<SrvRecord> = []
  let used = 0
  for (let i = 0; i < sorted.length; ) {
    let j = i
    while (j < sorted.length && sorted[j]!.priority === sorted[i]!.priority) j++
    // RFC 2782: zero-weight records first, then pick with probability proportional to weight.
    const group = [...sorted.slice(i, j)].sort((a, b) => (a.weight === 0 ? -1 : 0) - (b.weight === 0 ? -1 : 0))
    while (group.length > 0) {
      const total = group.reduce((n, r) => n + r.weight, 0)
      const draw = total === 0 ? 0 : ((octet(random, used) << 8) | octet(random, used + 1)) % (total + 1)
      used += 2
      let running = 0
      let k = 0
      for (; k < group.length; k++) {
        running += group[k]!.weight
        if (running >= draw) break
      }
      out.push(...group.splice(Math.min(k, group.length - 1), 1))
    }
    i = j
  }
  return out
}

/**
 * Submission servers for a user's domain, in the order to try: `_submissions._tcp` (implicit TLS,
 * RFC 8314 §5.1 prefers it), then `_submission._tcp` (STARTTLS, RFC 6186 §3.1), then the guesses
 * `smtp.<domain>` on 465 and 587. A lookup failure skips that step; the guess is always last.
 */
export const planSubmission =
  (domain: string, random: Uint8Array): ((submissions: Lookup<SrvRecord>, submission: Lookup<SrvRecord>) => ReadonlyArray<SubmissionServer>) =>
  (submissions: Lookup<SrvRecord>, submission: Lookup<SrvRecord>): ReadonlyArray<SubmissionServer> => {
    const fromSrv = (l: Lookup<SrvRecord>, tls: SubmissionServer['tls'], how: Discovery): ReadonlyArray<SubmissionServer> =>
      l._tag === 'Found' ? orderSrv(l.records, random).map((r) => ({ host: dnsName(r.target), port: r.port, tls, how })) : []
    const name = dnsName(domain)
    return [
      ...fromSrv(submissions, 'implicit', 'srv-submissions'),
      ...fromSrv(submission, 'required', 'srv-submission'),
      { host: `smtp.${name}`, port: SUBMISSIONS_PORT, tls: 'implicit', how: 'guess' },
      { host: `smtp.${name}`, port: SUBMISSION_PORT, tls: 'required', how: 'guess' },
    ]
  }

/** The SRV names to look up for a domain's submission servers. */
export const submissionSrvNames = (domain: string): { readonly submissions: string; readonly submission: string } => ({
  submissions: `_submissions._tcp.${dnsName(domain)}`,
  submission: `_submission._tcp.${dnsName(domain)}`,
})
