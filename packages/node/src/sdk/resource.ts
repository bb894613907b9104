/**
 * The resource describing this process: service name/version/instance, the detectors chosen
 * (env, host, os, process, container by default; cloud metadata detectors only when named, since
 * they send requests to metadata addresses), and otelkit as the distribution. Every built-in
 * detector answers synchronously (host.ts, container.ts), so the resource is complete from the
 * start. Command-line arguments are left out of the resource: they often carry secrets.
 */
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import {
  detectResources,
  envDetector,
  osDetector,
  processDetector,
  type Resource,
  type ResourceDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources'
import type { ResourceDetectorName } from '../config/options.js'
import type { ResolvedConfig } from '../config/resolved.js'
import { log } from '../logger.js'
import { OTELKIT_VERSION } from '../version.js'
import { containerDetector } from './container.js'
import { hostDetector } from './host.js'

const require = createRequire(import.meta.url)

const CLOUD_PACKAGES: Record<string, [pkg: string, exports: string[]]> = {
  aws: ['@opentelemetry/resource-detector-aws', ['awsEc2Detector', 'awsEcsDetector', 'awsEksDetector']],
  gcp: ['@opentelemetry/resource-detector-gcp', ['gcpDetector']],
  azure: ['@opentelemetry/resource-detector-azure', ['azureVmDetector', 'azureAppServiceDetector']],
}

const REDACTED_PROCESS_ATTRIBUTES = ['process.command_args', 'process.command_line']

/**
 * The upstream process detector without the attributes that carry the command line (a class, so
 * the SDK's diagnostics name it as they name the others).
 */
class RedactedProcessDetector implements ResourceDetector {
  detect(config?: Parameters<ResourceDetector['detect']>[0]): ReturnType<ResourceDetector['detect']> {
    const detected = processDetector.detect(config)
    const attributes = { ...detected.attributes }
    for (const key of REDACTED_PROCESS_ATTRIBUTES) delete attributes[key]
    return { ...detected, attributes }
  }
}
const processWithoutArguments = new RedactedProcessDetector()

function detectorFor(name: ResourceDetectorName): ResourceDetector[] {
  switch (name) {
    case 'env':
      return [envDetector]
    case 'host':
      return [hostDetector]
    case 'os':
      return [osDetector]
    case 'process':
      return [processWithoutArguments]
    case 'container':
      return [containerDetector]
    case 'none':
      return []
    default: {
      const [pkg, names] = CLOUD_PACKAGES[name] ?? ['', []]
      try {
        const mod = require(pkg) as Record<string, ResourceDetector>
        return names.map((n) => mod[n]).filter((d): d is ResourceDetector => d !== undefined)
      } catch {
        log.warn(
          `resource detector "${name}" needs the package ${pkg}: install it (pnpm add ${pkg}) or remove "${name}" from OTEL_NODE_RESOURCE_DETECTORS`,
        )
        return []
      }
    }
  }
}

export function buildResource(config: ResolvedConfig): Resource {
  const names = config.resourceDetectors.includes('none') ? [] : config.resourceDetectors
  const detectors = names.flatMap(detectorFor)
  let detected: Resource
  try {
    detected = detectResources({ detectors })
  } catch (error) {
    log.warn(
      `resource detection failed (${(error as Error).message}); continuing with service attributes only`,
    )
    detected = resourceFromAttributes({})
  }
  const own: Record<string, string> = {
    ...config.resourceAttributes,
    'service.name': config.serviceName,
    'service.instance.id': config.resourceAttributes['service.instance.id'] ?? randomUUID(),
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.distro.name': 'otelkit',
    'telemetry.distro.version': OTELKIT_VERSION,
  }
  if (config.serviceVersion !== undefined) own['service.version'] = config.serviceVersion
  // Not read here: a cloud detector's attributes arrive later (readers wait for them).
  return detected.merge(resourceFromAttributes(own))
}

/** The resource's attributes once every detector has answered (at once for the built-in ones). */
export async function settledAttributes(resource: Resource): Promise<Resource['attributes']> {
  if (resource.asyncAttributesPending) await resource.waitForAsyncAttributes?.()
  return resource.attributes
}
