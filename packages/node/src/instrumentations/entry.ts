/**
 * The shape of one catalog entry (catalog.ts): what an instrumentation is called, which modules
 * trigger it and which of their versions it covers, and how it is installed and removed.
 */
import type { Tracer, TracerProvider } from '@opentelemetry/api'
import type { ResolvedConfig } from '../config/resolved.js'
import type { SdkInstruments } from '../metrics/instruments.js'

/** A module whose first require() or import loads the entry, and the versions the entry covers. */
export interface CatalogTarget {
  /** Package name as applications require it (`mongodb`, `@hapi/hapi`) or a built-in (`fs`). */
  module: string
  /** Covered versions, `>=A <B` ranges joined by `||`; `*` for built-ins and any version. */
  versions: string
}

/** What `load` gets: the SDK's providers and options, and the module that triggered it. */
export interface LoadContext {
  readonly config: ResolvedConfig
  readonly tracerProvider: TracerProvider
  readonly tracer: Tracer
  readonly instruments: SdkInstruments
  /** Names listed in OTEL_NODE_ENABLED_INSTRUMENTATIONS (empty when it is unset). */
  readonly explicitlyEnabled: ReadonlySet<string>
  /** The module whose first load triggered the entry; undefined for entries loaded at start. */
  readonly module?: { name: string; file?: string; version?: string }
}

/** An installed instrumentation. */
export interface Installed {
  uninstall(): void
  /**
   * Modules and files (`mysql2`, `mongodb/lib/cmap/connection.js`, `fs`) whose require() the
   * instrumentation hooks, so the shared require hook sees only those (module-hooks.ts).
   */
  readonly hookedModules?: readonly string[]
  /**
   * Instruments another copy of the module that triggered the entry (another folder of the
   * package, at a covered version), loaded later: for entries that patch what a copy exports
   * instead of hooking every require (module-hooks.ts `watchModuleCopies`).
   */
  onAnotherCopy?(file: string, version: string | undefined): void
}

export interface CatalogEntry {
  /** Name used in OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS. */
  readonly name: string
  /** `own` (otelkit's implementation), `upstream` (an OpenTelemetry package), or both by version. */
  readonly kind: 'own' | 'upstream' | 'own+upstream'
  /** The upstream package used (for `upstream` and `own+upstream`). */
  readonly upstream?: string
  /**
   * Modules whose first load installs the entry. Empty: installed at start (built-ins, fetch,
   * host and runtime metrics).
   */
  readonly targets: readonly CatalogTarget[]
  /** Off unless named in OTEL_NODE_ENABLED_INSTRUMENTATIONS. */
  readonly defaultOff?: boolean
  /**
   * ES module specifiers the ESM hook must wrap so the instrumentation can patch them; by
   * default the targets' module names. Empty for entries that patch nothing (channel subscribers).
   */
  readonly esm?: readonly string[]
  /** Installs the instrumentation; undefined when there is nothing to install after all. */
  load(ctx: LoadContext): Installed | undefined
}
