/** SMTP AUTH credentials: the field rules, the limits, and a password that never leaks. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import fc from 'fast-check'
import {
  Credentials,
  MAX_AUTHZID_OCTETS,
  MAX_PASSWORD_OCTETS,
  MAX_USERNAME_OCTETS,
  Password,
  REDACTED,
  decodeWith,
  formatValidationErrors,
} from '../../packages/core/src/codecs/index.ts'
import { RUNS, bad, ok } from './helpers.ts'

describe('Credentials: accepted', () => {
  test('username and password, with or without an authzid', () => {
    assert.deepEqual(ok(Credentials, { username: 'user', password: 'pass' }), { username: 'user', password: 'pass' })
    assert.deepEqual(ok(Credentials, { username: 'user', password: 'pass', authzid: 'admin' }), { username: 'user', password: 'pass', authzid: 'admin' })
  })
  test('an undefined authzid is absent; unknown fields are dropped', () => {
    const c = ok(Credentials, { username: 'u', password: 'p', authzid: undefined, passwrd: 'typo' })
    assert.deepEqual(c, { username: 'u', password: 'p' })
    assert.equal('authzid' in c, false)
  })
  test('Unicode, spaces, tabs and other characters besides NUL, CR and LF are fine', () => {
    ok(Credentials, { username: 'jürgen@example.org', password: 'pa ss\tw😀rd "\\' })
  })
  test('limits at the boundary, in UTF-8 octets', () => {
    ok(Credentials, { username: 'u'.repeat(MAX_USERNAME_OCTETS), password: 'p'.repeat(MAX_PASSWORD_OCTETS), authzid: 'a'.repeat(MAX_AUTHZID_OCTETS) })
    assert.match(bad(Credentials, { username: 'u'.repeat(MAX_USERNAME_OCTETS + 1), password: 'p' }), /^username: must be at most 255 octets/)
    assert.match(bad(Credentials, { username: 'u', password: 'p'.repeat(MAX_PASSWORD_OCTETS + 1) }), /^password: must be at most 8192 octets/)
    assert.match(bad(Credentials, { username: 'u', password: 'p', authzid: 'a'.repeat(MAX_AUTHZID_OCTETS + 1) }), /^authzid: must be at most 255/)
    ok(Credentials, { username: 'ü'.repeat(127), password: 'p' }) // 254 octets
    bad(Credentials, { username: 'ü'.repeat(128), password: 'p' }) // 256 octets, 128 characters
  })
})

describe('Credentials: refused, naming the field and the rule only', () => {
  const refused: ReadonlyArray<readonly [unknown, string]> = [
    [{ username: '', password: 'x' }, 'username: must not be empty'],
    [{ username: 'a', password: '' }, 'password: must not be empty'],
    [{ username: 'a\u0000b', password: 'x' }, 'username: must not contain NUL'],
    [{ username: 'a', password: 'x\u0000y' }, 'password: must not contain NUL'],
    [{ username: 'a', password: 'x\r\ny' }, 'password: must not contain CR or LF'],
    [{ username: 'a', password: 'x\ny' }, 'password: must not contain CR or LF'],
    [{ username: 'a', password: 'x', authzid: 'b\u0000' }, 'authzid: must not contain NUL'],
    [{ username: 'a', password: 'x', authzid: '' }, 'authzid: must not be empty'],
    [{ username: 'a', password: 'x\ud800' }, 'password: must be well-formed Unicode (it holds a lone surrogate)'],
    [{ username: 'a' }, 'password: is required'],
    [{ password: 'x' }, 'username: is required'],
    [{ username: 1, password: 2 }, 'username: must be a string\npassword: must be a string'],
    [{ username: 'a', password: 'x', authzid: null }, 'authzid: must be a string'],
    ['hunter2', '(input): must be an object { username, password, authzid? }'],
    [['user', 'hunter2'], '(input): must be an object { username, password, authzid? }'],
    [null, '(input): must be an object { username, password, authzid? }'],
  ]
  for (const [input, message] of refused) test(`${message.replace(/\n/g, '; ')}`, () => assert.equal(bad(Credentials, input), message))
  test('every bad field is reported at once', () => {
    const r = decodeWith(Credentials)({ username: '', password: 'a\u0000', authzid: 'b\r' })
    assert.ok(E.isLeft(r))
    assert.deepEqual(r.left.issues, [
      { path: 'username', message: 'must not be empty' },
      { path: 'password', message: 'must not contain NUL' },
      { path: 'authzid', message: 'must not contain CR or LF' },
    ])
  })
})

/** Every string anywhere inside the raw io-ts errors: values, messages, keys, context actuals. */
const everythingIn = (errors: t.Errors): string =>
  JSON.stringify(errors.map((e) => ({ value: e.value, message: e.message, context: e.context.map((c) => ({ key: c.key, actual: c.actual, type: c.type.name })) })))

describe('Credentials: the password never appears in an error', () => {
  const secret = fc.string({ minLength: 6, maxLength: 40 }).filter((s) => s.trim().length >= 6)
  test('a password holding NUL, CR or LF: not in the message, not in the InvalidInput, not in the raw errors (property)', () => {
    fc.assert(
      fc.property(secret, fc.constantFrom('\u0000', '\r', '\n', '\r\n'), secret, (a, bad, b) => {
        const password = `${a}${bad}${b}`
        const r = decodeWith(Credentials)({ username: 'user', password })
        assert.ok(E.isLeft(r))
        assert.equal(r.left.issues[0]?.path, 'password')
        assert.match(r.left.message, /^invalid input: password: must not contain (NUL|CR or LF)$/)
        assert.ok(!JSON.stringify(r.left).includes(JSON.stringify(password).slice(1, -1)))
        const raw = Credentials.decode({ username: 'user', password })
        assert.ok(E.isLeft(raw))
        assert.ok(!everythingIn(raw.left).includes(JSON.stringify(password).slice(1, -1)))
        assert.ok(raw.left.every((e) => e.value === REDACTED))
      }),
      RUNS,
    )
  })
  test('a good password next to a bad username or authzid is not echoed either (property)', () => {
    const password = fc.stringMatching(/^[A-Za-z0-9]{16,32}$/)
    fc.assert(
      fc.property(password, fc.constantFrom('', 'a\u0000b', 'x\ny', 'u'.repeat(300)), (p, u) => {
        const raw = Credentials.decode({ username: u, password: p, authzid: u })
        assert.ok(E.isLeft(raw))
        assert.ok(!everythingIn(raw.left).includes(p))
        assert.ok(!formatValidationErrors(raw.left).includes(p))
      }),
      RUNS,
    )
  })
  test('the field codecs decoded on their own do not echo the password either', () => {
    const raw = Password.decode('hunter2\u0000')
    assert.ok(E.isLeft(raw))
    assert.ok(!everythingIn(raw.left).includes('hunter2'))
    assert.equal(formatValidationErrors(raw.left), '(input): must not contain NUL')
  })
  test('a password given where the credentials object belongs is not echoed', () => {
    const raw = Credentials.decode('correct horse battery staple')
    assert.ok(E.isLeft(raw))
    assert.ok(!everythingIn(raw.left).includes('correct horse'))
  })
  test('inside a larger codec, the formatted errors do not echo the password', () => {
    const Options = t.type({ auth: t.type({ credentials: Credentials }) })
    const r = decodeWith(Options)({ auth: { credentials: { username: 'u', password: 'hunter2\u0000' } } })
    assert.ok(E.isLeft(r))
    assert.deepEqual(r.left.issues, [{ path: 'auth.credentials.password', message: 'must not contain NUL' }])
    assert.ok(!JSON.stringify(r.left).includes('hunter2'))
    const wrongShape = decodeWith(Options)({ auth: 'u:hunter2' })
    assert.ok(E.isLeft(wrongShape))
    assert.ok(!JSON.stringify(wrongShape.left).includes('hunter2'))
  })
})
