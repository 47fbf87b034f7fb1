/**
 * NodeTransport's write contract over real loopback TCP: a write resolves only once the OS holds
 * its bytes. The driver relies on it (`releasesWrittenBytes`) to reuse one buffer for the chunks
 * of a streamed body, so resolving early would let the next chunk overwrite bytes not yet sent.
 */
import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { describe, test } from 'node:test'
import { connectNode } from '@smtpure/node'

/** A loopback peer that reads nothing until `resume`, then counts what it got. */
const pausedPeer = async () => {
  let peer: Socket | null = null
  let received = 0
  const server = createServer()
  const connected = new Promise<Socket>((resolve) => {
    server.once('connection', (s: Socket) => {
      s.pause()
      s.on('data', (d: Buffer) => (received += d.length))
      peer = s
      resolve(s)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    connected,
    received: () => received,
    close: () => {
      peer?.destroy()
      server.close()
    },
  }
}

describe('NodeTransport writes', () => {
  test('writev resolves only once every byte is in the OS, not while Node still queues it', async () => {
    const peer = await pausedPeer()
    const t = await connectNode({ host: '127.0.0.1', port: peer.port, implicitTls: false }, {})
    const remote = await peer.connected
    try {
      // Far more than loopback's socket buffers hold while the peer reads nothing.
      const size = 48 * 1024 * 1024
      const bytes = new Uint8Array(size).fill(0x61)
      let settled = false
      const written = t.writev([bytes.subarray(0, size / 2), bytes.subarray(size / 2)]).then(() => {
        settled = true
        // What Node still queued would be read from our arrays later.
        assert.equal(t.socket.writableLength, 0)
      })
      await new Promise((r) => setTimeout(r, 50))
      assert.equal(settled, false)
      assert.ok(t.socket.writableLength > 0)
      remote.resume()
      await written
      // A small write into an emptied buffer resolves at once.
      await t.write(new Uint8Array([0x62]))
      assert.equal(t.socket.writableLength, 0)
      for (let i = 0; i < 500 && peer.received() < size + 1; i++) await new Promise((r) => setTimeout(r, 10))
      assert.equal(peer.received(), size + 1)
    } finally {
      await t.close()
      peer.close()
    }
  })

  test('a write cut short by the peer going away rejects', async () => {
    const peer = await pausedPeer()
    const t = await connectNode({ host: '127.0.0.1', port: peer.port, implicitTls: false }, {})
    const remote = await peer.connected
    try {
      const written = t.write(new Uint8Array(48 * 1024 * 1024))
      await new Promise((r) => setTimeout(r, 20))
      remote.destroy()
      await assert.rejects(written)
    } finally {
      await t.close()
      peer.close()
    }
  })
})
