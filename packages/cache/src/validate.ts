/** Checks shared by option validation: a bad value throws an InvalidOptionsError that names the option, the value and the accepted form. */
import { InvalidOptionsError } from './errors.js'

/** A size or count: a positive integer (or Infinity for no bound); `undefined` gives `fallback`. */
export function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (
    typeof value === 'number' &&
    value > 0 &&
    (Number.isSafeInteger(value) || value === Number.POSITIVE_INFINITY)
  )
    return value
  throw new InvalidOptionsError(
    `${name} must be a positive integer, got ${describe(value)}; pass a whole number such as ${fallback} (the default)`,
  )
}

/** One of a few accepted strings; `undefined` gives `fallback`. */
export function oneOf<T extends string>(
  name: string,
  value: unknown,
  accepted: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback
  if (accepted.includes(value as T)) return value as T
  throw new InvalidOptionsError(
    `${name} must be ${accepted.map((a) => `'${a}'`).join(' or ')}, got ${describe(value)}`,
  )
}

/** An array of non-empty strings, or undefined when not given. */
export function nameList(name: string, value: unknown, example: string): string[] | undefined {
  if (value === undefined) return undefined
  if (Array.isArray(value) && value.every((n) => typeof n === 'string' && n !== '')) return value
  throw new InvalidOptionsError(
    `${name} must be an array of non-empty names, got ${describe(value)}; pass e.g. ${example}`,
  )
}

/** A short printable form of a bad value. */
export function describe(value: unknown): string {
  try {
    const s =
      typeof value === 'number' || value === undefined
        ? String(value)
        : (JSON.stringify(value) ?? String(value))
    return s.length > 60 ? `${s.slice(0, 57)}...` : s
  } catch {
    return typeof value
  }
}
