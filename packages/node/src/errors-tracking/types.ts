/**
 * Public types of error tracking: the categories, what a classifier sees, and the options of
 * `errorsFeature()`.
 */
import type { Attributes } from '@opentelemetry/api'

/** Value of the `error.category` attribute. */
export type ErrorCategory = 'client' | 'server' | 'timeout' | 'dependency' | 'validation' | 'unhandled'

export const ERROR_CATEGORIES: readonly ErrorCategory[] = [
  'client',
  'server',
  'timeout',
  'dependency',
  'validation',
  'unhandled',
]

/** Where a failure was observed. */
export type ErrorSource =
  /** A server span (incoming HTTP request, message consumer) that failed or answered 4xx/5xx. */
  | 'server'
  /** A client span (database, Redis, outgoing HTTP, message producer) that ended with an error. */
  | 'client'
  /** An uncaught exception. */
  | 'uncaught-exception'
  /** An unhandled promise rejection (raised as an uncaught exception by Node's default mode). */
  | 'unhandled-rejection'

/** Everything the rules (and a user classifier) know about one failure. */
export interface ErrorDescription {
  source: ErrorSource
  /** `error.type`: the error's class name or code, or the HTTP status code as a string. */
  type: string
  /** The error message (may be empty for a bare HTTP status). */
  message: string
  /** `code` of the error when there is one: `ECONNREFUSED`, a PostgreSQL SQLSTATE such as `57014`, a MySQL errno. */
  code: string | undefined
  /** HTTP status code of a server or HTTP client span. */
  statusCode: number | undefined
  /** `http.route` template when known. */
  route: string | undefined
  /** The stack trace, when the failure carries one. */
  stack: string | undefined
  /** Attributes of the span the failure was observed on (empty for uncaught exceptions). */
  attributes: Attributes
  /** The thrown value itself; only for uncaught exceptions and unhandled rejections. */
  error?: unknown
}

/**
 * A user rule, run before the built-in ones: return a category to decide, or `undefined` to let
 * the built-in rules decide. A classifier that throws is ignored (logged once a minute).
 */
export type ErrorClassifier = (error: ErrorDescription) => ErrorCategory | undefined

/** Options of `errorsFeature()`. */
export interface ErrorsTrackingOptions {
  /** A rule run before the built-in rules (see `ErrorClassifier`). @default undefined */
  classifyError?: ErrorClassifier
  /** Most error groups kept for `/debug/errors`; the least recently seen group is evicted first. @default 500 */
  maxGroups?: number
  /** In-app stack frames that enter the fingerprint. @default 5 */
  fingerprintFrames?: number
  /** Longest sample stack kept per group, in characters. @default 4096 */
  maxStackLength?: number
  /** Longest sample message kept per group, in characters. @default 1024 */
  maxMessageLength?: number
  /** Time budget of the synchronous export when an uncaught exception ends the process, in ms. @default 2000 */
  crashFlushTimeoutMs?: number
  /** Path of the debug route on the ops server. @default '/debug/errors' */
  debugPath?: string
  /** Root of the application, to which stack frame paths are made relative. @default process.cwd() */
  appRoot?: string
}

/** One group of `/debug/errors`. */
export interface ErrorGroup {
  fingerprint: string
  type: string
  category: ErrorCategory
  /** The latest message of this group, truncated to `maxMessageLength`. */
  message: string
  route: string | undefined
  count: number
  /** ISO 8601 time of the first occurrence. */
  firstSeen: string
  /** ISO 8601 time of the latest occurrence. */
  lastSeen: string
  /** Trace id of the latest occurrence that had one. */
  lastTraceId: string | undefined
  /** A sample stack, truncated to `maxStackLength`. */
  stack: string | undefined
}
