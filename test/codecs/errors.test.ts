/** Readable errors: paths from the io-ts context, one sentence per problem, no echoed secrets. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import fc from 'fast-check'
import {
  Domain,
  EhloName,
  MAX_SHOWN_CHARS,
  Mailbox,
  ROOT_PATH,
  ReversePath,
  decodeWith,
  formatValidationErrors,
  issuesOf,
} from '../../packages/core/src/codecs/index.ts'
import { decodeConfig, decodeEnvelope } from '../../packages/core/src/Options.ts'
import { RUNS } from './helpers.ts'

const Envelope = t.type({ from: ReversePath, to: t.array(Mailbox) })
const Input = t.type({ envelope: Envelope, clientName: EhloName })

const errorsOf = <A>(codec: t.Decoder<unknown, A>, input: unknown): t.Errors => {
  const r = codec.decode(input)
  assert.ok(E.isLeft(r), 'expected a refusal')
  return r.left
}

describe('formatValidationErrors', () => {
  test('one line per problem, with the path of each bad field and the refused value quoted', () => {
    const text = formatValidationErrors(
      errorsOf(Input, { envelope: { from: 'ok@example.org', to: ['a@example.org', 'b@example.org', 'bob@@x'] }, clientName: 'bad name' }),
    )
    assert.equal(
      text,
      [
        'envelope.to[2]: "bob@@x" is not a valid mailbox: it has more than one "@" (a local part holding "@" must be quoted)',
        'clientName: "bad name" is not a valid EHLO name: it contains a space',
      ].join('\n'),
    )
  })
  test('a missing field is "required"; a value of the wrong type says what was expected', () => {
    assert.equal(formatValidationErrors(errorsOf(Input, { envelope: { to: 'x' } })), ['envelope.from: is required', 'envelope.to: must be a list', 'clientName: is required'].join('\n'))
  })
  test('errors at the root are shown at "(input)"', () => {
    assert.equal(formatValidationErrors(errorsOf(Mailbox, 'nodomain')), `${ROOT_PATH}: "nodomain" is not a valid mailbox: it has no "@domain"`)
    assert.equal(formatValidationErrors(errorsOf(Input, 'a string')), `${ROOT_PATH}: must be an object`)
  })
  test("io-ts's own types read as plain words", () => {
    const codec = t.type({
      s: t.string,
      n: t.number,
      b: t.boolean,
      k: t.keyof({ required: null, none: null }),
      l: t.union([t.literal('NEVER'), t.literal('ALWAYS')]),
      o: t.partial({ x: t.string }),
      nil: t.null,
    })
    assert.deepEqual(
      issuesOf(errorsOf(codec, { s: 1, n: 'x', b: 'yes', k: 'maybe', l: 'sometimes', o: 3, nil: 0 })),
      [
        { path: 's', message: 'must be a string' },
        { path: 'n', message: 'must be a number' },
        { path: 'b', message: 'must be true or false' },
        { path: 'k', message: 'must be one of "required", "none"' },
        { path: 'l', message: 'must be one of "NEVER", "ALWAYS"' },
        { path: 'o', message: 'must be an object' },
        { path: 'nil', message: 'must be null' },
      ],
    )
  })
  test('intersections and unions do not show up in paths; a union reports the alternative that got furthest', () => {
    const notify = t.union([t.literal('NEVER'), t.array(t.keyof({ SUCCESS: null, FAILURE: null }))])
    const codec = t.intersection([t.type({ to: t.array(Mailbox) }), t.partial({ dsn: t.partial({ notify }) })])
    assert.deepEqual(issuesOf(errorsOf(codec, { to: ['x@example.org', 'y'], dsn: { notify: ['SUCCESS', 'SOMETIMES'] } })), [
      { path: 'to[1]', message: '"y" is not a valid mailbox: it has no "@domain"' },
      { path: 'dsn.notify[1]', message: 'must be one of "SUCCESS", "FAILURE"' },
    ])
    assert.deepEqual(issuesOf(errorsOf(codec, { to: [], dsn: { notify: 'SOMETIMES' } })), [{ path: 'dsn.notify', message: 'must be one of: "NEVER"; a list' }])
  })
  test('a value is quoted only when a codec put it in its message; io-ts failures never show it', () => {
    const text = formatValidationErrors(errorsOf(t.type({ secret: t.number }), { secret: 'hunter2' }))
    assert.equal(text, 'secret: must be a number')
  })
  test('a quoted value is escaped and cut short', () => {
    const long = `${'a'.repeat(200)}\r\n@example.org`
    const text = formatValidationErrors(errorsOf(Mailbox, long))
    assert.doesNotMatch(text, /[\r\n]/)
    assert.ok(text.includes(`"${'a'.repeat(MAX_SHOWN_CHARS)}"…`))
    assert.ok(text.length < 200, text)
  })
  test('duplicate issues are merged', () => {
    const e = errorsOf(Mailbox, 'x')
    assert.equal(issuesOf([...e, ...e]).length, 1)
  })
  test('any errors format to one non-empty line per issue, without throwing (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (u) => {
        const r = Input.decode(u)
        if (E.isRight(r)) return
        const lines = formatValidationErrors(r.left).split('\n')
        assert.ok(lines.length >= 1)
        for (const line of lines) assert.match(line, /^[^\r\n]+: [^\r\n]+$/)
      }),
      RUNS,
    )
  })
})

describe('decodeWith', () => {
  test('Right with the decoded value', () => {
    assert.deepEqual(decodeWith(Domain)('bücher.example'), E.right('xn--bcher-kva.example'))
  })
  test('Left: an InvalidInput with every issue and a one-line message', () => {
    const r = decodeWith(Envelope)({ from: '<>', to: ['ok@example.org', 'bad@@x', 'also fine@example.net'] })
    assert.ok(E.isLeft(r))
    assert.equal(r.left._tag, 'InvalidInput')
    assert.deepEqual(
      r.left.issues.map((i) => i.path),
      ['to[1]', 'to[2]'],
    )
    assert.equal(
      r.left.message,
      'invalid input: to[1]: "bad@@x" is not a valid mailbox: it has more than one "@" (a local part holding "@" must be quoted); ' +
        'to[2]: "also fine@example.net" is not a valid mailbox: the local part contains a space: ' +
        "an unquoted local part holds letters, digits and !#$%&'*+-/=?^_`{|}~ (quote it to use others)",
    )
    assert.doesNotMatch(r.left.message, /[\r\n]/)
  })
})

describe('the public boundary (Options) reports codec errors by path', () => {
  test('envelope errors carry the path of each bad field', () => {
    const r = decodeEnvelope({ from: 'ok@example.org', to: ['fine@example.net', 'bad@@x', 'also fine@example.net'] })
    assert.ok(E.isLeft(r))
    assert.equal(r.left.reason, 'InvalidInput')
    assert.deepEqual(
      r.left.issues.map((i) => i.path),
      ['to[1]', 'to[2]'],
    )
    assert.match(r.left.message, /to\[1\]: "bad@@x" is not a valid mailbox/)
  })
  test('an empty recipient list and a missing from', () => {
    const r = decodeEnvelope({ to: [] })
    assert.ok(E.isLeft(r))
    const paths = r.left.issues.map((i) => i.path)
    assert.ok(paths.includes('from'))
    assert.ok(paths.includes('to'))
  })
  test('client options: bad TLS policy, bad EHLO name, bad timeout; the password is not echoed', () => {
    const r = decodeConfig({
      serverName: 'mx.example',
      clientName: 'bad name',
      tls: 'sometimes',
      timeouts: { greeting: -1 },
      auth: { credentials: { username: 'u', password: 'hunter2\u0000' } },
    })
    assert.ok(E.isLeft(r))
    const paths = r.left.issues.map((i) => i.path)
    assert.ok(paths.includes('clientName'), paths.join())
    assert.ok(paths.includes('tls'), paths.join())
    assert.ok(paths.includes('timeouts.greeting'), paths.join())
    assert.ok(paths.includes('auth.credentials.password'), paths.join())
    assert.ok(!JSON.stringify(r.left).includes('hunter2'))
  })
})
