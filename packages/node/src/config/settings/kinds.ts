/**
 * The value kinds of settings: each pairs the environment parser (config/parse.ts) with the zod
 * validator of the same option given in code, so the bounds and accepted values are written once.
 */
import type { z as Z } from 'zod'
import {
  parseBoolean,
  parseDuration,
  parseEnum,
  parseHost,
  parseInteger,
  parseKeyValues,
  parseList,
  parseOtlpEndpoint,
  parsePath,
  parseRatio,
  parseString,
  parseToken,
} from '../parse.js'
import type { Kind } from './define.js'

export const boolean: Kind<boolean> = { parse: parseBoolean, zod: (z) => z.boolean() }

/** A string; in code it must not be empty unless `allowEmpty`. */
export function text(allowEmpty = false): Kind<string> {
  return { parse: parseString, zod: (z) => (allowEmpty ? z.string() : z.string().min(1)) }
}

/** A whole number from `min` to `max`. */
export function integer(min: number, max: number): Kind<number> {
  return { parse: parseInteger(min, max), zod: (z) => z.number().int().min(min).max(max) }
}

/** A duration from `minMs` to `maxMs`: in a variable `30s`, `500ms` or a bare number of ms; in code ms. */
export function duration(minMs: number, maxMs: number): Kind<number> {
  return {
    parse: parseDuration(minMs, maxMs),
    zod: (z) => z.number().int().min(minMs).max(maxMs),
    duration: true,
  }
}

export const ratio: Kind<number> = { parse: parseRatio, zod: (z) => z.number().min(0).max(1) }

/** One of `values` (case-insensitive in a variable). */
export function oneOf<const T extends string>(values: readonly T[]): Kind<T> {
  return { parse: parseEnum(values), zod: (z) => z.enum(values as readonly [T, ...T[]]) as Z.ZodType<T> }
}

/** A comma-separated list of `values` (lower-cased), or of any names when `values` is not given. */
export function listOf<const T extends string = string>(values?: readonly T[]): Kind<T[]> {
  return {
    parse: parseList(values),
    zod: (z) =>
      (values ? z.array(z.enum(values as readonly [T, ...T[]])) : z.array(z.string())) as Z.ZodType<T[]>,
  }
}

/** A comma-separated list kept as written (paths and type names are case-sensitive). */
export const rawList: Kind<string[]> = {
  parse: (raw) => ({
    ok: true,
    value: raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  }),
  zod: (z) => z.array(z.string()),
}

/** `key=value,...` with percent-encoded values; `example` shows the form in a warning. */
export function keyValues(example: string): Kind<Record<string, string>> {
  return { parse: parseKeyValues(example), zod: (z) => z.record(z.string(), z.string()) }
}

export const path: Kind<string> = { parse: parsePath, zod: (z) => z.string().min(1) }

export const host: Kind<string> = { parse: parseHost, zod: (z) => z.string().min(1) }

/** A bearer secret of at least 16 characters. */
export const token: Kind<string> = {
  parse: parseToken,
  zod: (z) => z.string().min(16, 'expected a secret of at least 16 characters'),
}

/** An OTLP endpoint: a URL (in a variable also `host:port`, see parseOtlpEndpoint). */
export const otlpEndpoint: Kind<string> = {
  parse: parseOtlpEndpoint,
  zod: (z) =>
    z.string().refine((s) => /^https?:\/\/[^\s]+$/.test(s) && URL.canParse(s), {
      message: 'expected an http:// or https:// URL, e.g. http://otel-collector:4318',
    }),
}

/** An option that only code can give (a function, ...): no variable sets it. */
export function codeOnly<T>(check: (value: unknown) => boolean, message: string): Kind<T> {
  return {
    parse: () => ({ ok: false, expected: message }),
    zod: (z) => z.custom<T>(check, { message }),
  }
}
