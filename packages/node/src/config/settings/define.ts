/**
 * The shape of one setting's declaration, and the types derived from a table of them. A setting
 * is declared once: the variable(s) that set it, its value kind (env parser and zod validator,
 * with their bounds), default, whether it is a secret, and its README text. The env table, the
 * zod schema, the defaults, the option and resolved types and the README table all come from it.
 */
import type { z as Z } from 'zod'
import type { Parsed } from '../parse.js'

/** How a value is read from a variable and validated when given in code. */
export interface Kind<T> {
  /** Environment string to value; `expected` names the accepted form for the warning. */
  parse: (raw: string) => Parsed<T>
  /** The validator of the `start()` option (zod is passed in: it loads on first use only). */
  zod: (z: typeof Z) => Z.ZodType<T>
  /** A duration: a unit (`30s`, `500ms`) or a bare number of milliseconds. */
  duration?: boolean
}

/** One environment variable of a setting, with its README row. */
export interface Variable {
  name: string
  /** README `meaning` cell (Markdown). */
  doc: string
  /** README `example` cell, written as code; it must parse. */
  example?: string
  /** README `example` cell as prose, when a literal example would not do (secrets). */
  exampleDoc?: string
  /** README `default` cell (Markdown) when it is not the default value itself. */
  defaultDoc?: string
}

/** A default as declared: arrays are read-only (copied when resolved). */
export type Frozen<T> = T extends (infer E)[] ? readonly E[] : T

export interface SettingSpec<T> {
  /** The variables that set the option, in order: a later one wins when both are set. */
  variables: readonly Variable[]
  default?: Frozen<T>
  /** The value may be a secret: never echoed in a warning. */
  secret?: boolean
  /** Set but blank is worth a warning: what then happens, and the accepted form. */
  blank?: string
  /**
   * `false`: the resolved config has no field of this name; the value only feeds a derived one
   * (`config.otlp`, `config.spanLimits`).
   */
  resolved?: false
}

export type Setting<T> = SettingSpec<T> & { kind: Kind<T> }

/** Declares a setting of value kind `kind`. */
export function setting<T, const S extends SettingSpec<T>>(kind: Kind<T>, spec: S): S & { kind: Kind<T> } {
  return { ...spec, kind }
}

// biome-ignore lint/suspicious/noExplicitAny: any value kind
export type AnySetting = Setting<any>

/** The value type of a setting. */
export type ValueOf<S> = S extends { kind: Kind<infer T> } ? T : never

/** The options object a table of settings accepts: every field optional. */
export type OptionsOf<M> = { [K in keyof M]?: ValueOf<M[K]> }

/** The declared defaults of a table of settings (only the settings that have one). */
export type DefaultsOf<M> = {
  readonly [K in keyof M as M[K] extends { default: unknown } ? K : never]: M[K] extends { default: infer D }
    ? D
    : never
}

/** The resolved fields of a table of settings: the value, or undefined when there is no default. */
export type ResolvedOf<M> = {
  [K in keyof M as M[K] extends { resolved: false } ? never : K]: M[K] extends { default: unknown }
    ? ValueOf<M[K]>
    : ValueOf<M[K]> | undefined
}

/** True when A and B are the same type (used for compile-time checks). */
export type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false

/** The keys of A whose type differs from B's (or that B lacks), both ways; `never` when they match. */
export type Mismatch<A, B> =
  | { [K in keyof A]-?: K extends keyof B ? (Equal<A[K], B[K]> extends true ? never : K) : K }[keyof A]
  | { [K in keyof B]-?: K extends keyof A ? never : K }[keyof B]
