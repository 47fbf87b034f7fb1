/**
 * Direct delivery (RFC 5321 §5.1) and submission discovery (RFC 6186, RFC 8314 §5.1), over the
 * pure plans in Routing.ts and a platform's Resolver. Every recipient's fate is reported, per
 * domain: delivered (with the server's replies), failed (with why, and whether a retry may work),
 * or unknown (the final reply never came).
 */
import * as E from 'fp-ts/lib/Either.js'
import type { BodyInput } from './Body.ts'
import { utf8 } from './Bytes.ts'
import * as Routing from './Routing.ts'
import type { RouteFailed, SmtpError } from './SmtpError.ts'
import { describe, isTransient, usageError } from './SmtpError.ts'
import type { Resolver } from './Transport.ts'
import type { RecipientOutcome } from './Output.ts'

/** What Direct needs from the API (kept structural to avoid a cycle with Api.ts). */
export interface DirectDeps<C> {
  readonly resolver: Resolver | undefined
  readonly random: (octets: number) => Uint8Array
  /** Connect to `address` (verifying TLS for `host`); rejects with a failure carrying `error`. */
  readonly connect: (host: string, address: string) => Promise<C>
  /** Send on a connected client, then QUIT; resolves or rejects as `SmtpClient.send` does. */
  readonly deliver: (client: C, recipients: ReadonlyArray<string>, body: BodyInput) => Promise<Delivered>
  /** Read the SmtpError (or UsageError) out of whatever `connect` / `deliver` threw, if it is ours. */
  readonly classify: (e: unknown) => Classified
}

export type Classified =
  | { readonly _tag: 'Usage'; readonly error: unknown }
  | { readonly _tag: 'Smtp'; readonly error: SmtpError; readonly outcome: 'failed' | 'unknown' | 'not-started'; readonly recipients: ReadonlyArray<RecipientOutcome> }
  | { readonly _tag: 'Foreign'; readonly error: unknown }

export interface Delivered {
  readonly accepted: ReadonlyArray<{ readonly recipient: string; readonly code: number; readonly text: string }>
  readonly rejected: ReadonlyArray<{ readonly recipient: string; readonly error: SmtpError; readonly message: string }>
  readonly reply: { readonly code: number; readonly text: string; readonly enhanced: string | null }
}

/** One connection attempt that did not carry the message, and why. */
export interface Attempt {
  readonly host: string
  readonly address: string | null
  readonly error: string
}

/** Where a domain's mail went. */
export interface Hop {
  readonly host: string
  readonly address: string
  /** MX preference, or null for an address literal. */
  readonly preference: number | null
  /** True when the domain had no MX and its own address was used (RFC 5321 §5.1). */
  readonly implicit: boolean
}

/** One domain's outcome. */
export type DomainOutcome =
  | { readonly _tag: 'Delivered'; readonly domain: string; readonly via: Hop; readonly result: Delivered; readonly attempts: ReadonlyArray<Attempt> }
  | {
      readonly _tag: 'Failed'
      readonly domain: string
      readonly recipients: ReadonlyArray<string>
      readonly error: SmtpError
      readonly message: string
      readonly transient: boolean
      /** Recipients the server refused one by one (the rest share `error`). */
      readonly refused: ReadonlyArray<{ readonly recipient: string; readonly message: string; readonly transient: boolean }>
      readonly via: Hop | null
      readonly attempts: ReadonlyArray<Attempt>
    }
  | { readonly _tag: 'Unknown'; readonly domain: string; readonly recipients: ReadonlyArray<string>; readonly error: SmtpError; readonly message: string; readonly via: Hop; readonly attempts: ReadonlyArray<Attempt> }

/** Every recipient's fate, and the per-domain detail. */
export interface DirectReport {
  readonly domains: ReadonlyArray<DomainOutcome>
  readonly accepted: ReadonlyArray<{ readonly recipient: string; readonly code: number; readonly text: string }>
  readonly rejected: ReadonlyArray<{ readonly recipient: string; readonly message: string; readonly transient: boolean }>
  /** Recipients whose delivery is unknown: a blind retry may duplicate. */
  readonly unknown: ReadonlyArray<string>
}

/** A body that can be read once per domain: bytes, a string, or a function opening it again. */
export type ReplayableBody = BodyInput | (() => BodyInput)

const isReplayable = (b: ReplayableBody): boolean => typeof b === 'string' || b instanceof Uint8Array || typeof b === 'function'
const open = (b: ReplayableBody): BodyInput => (typeof b === 'function' ? b() : typeof b === 'string' ? utf8(b) : b)

const routeFailed = (domain: string, reason: RouteFailed['reason'], message: string, transient: boolean): RouteFailed => ({
  _tag: 'RouteFailed',
  domain,
  reason,
  message,
  transient,
})

/** The report's recipient lists, from the per-domain outcomes. */
export const summarize = (domains: ReadonlyArray<DomainOutcome>): DirectReport => {
  const accepted: Array<DirectReport['accepted'][number]> = []
  const rejected: Array<DirectReport['rejected'][number]> = []
  const unknown: Array<string> = []
  for (const d of domains) {
    switch (d._tag) {
      case 'Delivered':
        for (const a of d.result.accepted) accepted.push(a)
        for (const r of d.result.rejected) rejected.push({ recipient: r.recipient, message: r.message, transient: isTransient(r.error) })
        break
      case 'Failed': {
        const own = new Map(d.refused.map((r) => [r.recipient, r]))
        for (const recipient of d.recipients) rejected.push(own.get(recipient) ?? { recipient, message: d.message, transient: d.transient })
        break
      }
      case 'Unknown':
        for (const r of d.recipients) unknown.push(r)
        break
    }
  }
  return { domains, accepted, rejected, unknown }
}

/** Deliver to each recipient domain's MX hosts in turn. Rejects only for the caller's mistakes. */
export const sendDirect = async <C>(deps: DirectDeps<C>, to: ReadonlyArray<string>, body: ReplayableBody): Promise<DirectReport> => {
  const resolver = deps.resolver
  if (resolver === undefined) throw usageError('InvalidInput', 'direct delivery needs DNS, and this platform has no resolver')
  const groups = Routing.groupByDomain(to)
  if (E.isLeft(groups)) throw groups.left
  if (groups.right.length > 1 && !isReplayable(body)) {
    throw usageError('InvalidInput', 'body: a stream can be read once, but the recipients are in several domains; pass bytes, a string, or a function that opens the stream again')
  }
  const outcomes: Array<DomainOutcome> = []
  for (const group of groups.right) outcomes.push(await deliverDomain(deps, resolver, group, body))
  return summarize(outcomes)
}

/** Try one domain's hosts and addresses until one takes the transaction (or says a final no). */
const deliverDomain = async <C>(deps: DirectDeps<C>, resolver: Resolver, group: Routing.DomainGroup, body: ReplayableBody): Promise<DomainOutcome> => {
  const attempts: Array<Attempt> = []
  const fail = (error: SmtpError, via: Hop | null, outcomes: ReadonlyArray<RecipientOutcome> = []): DomainOutcome => ({
    _tag: 'Failed',
    domain: group.domain,
    recipients: group.recipients,
    error,
    message: describe(error),
    transient: isTransient(error),
    refused: outcomes.flatMap((o) => (o._tag === 'Rejected' ? [{ recipient: o.recipient, message: describe(o.error), transient: isTransient(o.error) }] : [])),
    via,
    attempts,
  })
  let hosts: ReadonlyArray<{ host: string; preference: number | null; implicit: boolean }>
  if (group.literal !== null) hosts = [{ host: group.literal, preference: null, implicit: false }]
  else {
    const plan = Routing.planMx(group.domain, deps.random(Routing.RANDOM_OCTETS))(await resolver.mx(group.domain))
    switch (plan._tag) {
      case 'NullMx':
        return fail(routeFailed(group.domain, 'NullMx', `${group.domain} accepts no mail (null MX, RFC 7505)`, false), null)
      case 'NoSuchDomain':
        return fail(routeFailed(group.domain, 'NoSuchDomain', `${group.domain} does not exist (NXDOMAIN)`, false), null)
      case 'TryLater':
        return fail(routeFailed(group.domain, 'LookupFailed', `MX lookup for ${group.domain} failed: ${plan.reason}`, true), null)
      case 'Hosts':
        hosts = plan.hosts
        break
    }
  }
  /** An address literal is its own address; a host name is looked up (AAAA and A at once). */
  const addressesOf = async (host: string): Promise<E.Either<Routing.Lookup<string>, ReadonlyArray<string>>> =>
    group.literal !== null ? E.right([group.literal]) : Routing.orderAddresses(...(await Promise.all([resolver.aaaa(host), resolver.a(host)])))
  let last: SmtpError | null = null
  for (const h of hosts) {
    const ordered = await addressesOf(h.host)
    if (E.isLeft(ordered)) {
      const why = ordered.left._tag === 'LookupFailed' ? ordered.left.reason : ordered.left._tag === 'NoDomain' ? 'no such host' : 'no address records'
      attempts.push({ host: h.host, address: null, error: why })
      last = routeFailed(group.domain, ordered.left._tag === 'LookupFailed' ? 'LookupFailed' : 'NoAddress', `no address for ${h.host}: ${why}`, true)
      continue
    }
    const addresses = ordered.right
    for (const address of addresses) {
      const via: Hop = { host: h.host, address, preference: h.preference, implicit: h.implicit }
      let client: C
      try {
        client = await deps.connect(h.host, address)
      } catch (e) {
        const c = deps.classify(e)
        if (c._tag !== 'Smtp') throw c.error
        attempts.push({ host: h.host, address, error: describe(c.error) })
        last = c.error
        if (Routing.tryNextHost(c.error)) continue
        return fail(c.error, via)
      }
      try {
        return { _tag: 'Delivered', domain: group.domain, via, result: await deps.deliver(client, group.recipients, open(body)), attempts }
      } catch (e) {
        const c = deps.classify(e)
        if (c._tag !== 'Smtp') throw c.error
        // The transaction began here: its outcome is this domain's, never retried elsewhere.
        return c.outcome === 'unknown'
          ? { _tag: 'Unknown', domain: group.domain, recipients: group.recipients, error: c.error, message: describe(c.error), via, attempts }
          : fail(c.error, via, c.recipients)
      }
    }
  }
  return fail(last ?? routeFailed(group.domain, 'NoAddress', `no host for ${group.domain} could be reached`, true), null)
}

/** How a submission server was found, with the plan's candidates in order. */
export const discoverSubmission = async (resolver: Resolver | undefined, domain: string, random: Uint8Array): Promise<ReadonlyArray<Routing.SubmissionServer>> => {
  if (resolver === undefined) throw usageError('InvalidInput', 'submission discovery needs DNS, and this platform has no resolver')
  const names = Routing.submissionSrvNames(domain)
  const [submissions, submission] = await Promise.all([resolver.srv(names.submissions), resolver.srv(names.submission)])
  return Routing.planSubmission(domain, random)(submissions, submission)
}
