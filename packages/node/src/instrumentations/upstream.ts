/**
 * Catalog entries backed by an upstream OpenTelemetry instrumentation package. The package (and
 * with it @opentelemetry/instrumentation) is required only in `load`, i.e. when a target module
 * first loads. It gets the SDK's tracer provider and a no-op meter provider: otelkit derives its
 * metrics from spans (same names, buckets and labels for every client), so upstream metrics would
 * double them.
 */
import { createRequire } from 'node:module'
import { createNoopMeter, type MeterProvider } from '@opentelemetry/api'
import type { Instrumentation, InstrumentationBase } from '@opentelemetry/instrumentation'
import type { CatalogEntry, CatalogTarget, Installed, LoadContext } from './entry.js'

const require = createRequire(import.meta.url)

const NOOP_METER_PROVIDER: MeterProvider = { getMeter: () => createNoopMeter() }

type InstrumentationClass = new (config?: object) => Instrumentation

/** Creates, connects and enables an upstream instrumentation; `disable()` removes its patches. */
export function installUpstream(
  packageName: string,
  className: string,
  config: object,
  ctx: LoadContext,
  prepare?: (instrumentation: Instrumentation) => void,
): Installed {
  const Class = (require(packageName) as Record<string, InstrumentationClass>)[className]
  if (typeof Class !== 'function') throw new Error(`${packageName} has no export ${className}`)
  const instrumentation = new Class({ ...config, enabled: false })
  prepare?.(instrumentation)
  return installInstrumentation(instrumentation, ctx)
}

interface ModuleDefinition {
  patch?: (exports: unknown, version?: string) => unknown
}

/**
 * For instrumentations of a module whose export is a function or class (connect, memcached) that
 * expect that function: imported as an ES module, the module is a namespace whose `default` is
 * the function, so that is what they get (upstream would patch the namespace, and break the
 * application's calls or throw into its first use).
 */
export function patchDefaultExport(instrumentation: Instrumentation): void {
  // The definitions the instrumentation patches with (getModuleDefinitions() builds new ones).
  const definitions = (instrumentation as unknown as { _modules?: ModuleDefinition[] })._modules ?? []
  for (const definition of definitions) {
    const patch = definition.patch
    if (patch === undefined) continue
    definition.patch = (exports, version) => {
      const namespace = exports as { default?: unknown } | undefined
      if (typeof exports === 'function' || typeof namespace?.default !== 'function') {
        return patch(exports, version)
      }
      namespace.default = patch(namespace.default, version)
      return exports
    }
  }
}

/** Connects an instrumentation built on @opentelemetry/instrumentation to the SDK and enables it. */
export function installInstrumentation(instrumentation: Instrumentation, ctx: LoadContext): Installed {
  instrumentation.setTracerProvider(ctx.tracerProvider)
  instrumentation.setMeterProvider(NOOP_METER_PROVIDER)
  instrumentation.enable()
  const definitions =
    (
      instrumentation as Partial<Pick<InstrumentationBase, 'getModuleDefinitions'>>
    ).getModuleDefinitions?.() ?? []
  const hookedModules = definitions.flatMap((d) => [d.name, ...d.files.map((file) => file.name)])
  return { uninstall: () => instrumentation.disable(), hookedModules }
}

export interface UpstreamSpec {
  name: string
  /** Short package suffix: `mongodb` for @opentelemetry/instrumentation-mongodb. */
  pkg: string
  className: string
  targets: CatalogTarget[]
  defaultOff?: boolean
  esm?: string[]
  /** Instrumentation options (low noise, no values), possibly depending on the context. */
  config?: (ctx: LoadContext) => object
  /** Adjusts the instrumentation before it is enabled. */
  prepare?: (instrumentation: Instrumentation) => void
}

/** One catalog entry for an upstream instrumentation package. */
export function upstream(spec: UpstreamSpec): CatalogEntry {
  const packageName = `@opentelemetry/instrumentation-${spec.pkg}`
  return {
    name: spec.name,
    kind: 'upstream',
    upstream: packageName,
    targets: spec.targets,
    defaultOff: spec.defaultOff,
    esm: spec.esm,
    load: (ctx) => installUpstream(packageName, spec.className, spec.config?.(ctx) ?? {}, ctx, spec.prepare),
  }
}
