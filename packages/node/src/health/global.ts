/**
 * The process-wide registry. It lives on `globalThis` under a registered symbol so that the
 * preload bundle and the application's own `import '@otelkit/node'` share one registry even
 * when they are separate module instances.
 */
import { HealthRegistry } from './registry.js'

const KEY = Symbol.for('otelkit.health.registry')

export function globalRegistry(): HealthRegistry {
  const holder = globalThis as { [KEY]?: HealthRegistry }
  holder[KEY] ??= new HealthRegistry()
  return holder[KEY]
}
