/**
 * Connection pools that hand a waiting caller its connection from inside another caller's
 * release (pg-pool's `connect`, mysql2's `getConnection`): the checkout callback runs in the
 * context of the checkout call. Without this, a query that waited for a connection is traced
 * under whichever request released it (pg), or as a root span of its own trace (mysql2 with the
 * upstream instrumentation). Promise checkouts need nothing: a promise continues in its awaiting
 * caller's context.
 */
import { createRequire } from 'node:module'
import { type Context, context } from '@opentelemetry/api'
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation'
import { OTELKIT_VERSION } from '../version.js'
import { type AnyFn, patchMethod, unpatchMethod } from './prototype-patch.js'

const require = createRequire(import.meta.url)

type CheckoutFn = (this: unknown, callback?: unknown) => unknown
type CheckoutCallback = (error: unknown, connection: unknown, release: unknown) => unknown

/**
 * Marks a checkout whose callback is the pool's own (pg-pool's promise `query`): the pool's
 * `query` sets `armed` around its checkout call, the checkout takes the mark, and `dispatching` is
 * true while that checkout's callback runs, so the query it dispatches knows its callback is the
 * pool's and not a caller's.
 */
export class PoolQueryDispatch {
  /** Set by the pool's promise `query` while it calls the checkout. */
  armed = false
  /** True while the callback of an armed checkout runs. */
  dispatching = false
}

/**
 * Calls a checkout callback in `active`, the context of its checkout call. An idle connection is
 * handed over at once, still in that context: the callback is called as it is (entering a context
 * copies the async context frame).
 */
function handOver(
  active: Context,
  target: CheckoutCallback,
  error: unknown,
  connection: unknown,
  release: unknown,
): unknown {
  return context.active() === active
    ? target(error, connection, release)
    : context.with(active, target, undefined, error, connection, release)
}

/**
 * A checkout method whose callback (its first argument) runs in the context of the call. With
 * `dispatch`, a checkout made while it is armed runs its callback with `dispatching` set.
 */
export function checkoutInCallerContext(original: CheckoutFn, dispatch?: PoolQueryDispatch): CheckoutFn {
  return function checkout(this: unknown, callback?: unknown) {
    if (typeof callback !== 'function') return original.call(this, callback)
    const active = context.active()
    const target = callback as CheckoutCallback
    if (dispatch === undefined || !dispatch.armed) {
      return original.call(this, (error: unknown, connection: unknown, release: unknown) =>
        handOver(active, target, error, connection, release),
      )
    }
    dispatch.armed = false
    return original.call(this, (error: unknown, connection: unknown, release: unknown) => {
      const prior = dispatch.dispatching
      dispatch.dispatching = true
      try {
        return handOver(active, target, error, connection, release)
      } finally {
        dispatch.dispatching = prior
      }
    })
  }
}

/** Which pool class and checkout method of which module. */
export interface PoolCheckoutTarget {
  /** The package: `mysql2`. */
  module: string
  /** Versions covered, as the instrumentation framework reads them: `>=1.4.2 <4`. */
  versions: string
  /**
   * The file of the package whose `module.exports` is the pool class: `lib/pool.js`. A file, not
   * the package's main: `mysql2/promise` loads the main through a relative require, which the
   * require hook does not report under the package's name.
   */
  file: string
  /** The class's checkout method, taking a callback first: `getConnection`. */
  method: string
}

/** An instrumentation that makes `target`'s checkout callback run in its caller's context. */
export function createPoolContextInstrumentation(target: PoolCheckoutTarget): Instrumentation {
  const { InstrumentationBase, InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation')
  const prototypeOf = (exports: unknown) =>
    (exports as { prototype?: Record<string, unknown> } | undefined)?.prototype
  class PoolContextInstrumentation extends InstrumentationBase<InstrumentationConfig> {
    constructor() {
      super(`@otelkit/node/${target.module}-pool-context`, OTELKIT_VERSION, {})
    }

    protected init() {
      const file = new InstrumentationNodeModuleFile(
        `${target.module}/${target.file}`,
        [target.versions],
        (exports: unknown) => {
          patchMethod(
            prototypeOf(exports),
            target.method,
            (original) => checkoutInCallerContext(original as CheckoutFn) as AnyFn,
          )
          return exports
        },
        (exports: unknown) => unpatchMethod(prototypeOf(exports), target.method),
      )
      return [
        new InstrumentationNodeModuleDefinition(target.module, [target.versions], undefined, undefined, [
          file,
        ]),
      ]
    }
  }
  return new PoolContextInstrumentation() as unknown as Instrumentation
}
