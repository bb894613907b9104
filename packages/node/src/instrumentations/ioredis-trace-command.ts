/**
 * ioredis 6 commands traced without the tracing channel's own work per command. Once anything
 * subscribes to `ioredis:command`, ioredis sanitises every command's arguments (four
 * case-insensitive regular expressions) and wraps its promise in `tracePromise`'s (two promises
 * more, five events), about 2,500 instructions a command before otelkit makes its span. ioredis's
 * Redis.js calls `traceCommand` and `sanitizeArgs` through its `built/tracing.js` exports object at
 * each command, so both are replaced there, in the copy of ioredis whose first load installed the
 * instrumentation (before its own code runs): `traceCommand` starts otelkit's tracing of the
 * command itself and ends it when the command's own promise settles (the promise ioredis returns
 * untraced), and `sanitizeArgs` hands otelkit the raw arguments, which privacy/redis.ts turns into
 * the statement. otelkit's channel subscriber (ioredis-channel.ts) stays on for other copies of
 * ioredis and for a tracing module that does not look as expected. Whether anyone else listens
 * on the channel is read from Node's subscriber lists; then, or when Node does not show them,
 * the original `traceCommand` runs too, so they get every event with ioredis's sanitised
 * arguments, and otelkit's subscriber skips the command it traced already.
 */
import diagnosticsChannel from 'node:diagnostics_channel'
import { createRequire } from 'node:module'
import { log } from '../logger.js'
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
  TRACED_DIRECTLY,
} from './ioredis-channel.js'
import { type AnyFn, patchMethod, unpatchMethod } from './prototype-patch.js'
import { filePath } from './versions.js'

/** ioredis 6's module whose exports Redis.js reads `traceCommand` and `sanitizeArgs` from. */
const TRACING_MODULE = './tracing.js'

type TraceCommand = (fn: () => Promise<unknown>, contextFactory: () => CommandContext) => Promise<unknown>
type SanitizeArgs = (commandName: string, args: unknown[]) => unknown[]

/** The functions of ioredis's `built/tracing.js` that are replaced. */
const REPLACED = ['traceCommand', 'sanitizeArgs'] as const

const commandChannel = diagnosticsChannel.tracingChannel('ioredis:command')
const eventChannels = [
  commandChannel.start,
  commandChannel.end,
  commandChannel.asyncStart,
  commandChannel.asyncEnd,
  commandChannel.error,
] as unknown as Array<{ _subscribers?: unknown; _stores?: unknown }>

/**
 * Whether anyone but otelkit listens on the channel (subscribers or bound stores, on any of its
 * five events), as far as Node's channels show it; when they do not show it, assumed.
 */
export function othersSubscribed(): boolean {
  if (!ioredisChannelSubscribed()) return commandChannel.hasSubscribers
  for (let i = 0; i < eventChannels.length; i++) {
    const channel = eventChannels[i] as { _subscribers?: unknown; _stores?: unknown }
    const subscribers = channel._subscribers
    // otelkit's own handlers: one on start and one on asyncStart.
    const ours = i === 0 || i === 2 ? 1 : 0
    if (subscribers === undefined) {
      if (ours === 1) return true
    } else if (!Array.isArray(subscribers) || subscribers.length > ours) return true
    // Node's own map class, which is no instance of the global Map.
    const stores = channel._stores as { size?: unknown } | undefined
    if (stores !== undefined && stores.size !== 0) return true
  }
  return false
}

/** Whether `exports` has writable `traceCommand` and `sanitizeArgs` functions. */
function patchable(exports: Record<string, unknown>): boolean {
  for (const name of REPLACED) {
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

/**
 * Replaces `exports`' functions (prototype-patch.ts: once, each keeping the function it wraps);
 * answers whether it could.
 */
export function patchIoredisTracing(exports: Record<string, unknown>): boolean {
  if (!patchable(exports)) return false
  /** Set around the command's `contextFactory`: its arguments as given, and whether to keep them. */
  let rawArgs: unknown[] | undefined
  let keepRaw = false
  patchMethod(exports, 'sanitizeArgs', (original) => {
    const originalSanitize = original as unknown as SanitizeArgs
    return function otelkitSanitizeArgs(commandName: string, args: unknown[]) {
      rawArgs = args
      if (keepRaw) return args
      return originalSanitize(commandName, args)
    } as unknown as AnyFn
  })
  patchMethod(exports, 'traceCommand', (original) => {
    const originalTrace = original as unknown as TraceCommand
    return function otelkitTraceCommand(fn: () => Promise<unknown>, contextFactory: () => CommandContext) {
      if (!ioredisChannelSubscribed()) return originalTrace(fn, contextFactory)
      // Someone else listens on the channel: they get ioredis's events and sanitised arguments.
      const others = othersSubscribed()
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
      if (others) ctx[TRACED_DIRECTLY] = true
      let traced = false
      try {
        traced = commandStarted(ctx)
      } catch (error) {
        reportSkippedEvent('ioredis (start)', error)
      }
      const own = fn()
      // Ended on the command's own promise either way: before its caller goes on (a pipeline's
      // exec too), not a tick after, as on the channel's wrapper.
      if (traced) settleWith(own, ctx)
      return others
        ? originalTrace(
            () => own,
            () => ctx,
          )
        : own
    } as unknown as AnyFn
  })
  return true
}

/** Puts ioredis's own functions back. */
export function unpatchIoredisTracing(exports: Record<string, unknown>): void {
  for (const name of REPLACED) unpatchMethod(exports, name)
}

/** The tracing module's exports of the ioredis whose main file is `main`, if it loads. */
function tracingModuleOf(main: string | undefined): Record<string, unknown> | undefined {
  const path = filePath(main)
  if (path === undefined) return undefined
  try {
    // It only creates the channels: loading it before ioredis's own code changes nothing.
    const exports: unknown = createRequire(path)(TRACING_MODULE)
    return typeof exports === 'object' && exports !== null ? (exports as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/**
 * Traces ioredis 6's commands with `ctx.tracer` (the catalog's entry for ioredis 6+): the
 * channel for every copy, and the patch for the copy `ctx.module` names.
 */
export function installIoredisCommands(ctx: LoadContext): Installed {
  enableIoredisChannel(ctx.tracer)
  const tracing = tracingModuleOf(ctx.module?.file)
  const patched = tracing !== undefined && patchIoredisTracing(tracing)
  if (!patched) {
    log.info(
      `ioredis ${ctx.module?.version ?? ''}: its built/tracing.js is not as expected; its commands are traced through the ioredis:command channel instead (slower)`,
    )
  }
  return {
    uninstall() {
      if (patched) unpatchIoredisTracing(tracing)
      disableIoredisChannel()
    },
  }
}
