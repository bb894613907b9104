/**
 * `host.name`, `host.arch` and `host.id`, as the OpenTelemetry host detector reports them, read
 * synchronously. The upstream detector resolves `host.id` asynchronously, which leaves the
 * resource pending at start-up: every reader of its attributes before it settles (the span
 * encoder, /metrics' target_info) would miss `host.id` and make the SDK log an error. On Linux the
 * machine id is one small file; elsewhere `host.id` is left out rather than spawning a process.
 */
import { readFileSync } from 'node:fs'
import { arch, hostname, platform } from 'node:os'
import type { ResourceDetector } from '@opentelemetry/resources'

const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id']

/** Node's architecture names in the semantic conventions' spelling (as the upstream detector). */
function hostArch(nodeArch: string): string {
  switch (nodeArch) {
    case 'arm':
      return 'arm32'
    case 'ppc':
      return 'ppc32'
    case 'x64':
      return 'amd64'
    default:
      return nodeArch
  }
}

export function machineId(files: readonly string[] = MACHINE_ID_FILES): string | undefined {
  if (platform() !== 'linux') return undefined
  for (const file of files) {
    try {
      const id = readFileSync(file, 'utf8').trim()
      if (id !== '') return id
    } catch {
      // the next file, or none
    }
  }
  return undefined
}

class HostDetector implements ResourceDetector {
  detect(): ReturnType<ResourceDetector['detect']> {
    const attributes: Record<string, string> = { 'host.name': hostname(), 'host.arch': hostArch(arch()) }
    const id = machineId()
    if (id !== undefined) attributes['host.id'] = id
    return { attributes }
  }
}

export const hostDetector: ResourceDetector = new HostDetector()
