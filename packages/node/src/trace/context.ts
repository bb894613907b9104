/**
 * A `Context` that sets a value by linking a node to its parent instead of copying every entry
 * into a new Map (the API's BaseContext): a span's context costs one small object. Lookups walk
 * the chain, which is flattened into one Map once it is 32 nodes deep, so a lookup stays short
 * however deeply contexts nest. Every span start asks for the suppress-tracing key, which is
 * almost never set: each node knows whether its chain holds it, so that answer takes no walk.
 * Works under any code that uses the `Context` interface (upstream instrumentations call
 * `setValue` on whatever context is active).
 */
import { type Context, ROOT_CONTEXT } from '@opentelemetry/api'

const MAX_DEPTH = 32
const NO_KEY = Symbol('otelkit.context.root')

/** The API's key for the active span (`createContextKey` is `Symbol.for`). */
export const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN')
/** @opentelemetry/core's key of suppressed tracing (`suppressTracing`, `isTracingSuppressed`). */
export const SUPPRESS_TRACING_KEY = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING')

export class LinkedContext implements Context {
  private readonly parent: Context | undefined
  private readonly key: symbol
  private value: unknown
  /** Nodes up to the last flat one (a flat node has depth 0). */
  private readonly depth: number
  /** Every entry of the chain below, on a flattened node. */
  private readonly flat: Map<symbol, unknown> | undefined
  /**
   * Whether the chain may hold SUPPRESS_TRACING_KEY: set on a node of that key, inherited from a
   * linked parent, and assumed under any other parent (its entries are not known here).
   */
  private readonly maySuppress: boolean

  constructor(
    parent: Context | undefined,
    key: symbol,
    value: unknown,
    depth = 0,
    flat?: Map<symbol, unknown>,
    maySuppress = parent !== undefined || key === SUPPRESS_TRACING_KEY,
  ) {
    this.parent = parent
    this.key = key
    this.value = value
    this.depth = depth
    this.flat = flat
    this.maySuppress = maySuppress
  }

  getValue(key: symbol): unknown {
    if (key === SUPPRESS_TRACING_KEY && !this.maySuppress) return undefined
    let node: LinkedContext = this
    for (;;) {
      if (node.key === key) return node.value
      if (node.flat !== undefined) return node.flat.has(key) ? node.flat.get(key) : node.parent?.getValue(key)
      const parent = node.parent
      if (!(parent instanceof LinkedContext)) return parent?.getValue(key)
      node = parent
    }
  }

  setValue(key: symbol, value: unknown): Context {
    if (this.depth >= MAX_DEPTH) return this.flatten().setValue(key, value)
    return new LinkedContext(
      this,
      key,
      value,
      this.depth + 1,
      undefined,
      this.maySuppress || key === SUPPRESS_TRACING_KEY,
    )
  }

  /**
   * Replaces this node's value by `standIn`, which must answer for it from now on (the active-span
   * node of a request whose span has ended: see http-server.ts). Contexts are immutable to their
   * users; this is only for values whose replacement reads the same through the API.
   */
  settle(standIn: unknown): void {
    this.value = standIn
  }

  deleteValue(key: symbol): Context {
    // An undefined value shadows the key: getValue answers undefined, as after a delete.
    return this.setValue(key, undefined)
  }

  /** One node holding every entry of this chain (the nearest setting of a key wins). */
  private flatten(): LinkedContext {
    const nodes: LinkedContext[] = []
    let node: LinkedContext = this
    while (node.flat === undefined && node.parent instanceof LinkedContext) {
      nodes.push(node)
      node = node.parent
    }
    let flat: Map<symbol, unknown>
    if (node.flat !== undefined) flat = new Map(node.flat)
    else {
      flat = new Map()
      nodes.push(node)
    }
    for (let i = nodes.length - 1; i >= 0; i--) {
      const entry = nodes[i] as LinkedContext
      if (entry.key !== NO_KEY) flat.set(entry.key, entry.value)
    }
    const maySuppress = flat.has(SUPPRESS_TRACING_KEY) || node.parent !== undefined
    return new LinkedContext(node.parent, NO_KEY, undefined, 0, flat, maySuppress)
  }
}

/**
 * The root context as a linked one: contexts derived from it link instead of copying. It has no
 * parent: the API's root context is empty, so a key not found in the chain is answered without a
 * Map lookup in it.
 */
export const LINKED_ROOT: Context = new LinkedContext(undefined, NO_KEY, undefined)

/** `ctx`, or the linked root when `ctx` is the API's root context. */
export function linkable(ctx: Context): Context {
  return ctx === ROOT_CONTEXT ? LINKED_ROOT : ctx
}

/** `ctx` with `span` as its active span, linked. */
export function withSpan(ctx: Context, span: unknown): Context {
  return linkable(ctx).setValue(SPAN_KEY, span)
}
