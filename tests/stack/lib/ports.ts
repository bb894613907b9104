// Where each compose service listens inside the compose network, derived from the configs in
// the repo (collector, Jaeger, the example's env) or the image's documented default port.
import { type CollectorConfig, listenPorts, readYaml } from './collector.ts'
import type { ComposeConfig } from './compose.ts'

const dir = new URL('../../../otel-collector/', import.meta.url)

/** Image default ports for services whose config in the repo does not set a port. */
const IMAGE_DEFAULTS: Record<string, number[]> = {
  prometheus: [9090],
  alertmanager: [9093],
  grafana: [3000],
  postgres: [5432],
  redis: [6379],
}

export function servicePorts(compose: ComposeConfig): Record<string, number[]> {
  const api = compose.services['shop-api']!.environment!
  return {
    ...IMAGE_DEFAULTS,
    'otel-collector': listenPorts(readYaml<CollectorConfig>(new URL('otelcol.yaml', dir))),
    'otel-gateway': listenPorts(readYaml<CollectorConfig>(new URL('gateway.yaml', dir))),
    jaeger: listenPorts(readYaml<CollectorConfig>(new URL('jaeger/jaeger.yaml', dir))),
    'shop-api': [Number(api.PORT), Number(api.OTELKIT_OPS_PORT)],
  }
}
