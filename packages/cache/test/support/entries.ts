/**
 * Raw stored entries for tests that write Redis directly: the 28-byte header (version, flags,
 * staleAt, hardAt as 13 ASCII digits) followed by a payload, and hostile payloads (a gzip bomb, a
 * BigInt of millions of digits) built cheaply.
 */
import { gzipSync } from 'node:zlib'

export const FLAG_COMPRESSED = 1
export const FLAG_TAGGED = 2

export interface RawEntry {
  /** Bytes 0-1 (version and flags digit), e.g. '10'; overrides `flags`. */
  head?: string
  flags?: number
  /** 13 characters each; default one hour from now. */
  staleAt?: string
  hardAt?: string
  payload: Buffer | string
}

const inAnHour = () => String(Date.now() + 3_600_000).padStart(13, '0')

export function rawEntry(entry: RawEntry): Buffer {
  const head = entry.head ?? `1${entry.flags ?? 0}`
  const header = `${head}${entry.staleAt ?? inAnHour()}${entry.hardAt ?? inAnHour()}`
  return Buffer.concat([Buffer.from(header, 'latin1'), Buffer.from(entry.payload)])
}

/**
 * A gzip stream of about 1 KB per MiB that inflates to `mib` MiB of zeros: members of 8 MiB each,
 * concatenated (gunzip reads every member), so building a 512 MiB bomb costs one 8 MiB deflate.
 */
export function gzipBomb(mib: number): Buffer {
  const member = gzipSync(Buffer.alloc(8 << 20), { level: 9 })
  return Buffer.concat(Array.from({ length: Math.ceil(mib / 8) }, () => member))
}

/** The JSON serializer's tagged form of a BigInt of `digits` nines. */
export function bigIntJson(digits: number): string {
  return JSON.stringify({ $otelkit: 'n', v: '9'.repeat(digits) })
}
