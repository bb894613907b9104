/**
 * Patching a method of an instrumented module's class: find the class among the module's exports
 * (CommonJS or an ES default), replace a prototype method once with a wrapper that keeps the
 * original reachable, and put the original back.
 */

/** Any function, as a patch sees the method it wraps. */
export type AnyFn = (this: never, ...args: never[]) => unknown

/** Replaces `proto[name]` with `wrap(original)`, once; the original stays reachable for unpatching. */
export function patchMethod(
  proto: Record<string, unknown> | undefined,
  name: string,
  wrap: (original: AnyFn) => AnyFn,
): void {
  const original = proto?.[name] as (AnyFn & { __otelkit?: AnyFn }) | undefined
  if (proto === undefined || typeof original !== 'function' || original.__otelkit) return
  const wrapped = wrap(original)
  Object.defineProperty(wrapped, '__otelkit', { value: original })
  proto[name] = wrapped
}

/** Puts back the method `patchMethod` replaced, if it did. */
export function unpatchMethod(proto: Record<string, unknown> | undefined, name: string): void {
  const current = proto?.[name] as { __otelkit?: unknown } | undefined
  if (proto !== undefined && current?.__otelkit) proto[name] = current.__otelkit
}

/** The class `exports[className]` (CommonJS exports or an ES default's), if it is one. */
export function exportedClass<C>(exports: Record<string, unknown>, className: string): C | undefined {
  const holder = (exports[className] ? exports : (exports.default as Record<string, unknown>)) ?? exports
  const value = holder?.[className]
  return typeof value === 'function' ? (value as C) : undefined
}

/** The prototype of the class `exports[className]`. */
export function exportedPrototype(
  exports: Record<string, unknown>,
  className: string,
): Record<string, unknown> | undefined {
  return exportedClass<{ prototype?: Record<string, unknown> }>(exports, className)?.prototype
}
