/**
 * SASL mechanisms as pure values, checked against independent implementations (node:crypto).
 */
import assert from 'node:assert/strict'
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto'
import { describe, test } from 'node:test'
import * as E from 'fp-ts/lib/Either.js'
import { Client, Sasl, decodeConfig, type Output, type State } from '@smtpure/core'

const creds = { username: 'user', password: 'pencil' }
const random = new Uint8Array(18).map((_, i) => i * 7 + 1)
const scram = Sasl.builtIn(random).find((m) => m.name === 'SCRAM-SHA-256')!

/** A SCRAM-SHA-256 server (RFC 5802) written with node:crypto, as a reference. */
const server = (password: string, clientFirst: string) => {
  const bare = clientFirst.slice(3)
  const cnonce = /r=([^,]+)/.exec(bare)![1]!
  const salt = Buffer.from('QSXCR+Q6sek8bf92', 'base64')
  const iterations = 4096
  const serverFirst = `r=${cnonce}srvnonce,s=${salt.toString('base64')},i=${iterations}`
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256')
  const hmac = (k: Buffer, m: string) => createHmac('sha256', k).update(m).digest()
  return {
    serverFirst,
    check: (clientFinal: string): { ok: boolean; serverFinal: string } => {
      const withoutProof = clientFinal.slice(0, clientFinal.indexOf(',p='))
      const proof = Buffer.from(clientFinal.slice(clientFinal.indexOf(',p=') + 3), 'base64')
      const auth = `${bare},${serverFirst},${withoutProof}`
      const clientKey = hmac(salted, 'Client Key')
      const storedKey = createHash('sha256').update(clientKey).digest()
      const expected = Buffer.from(clientKey.map((b, i) => b ^ hmac(storedKey, auth)[i]!))
      return { ok: expected.equals(proof), serverFinal: `v=${hmac(hmac(salted, 'Server Key'), auth).toString('base64')}` }
    },
  }
}

describe('SCRAM-SHA-256', () => {
  test('a full exchange with a reference server, the server signature verified', () => {
    const start = scram.start(creds)
    const clientFirst = Buffer.from(start.initialResponse!).toString()
    assert.match(clientFirst, /^n,,n=user,r=[A-Za-z0-9+/]{24}$/)
    const srv = server('pencil', clientFirst)
    const step1 = scram.respond(creds, start.progress, Buffer.from(srv.serverFirst))
    assert.equal(step1._tag, 'Respond')
    if (step1._tag !== 'Respond') return
    const verdict = srv.check(Buffer.from(step1.response).toString())
    assert.equal(verdict.ok, true)
    assert.equal(scram.done(step1.progress), false)
    const step2 = scram.respond(creds, step1.progress, Buffer.from(verdict.serverFinal))
    assert.equal(step2._tag, 'Respond')
    if (step2._tag !== 'Respond') return
    assert.equal(step2.response.length, 0)
    assert.equal(scram.done(step2.progress), true)
  })

  test('a server that does not know the password is caught by its signature', () => {
    const start = scram.start(creds)
    const impostor = server('not the password', Buffer.from(start.initialResponse!).toString())
    const step1 = scram.respond(creds, start.progress, Buffer.from(impostor.serverFirst))
    assert.equal(step1._tag, 'Respond')
    if (step1._tag !== 'Respond') return
    const step2 = scram.respond(creds, step1.progress, Buffer.from(impostor.check(Buffer.from(step1.response).toString()).serverFinal))
    assert.equal(step2._tag, 'Cancel')
  })

  test('a nonce the server did not extend, and an absurd iteration count, are cancelled', () => {
    const start = scram.start(creds)
    assert.equal(scram.respond(creds, start.progress, Buffer.from('r=othernonce,s=QSXCR+Q6sek8bf92,i=4096'))._tag, 'Cancel')
    const nonce = /r=([^,]+)/.exec(Buffer.from(start.initialResponse!).toString())![1]
    assert.equal(scram.respond(creds, start.progress, Buffer.from(`r=${nonce}x,s=QSXCR+Q6sek8bf92,i=999999999`))._tag, 'Cancel')
  })

  test('without injected randomness SCRAM is never chosen by strength', () => {
    const known = Sasl.builtIn()
    assert.equal(Sasl.choose(known, ['SCRAM-SHA-256', 'PLAIN'], [])?.name, 'PLAIN')
    assert.equal(Sasl.choose(Sasl.builtIn(random), ['SCRAM-SHA-256', 'PLAIN'], [])?.name, 'SCRAM-SHA-256')
  })

  test('the engine refuses a 235 that comes before the server proved itself', () => {
    const config = decodeConfig({ serverName: 'mx', clientName: 'c.example', tls: 'implicit', auth: { credentials: creds } }, { random })
    assert.ok(E.isRight(config))
    let s: State = Client.initial(config.right, 0)
    const outs: Output[] = []
    const feed = (data: string) => {
      const r = Client.step({ _tag: 'Received', bytes: Buffer.from(data), now: 0 })(s)
      assert.ok(E.isRight(r))
      s = r.right.state
      outs.push(...r.right.outputs)
    }
    feed('220 mx\r\n')
    feed('250-mx\r\n250 AUTH SCRAM-SHA-256 PLAIN\r\n')
    const first = outs.find((o) => o._tag === 'Transmit' && Buffer.from(o.bytes).toString().startsWith('AUTH SCRAM-SHA-256'))
    assert.ok(first !== undefined)
    feed('235 2.7.0 welcome, trust me\r\n')
    const failed = outs.find((o) => o._tag === 'Event' && o.event._tag === 'Failed')
    assert.ok(failed !== undefined && failed._tag === 'Event' && failed.event._tag === 'Failed' && failed.event.error._tag === 'AuthCancelled')
  })
})
