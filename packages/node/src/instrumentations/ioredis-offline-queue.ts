/**
 * ioredis before 6, traced by the upstream instrumentation: a command made before the connection
 * is ready waits in ioredis's offline queue and goes through `sendCommand` twice, once when it is
 * made and once when the queue is sent on connect (and again when ioredis resends the unanswered
 * commands of a lost connection). The upstream instrumentation made a span each time, so every
 * such command was counted twice in db.client.operation.duration, at start and after each Redis
 * outage (open-telemetry/opentelemetry-js-contrib#288, open). Around the upstream's wrapper, a
 * command already seen goes straight to ioredis's own `sendCommand`: its one span, made under its
 * caller's context, ends when the command settles.
 */
import type { Instrumentation } from '@opentelemetry/instrumentation'
import { type AnyFn, patchMethod, unpatchMethod } from './prototype-patch.js'

interface ModuleDefinition {
  patch?: (exports: unknown, version?: string) => unknown
  unpatch?: (exports: unknown, version?: string) => void
}

/** The prototype of the Redis class an ioredis module exports (CommonJS or an ES namespace). */
function redisPrototype(exports: unknown): Record<string, unknown> | undefined {
  if (typeof exports !== 'object' && typeof exports !== 'function') return undefined
  const module = exports as { [Symbol.toStringTag]?: string; default?: unknown; prototype?: unknown }
  const redis = (module[Symbol.toStringTag] === 'Module' ? module.default : module) as { prototype?: unknown }
  const proto = redis?.prototype
  return typeof proto === 'object' && proto !== null ? (proto as Record<string, unknown>) : undefined
}

/** `traced` (the upstream's `sendCommand`) for a command's first send, ioredis's own after it. */
function firstSendTraced(traced: AnyFn): AnyFn {
  const untraced = (traced as AnyFn & { __original?: AnyFn }).__original ?? traced
  const sent = new WeakSet<object>()
  return function sendCommand(this: unknown, command: unknown) {
    if (typeof command === 'object' && command !== null) {
      if (sent.has(command)) {
        // biome-ignore lint/complexity/noArguments: forwards ioredis's arguments as they are
        return (untraced as (...args: unknown[]) => unknown).apply(this, arguments as unknown as unknown[])
      }
      sent.add(command)
    }
    // biome-ignore lint/complexity/noArguments: see above
    return (traced as (...args: unknown[]) => unknown).apply(this, arguments as unknown as unknown[])
  } as AnyFn
}

/** Makes `instrumentation` (the upstream ioredis one) trace each command once (see above). */
export function traceEachCommandOnce(instrumentation: Instrumentation): void {
  const definitions = (instrumentation as unknown as { _modules?: ModuleDefinition[] })._modules ?? []
  for (const definition of definitions) {
    const { patch, unpatch } = definition
    if (patch !== undefined) {
      definition.patch = (exports, version) => {
        const result = patch(exports, version)
        patchMethod(redisPrototype(result ?? exports), 'sendCommand', firstSendTraced)
        return result
      }
    }
    if (unpatch !== undefined) {
      definition.unpatch = (exports, version) => {
        unpatchMethod(redisPrototype(exports), 'sendCommand')
        unpatch(exports, version)
      }
    }
  }
}
