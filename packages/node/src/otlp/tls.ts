/**
 * Loads the TLS files of one signal's OTLP settings (CA certificate, client key and
 * certificate for mTLS) and checks them before anything is sent. A setting that cannot be
 * honoured (unreadable file, not PEM, key without certificate, key and certificate that do not
 * match, TLS files with a plain http:// endpoint) fails closed: the caller sends nothing for that
 * signal and counts it as dropped; the problem says which variable, which file and what to fix.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { OtlpSignalConfig, OtlpTlsFile } from '../config/otlp.js'
import { withoutUserinfo } from '../privacy/url.js'

/** The loaded PEM contents, as node:tls and grpc-js take them. */
export interface OtlpTlsMaterial {
  ca?: Buffer
  key?: Buffer
  cert?: Buffer
}

export type OtlpTlsResult =
  | { ok: true; secure: boolean; material: OtlpTlsMaterial }
  | { ok: false; problem: string }

type Check = (pem: Buffer) => void

const checkCertificate: Check = (pem) => {
  new X509Certificate(pem)
}
const checkKey: Check = (pem) => {
  createPrivateKey(pem)
}

function consequence(config: OtlpSignalConfig): string {
  return `no ${config.signal} are sent (never without the TLS that is asked for): they are dropped and counted in otelkit_telemetry_dropped_total{signal="${config.signal}",reason="exporter_unavailable"}`
}

function load(
  config: OtlpSignalConfig,
  file: OtlpTlsFile,
  kind: string,
  check: Check,
): { pem: Buffer } | { problem: string } {
  const path = resolve(file.path)
  let pem: Buffer
  try {
    pem = readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    return {
      problem: `${file.setting}=${JSON.stringify(file.path)}: the ${kind} file cannot be read (${code}); ${consequence(config)}. Point the variable to a readable PEM file`,
    }
  }
  try {
    check(pem)
  } catch (error) {
    return {
      problem: `${file.setting}=${JSON.stringify(file.path)}: the file holds no valid PEM ${kind} (${(error as Error).message}); ${consequence(config)}. Give a PEM file (-----BEGIN ...-----)`,
    }
  }
  return { pem }
}

/** Loads and checks the TLS files of `config`; never throws. */
export function loadOtlpTls(config: OtlpSignalConfig): OtlpTlsResult {
  const secure = config.endpoint.toLowerCase().startsWith('https://')
  const { certificate, clientKey, clientCertificate } = config.tls
  const files = [certificate, clientKey, clientCertificate].filter((f) => f !== undefined)
  if (files.length === 0) return { ok: true, secure, material: {} }
  if ((clientKey === undefined) !== (clientCertificate === undefined)) {
    const given = (clientKey ?? clientCertificate) as OtlpTlsFile
    const missing = clientKey === undefined ? 'CLIENT_KEY' : 'CLIENT_CERTIFICATE'
    return {
      ok: false,
      problem: `${given.setting} is set without OTEL_EXPORTER_OTLP_${missing} (or its ${config.signal.toUpperCase()} form): mTLS needs both the client key and the client certificate; ${consequence(config)}. Set both, or neither`,
    }
  }
  const material: OtlpTlsMaterial = {}
  for (const [file, kind, check, field] of [
    [certificate, 'CA certificate', checkCertificate, 'ca'],
    [clientKey, 'client private key', checkKey, 'key'],
    [clientCertificate, 'client certificate', checkCertificate, 'cert'],
  ] as const) {
    if (file === undefined) continue
    const loaded = load(config, file, kind, check)
    if ('problem' in loaded) return { ok: false, problem: loaded.problem }
    material[field] = loaded.pem
  }
  if (material.key && material.cert && clientKey && clientCertificate) {
    if (!new X509Certificate(material.cert).checkPrivateKey(createPrivateKey(material.key))) {
      return {
        ok: false,
        problem: `${clientKey.setting}=${JSON.stringify(clientKey.path)} does not match ${clientCertificate.setting}=${JSON.stringify(clientCertificate.path)}; ${consequence(config)}. Give the key of that certificate`,
      }
    }
  }
  if (!secure) {
    return {
      ok: false,
      problem: `${files.map((f) => f.setting).join(', ')} set, but the ${config.signal} endpoint ${withoutUserinfo(config.endpoint)} is plain http; ${consequence(config)}. Use an https:// endpoint, or unset the TLS variables`,
    }
  }
  return { ok: true, secure, material }
}
