/**
 * A throwaway certificate authority for the interop tests, made with the openssl CLI: a CA and a
 * server certificate for localhost / 127.0.0.1 / ::1, plus a second, unrelated CA and its own
 * server certificate (so a test can check that an unknown CA is refused). Made once per process.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCerts {
  readonly dir: string
  readonly caPem: string
  readonly certPem: string
  readonly keyPem: string
  readonly certFile: string
  readonly keyFile: string
  /** A CA nobody trusts, and a localhost certificate it signed. */
  readonly unknownCaPem: string
  readonly unknownCertFile: string
  readonly unknownKeyFile: string
  /** Certificates that must be refused even though they chain to the trusted CA (or to none). */
  readonly bad: {
    /** Signed by the trusted CA, but for other.example. */
    readonly wrongHost: { readonly certPem: string; readonly keyPem: string }
    /** Signed by the trusted CA, but expired. */
    readonly expired: { readonly certPem: string; readonly keyPem: string }
    /** For localhost, signed by itself. */
    readonly selfSigned: { readonly certPem: string; readonly keyPem: string }
  }
}

const openssl = (cwd: string, ...args: string[]): void => {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
}

const makeCa = (dir: string, name: string): void => {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`, '-days', '2', '-subj', `/CN=smtpure test ${name} CA`)
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost')
  writeFileSync(join(dir, `${name}.ext`), 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n')
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${name}-ca.pem`, '-CAkey', `${name}-ca.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`)
  // Server processes running as other users (postfix, dovecot) must be able to read the key.
  chmodSync(join(dir, `${name}.key`), 0o644)
}

/** A leaf signed by `ca` (or by itself when `ca` is null), with the given SANs and validity. */
const leaf = (dir: string, name: string, ca: string | null, san: string, days: number): void => {
  if (ca === null) {
    openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', String(days), '-subj', '/CN=localhost', '-addext', `subjectAltName=${san}`)
    return
  }
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=leaf')
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`)
  // A negative -days gives a certificate that expired before it was made.
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}-ca.pem`, '-CAkey', `${ca}-ca.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', String(days), '-extfile', `${name}.ext`)
}

let cached: TestCerts | null = null

/** The test certificates (created on first use). */
export const testCa = async (): Promise<TestCerts> => {
  if (cached !== null) return cached
  const dir = mkdtempSync(join(tmpdir(), 'smtpure-ca-'))
  chmodSync(dir, 0o755)
  makeCa(dir, 'server')
  makeCa(dir, 'unknown')
  leaf(dir, 'wronghost', 'server', 'DNS:other.example', 2)
  leaf(dir, 'expired', 'server', 'DNS:localhost,IP:127.0.0.1', -1)
  leaf(dir, 'selfsigned', null, 'DNS:localhost,IP:127.0.0.1', 2)
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8')
  const pair = (n: string) => ({ certPem: read(`${n}.pem`), keyPem: read(`${n}.key`) })
  cached = {
    dir,
    caPem: read('server-ca.pem'),
    certPem: read('server.pem'),
    keyPem: read('server.key'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
    unknownCaPem: read('unknown-ca.pem'),
    unknownCertFile: join(dir, 'unknown.pem'),
    unknownKeyFile: join(dir, 'unknown.key'),
    bad: { wrongHost: pair('wronghost'), expired: pair('expired'), selfSigned: pair('selfsigned') },
  }
  return cached
}
