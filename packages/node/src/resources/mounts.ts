/**
 * Mount points from /proc/mounts (Linux), filtered by filesystem type and mount-point
 * patterns. Octal escapes of the kernel's format (`\040` for a space) are decoded.
 */
import { readFile } from 'node:fs/promises'

export interface Mount {
  device: string
  mountpoint: string
  type: string
  mode: 'rw' | 'ro'
}

export function parseMounts(text: string): Mount[] {
  const mounts: Mount[] = []
  for (const line of text.split('\n')) {
    const [device, mountpoint, type, opts] = line.split(' ')
    if (!device || !mountpoint || !type) continue
    const mode = (opts ?? '').split(',').includes('ro') ? 'ro' : 'rw'
    mounts.push({ device: decodeOctal(device), mountpoint: decodeOctal(mountpoint), type, mode })
  }
  return mounts
}

function decodeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
}

/** True when `mountpoint` matches one of `patterns` (exact, or a prefix ending in `/*`). */
export function matchesMountPoint(mountpoint: string, patterns: readonly string[]): boolean {
  for (const pattern of patterns) {
    if (pattern.endsWith('*')) {
      if (mountpoint.startsWith(pattern.slice(0, -1))) return true
    } else if (mountpoint === pattern) {
      return true
    }
  }
  return false
}

export function filterMounts(
  mounts: Mount[],
  excludeTypes: readonly string[],
  excludeMountPoints: readonly string[],
): Mount[] {
  const types = new Set(excludeTypes)
  return mounts.filter((m) => !types.has(m.type) && !matchesMountPoint(m.mountpoint, excludeMountPoints))
}

/** Reads and filters the mount table; empty where /proc/mounts does not exist. */
export async function readMounts(
  excludeTypes: readonly string[],
  excludeMountPoints: readonly string[],
  path = '/proc/mounts',
): Promise<Mount[]> {
  try {
    return filterMounts(parseMounts(await readFile(path, 'utf8')), excludeTypes, excludeMountPoints)
  } catch {
    return []
  }
}
