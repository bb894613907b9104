/**
 * Test certificates made with the openssl command line at test time (node:crypto cannot sign
 * certificates): a CA, a server certificate for 127.0.0.1/localhost and a client certificate
 * (mTLS), all signed by that CA, plus a second CA that signed none of them. Files are written to
 * a temporary directory; `remove()` deletes it.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** One key pair on disk and in memory. */
export interface CertificateFiles {
  keyPath: string
  certPath: string
  key: Buffer
  cert: Buffer
}

export interface TestCertificates {
  dir: string
  ca: CertificateFiles
  server: CertificateFiles
  client: CertificateFiles
  /** A CA that signed nothing here: verifying the server with it fails. */
  otherCa: CertificateFiles
  remove(): void
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] })
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

function files(dir: string, name: string): CertificateFiles {
  const keyPath = join(dir, `${name}.key`)
  const certPath = join(dir, `${name}.pem`)
  return { keyPath, certPath, key: readFileSync(keyPath), cert: readFileSync(certPath) }
}

function selfSignedCa(dir: string, name: string): CertificateFiles {
  openssl(dir, [
    'req',
    '-x509',
    ...KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=otelkit test ${name}`,
  ])
  return files(dir, name)
}

function signed(dir: string, name: string, extensions: string): CertificateFiles {
  writeFileSync(join(dir, `${name}.ext`), extensions)
  openssl(dir, [
    'req',
    ...KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=otelkit test ${name}`,
  ])
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ])
  return files(dir, name)
}

/** Makes a fresh set of certificates (needs the `openssl` program: Debian package openssl). */
export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-certs-'))
  const ca = selfSignedCa(dir, 'ca')
  const otherCa = selfSignedCa(dir, 'other-ca')
  const server = signed(
    dir,
    'server',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  )
  const client = signed(dir, 'client', 'extendedKeyUsage=clientAuth\n')
  return { dir, ca, server, client, otherCa, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
