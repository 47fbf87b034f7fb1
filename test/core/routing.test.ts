import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { Pool, Routing } from '@smtpure/core'

const found = <A>(records: ReadonlyArray<A>): Routing.Lookup<A> => ({ _tag: 'Found', records })
const none = new Uint8Array(0)

describe('MX plan (RFC 5321 §5.1, RFC 7505)', () => {
  test('sorted by preference; names lower-cased, trailing dot dropped', () => {
    const plan = Routing.planMx('example.test', none)(
      found([
        { exchange: 'MX2.example.test.', preference: 20 },
        { exchange: 'mx1.example.test', preference: 10 },
        { exchange: 'mx3.example.test', preference: 30 },
      ]),
    )
    assert.deepEqual(plan, {
      _tag: 'Hosts',
      hosts: [
        { host: 'mx1.example.test', preference: 10, implicit: false },
        { host: 'mx2.example.test', preference: 20, implicit: false },
        { host: 'mx3.example.test', preference: 30, implicit: false },
      ],
    })
  })

  test('no MX records: the domain itself, as an implicit MX', () => {
    assert.deepEqual(Routing.planMx('Example.TEST', none)({ _tag: 'NoRecords' }), { _tag: 'Hosts', hosts: [{ host: 'example.test', preference: 0, implicit: true }] })
  })

  test('a null MX means the domain accepts no mail; mixed with real MX it is ignored', () => {
    assert.deepEqual(Routing.planMx('x.test', none)(found([{ exchange: '', preference: 0 }])), { _tag: 'NullMx' })
    assert.deepEqual(Routing.planMx('x.test', none)(found([{ exchange: '.', preference: 0 }])), { _tag: 'NullMx' })
    const mixed = Routing.planMx('x.test', none)(found([{ exchange: '.', preference: 0 }, { exchange: 'mx.x.test', preference: 5 }]))
    assert.deepEqual(mixed, { _tag: 'Hosts', hosts: [{ host: 'mx.x.test', preference: 5, implicit: false }] })
  })

  test('NXDOMAIN and lookup failures', () => {
    assert.deepEqual(Routing.planMx('x.test', none)({ _tag: 'NoDomain' }), { _tag: 'NoSuchDomain' })
    assert.deepEqual(Routing.planMx('x.test', none)({ _tag: 'LookupFailed', reason: 'SERVFAIL' }), { _tag: 'TryLater', reason: 'SERVFAIL' })
  })

  test('IDN exchange names become A-labels', () => {
    const plan = Routing.planMx('bücher.test', none)({ _tag: 'NoRecords' })
    assert.deepEqual(plan, { _tag: 'Hosts', hosts: [{ host: 'xn--bcher-kva.test', preference: 0, implicit: true }] })
  })

  const mxRecords = fc.uniqueArray(
    fc.record({ exchange: fc.stringMatching(/^[a-z]{1,6}\.test$/), preference: fc.integer({ min: 0, max: 4 }) }),
    { maxLength: 12, selector: (r) => r.exchange },
  )

  test('property: preferences never decrease, nothing invented, duplicates and extras dropped', () => {
    fc.assert(
      fc.property(mxRecords.filter((rs) => rs.length > 0), fc.uint8Array({ maxLength: 40 }), (records, random) => {
        const plan = Routing.planMx('d.test', random)(found(records))
        assert.equal(plan._tag, 'Hosts')
        if (plan._tag !== 'Hosts') return
        assert.equal(plan.hosts.length, Math.min(records.length, Routing.MAX_MX_HOSTS))
        for (let i = 1; i < plan.hosts.length; i++) assert.ok(plan.hosts[i - 1]!.preference <= plan.hosts[i]!.preference)
        for (const h of plan.hosts) assert.ok(records.some((r) => r.exchange === h.host && r.preference === h.preference))
      }),
    )
  })

  test('property: equal preferences are shuffled by the injected octets, deterministically', () => {
    const records = ['a', 'b', 'c', 'd', 'e'].map((x) => ({ exchange: `${x}.test`, preference: 10 }))
    const orders = new Set<string>()
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 8 }), (random) => {
        const once = Routing.planMx('d.test', random)(found(records))
        const again = Routing.planMx('d.test', random)(found(records))
        assert.deepEqual(once, again)
        if (once._tag === 'Hosts') orders.add(once.hosts.map((h) => h.host).join(','))
      }),
    )
    // Many different orders occur across random inputs: the shuffle is not a fixed permutation.
    assert.ok(orders.size > 20, `only ${orders.size} orders`)
  })
})

describe('addresses and fallback', () => {
  test('IPv6 and IPv4 interleaved, IPv6 first, bounded', () => {
    const r = Routing.orderAddresses(found(['::1', '::2']), found(['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4']))
    assert.deepEqual(r, E.right(['::1', '127.0.0.1', '::2', '127.0.0.2']))
    assert.equal(Routing.MAX_ADDRESSES_PER_HOST, 4)
  })

  test('no address: the more telling answer is kept', () => {
    assert.deepEqual(Routing.orderAddresses({ _tag: 'NoRecords' }, { _tag: 'LookupFailed', reason: 'timeout' }), E.left({ _tag: 'LookupFailed', reason: 'timeout' }))
    assert.deepEqual(Routing.orderAddresses({ _tag: 'NoDomain' }, { _tag: 'NoDomain' }), E.left({ _tag: 'NoDomain' }))
  })

  test('which failures move on to the next host', () => {
    assert.equal(Routing.tryNextHost({ _tag: 'ConnectFailed', reason: 'refused' }), true)
    assert.equal(Routing.tryNextHost({ _tag: 'TimedOut', during: 'greeting', afterMs: 1 }), true)
    assert.equal(Routing.tryNextHost({ _tag: 'Rejected', command: 'greeting', code: 421, enhanced: { _tag: 'None' }, text: 'busy' }), true)
    assert.equal(Routing.tryNextHost({ _tag: 'Rejected', command: 'greeting', code: 554, enhanced: { _tag: 'None' }, text: 'no' }), false)
    assert.equal(Routing.tryNextHost({ _tag: 'ProtocolViolation', message: 'x' }), false)
  })
})

describe('grouping recipients by domain', () => {
  test('domains compared as DNS names; literals kept apart; order of first sight', () => {
    const g = Routing.groupByDomain(['a@Example.test', 'b@bücher.test', 'c@example.TEST', 'd@[127.0.0.1]', 'e@xn--bcher-kva.test'])
    assert.ok(E.isRight(g))
    assert.deepEqual(
      g.right.map((x) => [x.domain, x.recipients.length, x.literal]),
      [
        ['example.test', 2, null],
        ['xn--bcher-kva.test', 2, null],
        ['[127.0.0.1]', 1, '127.0.0.1'],
      ],
    )
  })

  test('a bad recipient is named by its index', () => {
    const g = Routing.groupByDomain(['ok@x.test', 'no-domain'])
    assert.ok(E.isLeft(g))
    assert.equal(g.left.issues[0]!.path, 'to[1]')
  })
})

describe('submission discovery (RFC 6186, RFC 8314 §5.1)', () => {
  test('submissions SRV, then submission SRV, then the guesses, each saying how it was found', () => {
    const plan = Routing.planSubmission('Example.test', none)(
      found([{ target: 'tls.example.test.', port: 465, priority: 0, weight: 1 }]),
      found([{ target: 'mail.example.test', port: 587, priority: 0, weight: 1 }]),
    )
    assert.deepEqual(plan, [
      { host: 'tls.example.test', port: 465, tls: 'implicit', how: 'srv-submissions' },
      { host: 'mail.example.test', port: 587, tls: 'required', how: 'srv-submission' },
      { host: 'smtp.example.test', port: 465, tls: 'implicit', how: 'guess' },
      { host: 'smtp.example.test', port: 587, tls: 'required', how: 'guess' },
    ])
    assert.deepEqual(Routing.submissionSrvNames('Example.test'), { submissions: '_submissions._tcp.example.test', submission: '_submission._tcp.example.test' })
  })

  test('a "." target says the service is not offered; failed lookups are skipped', () => {
    const plan = Routing.planSubmission('x.test', none)(found([{ target: '.', port: 0, priority: 0, weight: 0 }]), { _tag: 'LookupFailed', reason: 'timeout' })
    assert.deepEqual(
      plan.map((p) => p.how),
      ['guess', 'guess'],
    )
  })

  const srvRecords = fc.uniqueArray(
    fc.record({ target: fc.stringMatching(/^[a-z]{1,6}\.test$/), port: fc.integer({ min: 1, max: 65535 }), priority: fc.integer({ min: 0, max: 3 }), weight: fc.integer({ min: 0, max: 100 }) }),
    { maxLength: 10, selector: (r) => r.target },
  )

  test('property: SRV order is a permutation sorted by priority (RFC 2782)', () => {
    fc.assert(
      fc.property(srvRecords, fc.uint8Array({ maxLength: 64 }), (records, random) => {
        const out = Routing.orderSrv(records, random)
        assert.equal(out.length, records.length)
        assert.deepEqual(new Set(out.map((r) => r.target)), new Set(records.map((r) => r.target)))
        for (let i = 1; i < out.length; i++) assert.ok(out[i - 1]!.priority <= out[i]!.priority)
      }),
    )
  })

  test('weights matter: a heavy record comes first far more often', () => {
    const records = [
      { target: 'light.test', port: 1, priority: 0, weight: 1 },
      { target: 'heavy.test', port: 1, priority: 0, weight: 99 },
    ]
    let heavyFirst = 0
    for (let i = 0; i < 256; i++) {
      if (Routing.orderSrv(records, new Uint8Array([i, (i * 37) & 255]))[0]!.target === 'heavy.test') heavyFirst++
    }
    assert.ok(heavyFirst > 200, `heavy first ${heavyFirst}/256`)
  })
})

describe('rate window', () => {
  test('property: never more than `messages` starts in any `perMs` window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 40 }),
        (messages, perMs, gaps) => {
          let w = Pool.rateWindow(messages, perMs)
          let now = 0
          const starts: Array<number> = []
          for (const gap of gaps) {
            now += gap
            const at = Pool.nextSlot(now)(w)
            assert.ok(at >= now)
            w = Pool.recordStart(at)(w)
            starts.push(at)
            now = at
            assert.ok(w.starts.length <= messages)
          }
          for (let i = 0; i + messages < starts.length; i++) assert.ok(starts[i + messages]! - starts[i]! >= perMs)
        },
      ),
    )
  })
})
