/**
 * The global context manager: the SDK's AsyncLocalStorage one, whose `with` binds `fn` to
 * `thisArg` on every call (a bound function per call; the HTTP server and pg instrumentations pass
 * their `this` on every request). Here `this` is passed through instead: the same context, the
 * same `this`, arguments and return value, no function made per call. Everything else (`active`,
 * `bind`, event emitters, enable/disable) is the SDK's.
 */
import type { AsyncLocalStorage } from 'node:async_hooks'
import type { Context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'

type AnyFunction = (...args: never[]) => unknown

/** Calls `fn` with `thisArg` and `args`: run by the storage in place of a bound function. */
function applyTo(fn: AnyFunction, thisArg: unknown, args: unknown[]): unknown {
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
    if (thisArg == null) return storage.run(context, fn, ...args)
    return storage.run(context, applyTo, fn as AnyFunction, thisArg, args) as ReturnType<F>
  }
}
