/**
 * ioredis 6 commands traced without the tracing channel's own work per command. Once anything
 * subscribes to `ioredis:command`, ioredis sanitises every command's arguments (four
 * case-insensitive regular expressions) and wraps its promise in `tracePromise`'s (two promises
 * more, five events), about 2,000 instructions a command before otelkit makes its span. ioredis's
 * Redis.js calls `traceCommand` and `sanitizeArgs` through its `built/tracing.js` exports object at
 * each command, so both are replaced there, in every copy of ioredis 6 loaded: `traceCommand`
 * starts otelkit's tracing of the command itself and ends it when the command's own promise
 * settles (the promise ioredis returns untraced), and `sanitizeArgs` hands otelkit the raw
 * arguments, which privacy/redis.ts turns into the statement. Other subscribers of the channel
 * still get every event, with ioredis's sanitised arguments, from the original `traceCommand`.
 * A copy whose tracing module does not look as expected is traced through the channel instead
 * (ioredis-channel.ts); patched copies then stand aside so no command is traced twice.
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { createRequire } from 'node:module'
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation'
import { log } from '../logger.js'
import { OTELKIT_VERSION } from '../version.js'
import type { Installed, LoadContext } from './entry.js'
import { guarded, reportSkippedEvent } from './guarded.js'
import {
  type CommandContext,
  commandSettled,
  commandStarted,
  disableIoredisChannel,
  enableIoredisChannel,
  ioredisChannelSubscribed,
  RAW_ARGS,
  setIoredisTracer,
} from './ioredis-channel.js'
import { installInstrumentation } from './upstream.js'

const require = createRequire(import.meta.url)

/** The file of ioredis 6 whose exports Redis.js reads `traceCommand` and `sanitizeArgs` from. */
export const IOREDIS_TRACING_FILE = 'ioredis/built/tracing.js'

type TraceCommand = (fn: () => Promise<unknown>, contextFactory: () => CommandContext) => Promise<unknown>
type SanitizeArgs = (commandName: string, args: unknown[]) => unknown[]

/** ioredis's `built/tracing.js` exports, as far as they are replaced. */
interface TracingExports {
  traceCommand: TraceCommand
  sanitizeArgs: SanitizeArgs
}

/** What a patched exports object keeps of ioredis's own functions. */
const ORIGINALS = Symbol('otelkit.ioredis.originals')

type PatchedExports = TracingExports & { [ORIGINALS]?: TracingExports }

const commandChannel = diagnosticsChannel.tracingChannel('ioredis:command')

/** Whether `exports` has writable `traceCommand` and `sanitizeArgs` functions. */
function patchable(exports: Record<string, unknown>): exports is Record<string, unknown> & TracingExports {
  for (const name of ['traceCommand', 'sanitizeArgs']) {
    const descriptor = Object.getOwnPropertyDescriptor(exports, name)
    if (typeof descriptor?.value !== 'function' || descriptor.writable !== true) return false
  }
  return true
}

const settle = guarded('ioredis (settled)', commandSettled)

/**
 * Ends `ctx`'s tracing when `promise` settles. The reactions go on the command's promise before
 * the caller's, so the span has ended when the caller goes on.
 */
function settleWith(promise: Promise<unknown>, ctx: CommandContext): void {
  promise.then(
    () => settle(ctx),
    (error: unknown) => {
      ctx.error = error as Error
      settle(ctx)
    },
  )
}

/** Replaces `exports`' functions; answers whether it could. */
export function patchIoredisTracing(exports: Record<string, unknown>): boolean {
  if (!patchable(exports)) return false
  const target = exports as PatchedExports
  if (target[ORIGINALS] !== undefined) return true
  const originals: TracingExports = {
    traceCommand: target.traceCommand,
    sanitizeArgs: target.sanitizeArgs,
  }
  const originalSanitize = originals.sanitizeArgs
  const originalTrace = originals.traceCommand
  /** Set around the command's `contextFactory`: its arguments as given, and whether to keep them. */
  let rawArgs: unknown[] | undefined
  let keepRaw = false
  target.sanitizeArgs = function otelkitSanitizeArgs(commandName, args) {
    rawArgs = args
    if (keepRaw) return args
    return originalSanitize(commandName, args)
  }
  target.traceCommand = function otelkitTraceCommand(fn, contextFactory) {
    if (ioredisChannelSubscribed()) return originalTrace(fn, contextFactory)
    // Someone else listens on the channel: they get ioredis's events and sanitised arguments.
    const others = commandChannel.hasSubscribers
    rawArgs = undefined
    keepRaw = !others
    let ctx: CommandContext
    try {
      ctx = contextFactory()
    } finally {
      keepRaw = false
    }
    ctx[RAW_ARGS] = rawArgs
    rawArgs = undefined
    let traced = false
    try {
      traced = commandStarted(ctx)
    } catch (error) {
      reportSkippedEvent('ioredis (start)', error)
    }
    const result = others ? originalTrace(fn, () => ctx) : fn()
    if (traced) settleWith(result, ctx)
    return result
  }
  Object.defineProperty(target, ORIGINALS, { value: originals, configurable: true })
  return true
}

/** Puts ioredis's own functions back. */
export function unpatchIoredisTracing(exports: Record<string, unknown>): void {
  const target = exports as unknown as PatchedExports
  const originals = target[ORIGINALS]
  if (originals === undefined) return
  target.traceCommand = originals.traceCommand
  target.sanitizeArgs = originals.sanitizeArgs
  delete target[ORIGINALS]
}

/** Builds the instrumentation (requires @opentelemetry/instrumentation only when called). */
function createIoredisInstrumentation(onUnpatchable: () => void): Instrumentation {
  const { InstrumentationBase, InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation')
  class IoredisInstrumentation extends InstrumentationBase<InstrumentationConfig> {
    constructor() {
      super('@otelkit/node/ioredis', OTELKIT_VERSION, {})
    }

    protected init() {
      const tracingFile = new InstrumentationNodeModuleFile(
        IOREDIS_TRACING_FILE,
        ['>=6 <7'],
        (exports: Record<string, unknown>) => {
          if (!patchIoredisTracing(exports)) onUnpatchable()
          return exports
        },
        (exports: Record<string, unknown> | undefined) => {
          if (exports !== undefined) unpatchIoredisTracing(exports)
        },
      )
      return [
        new InstrumentationNodeModuleDefinition('ioredis', ['>=6 <7'], undefined, undefined, [tracingFile]),
      ]
    }
  }
  return new IoredisInstrumentation() as unknown as Instrumentation
}

/** Traces ioredis 6's commands with `ctx.tracer` (the catalog's entry for ioredis 6+). */
export function installIoredisCommands(ctx: LoadContext): Installed {
  setIoredisTracer(ctx.tracer)
  const installed = installInstrumentation(
    createIoredisInstrumentation(() => {
      if (ioredisChannelSubscribed()) return
      log.info(
        `ioredis's ${IOREDIS_TRACING_FILE} is not as expected; its commands are traced through the ioredis:command channel instead`,
      )
      enableIoredisChannel(ctx.tracer)
    }),
    ctx,
  )
  return {
    uninstall() {
      installed.uninstall()
      disableIoredisChannel()
      setIoredisTracer(undefined)
    },
    hookedModules: installed.hookedModules,
    esmPatched: [],
  }
}
