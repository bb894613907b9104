/**
 * The global context manager: the SDK's AsyncLocalStorage one, with a cheaper `with`.
 *
 * - The SDK's `with` binds `fn` to `thisArg` on every call (a bound function per call; the HTTP
 *   server and pg instrumentations pass their `this` on every request). Here `this` is passed
 *   through instead: the same context, the same `this`, arguments and return value.
 * - On async context frames (Node 24's default), AsyncLocalStorage's `run` makes two frames per
 *   call, each a copy of the current frame's Map: one that enters the context and one that
 *   restores the previous store. Here the context is entered inside an AsyncResource's scope,
 *   which puts the previous frame itself back when `fn` returns or throws: one frame per call.
 *
 * Everything else (`active`, `bind`, event emitters, enable/disable) is the SDK's.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks'
import type { Context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'

type AnyFunction = (...args: never[]) => unknown

/**
 * Whether AsyncLocalStorage keeps its stores in async context frames. The async_hooks
 * implementation (Node 22's default, or `--no-async-context-frame`) has the `_enable` method
 * that registers it with its hook; the frame one has none.
 */
const ON_CONTEXT_FRAMES = typeof (AsyncLocalStorage.prototype as { _enable?: unknown })._enable !== 'function'

/** The type of the resource whose scope `with` enters a context in (async_hooks sees it). */
const SCOPE_TYPE = 'otelkit.context'

/** Calls `fn` with `thisArg` and `args`: run by the storage in place of a bound function. */
function applyTo(fn: AnyFunction, thisArg: unknown, args: unknown[]): unknown {
  return Reflect.apply(fn, thisArg, args)
}

/** Enters `context` in the current frame, then calls `fn` (inside a resource's scope). */
function enterAndApply(
  storage: AsyncLocalStorage<Context>,
  context: Context,
  fn: AnyFunction,
  thisArg: unknown,
  args: unknown[],
): unknown {
  storage.enterWith(context)
  return Reflect.apply(fn, thisArg, args)
}

export class OtelkitContextManager extends AsyncLocalStorageContextManager {
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    // The SDK's storage, a private field of the class this extends (its `with` uses it as well).
    const storage = (this as unknown as { _asyncLocalStorage?: AsyncLocalStorage<Context> })
      ._asyncLocalStorage
    if (storage === undefined) return super.with(context, fn, thisArg, ...args)
    if (ON_CONTEXT_FRAMES) {
      // As `run` does: the context already active is not entered again.
      if (storage.getStore() === context) return Reflect.apply(fn, thisArg, args) as ReturnType<F>
      return new AsyncResource(SCOPE_TYPE).runInAsyncScope(
        enterAndApply,
        undefined,
        storage,
        context,
        fn,
        thisArg,
        args,
      ) as ReturnType<F>
    }
    if (thisArg == null) return storage.run(context, fn, ...args)
    return storage.run(context, applyTo, fn as AnyFunction, thisArg, args) as ReturnType<F>
  }
}
