/**
 * Database error text without the values it quotes. A database's own error message repeats
 * what it choked on (`invalid input syntax for type integer: "<literal>"`, `Duplicate entry
 * '<value>' for key ...`), so before such a message reaches a span status, an exception event,
 * a log line or /debug/errors its quoted strings and numbers become `?`.
 *
 * Database client spans (any span with `db.system.name` or `db.system`: pg, mysql2, Redis,
 * MongoDB, any client added later) are scrubbed when they end; the raw message is remembered
 * (bounded), so the same error recorded later on another span (a web framework's server span)
 * or thrown as an uncaught exception is scrubbed too. Errors that never went through a client
 * span are recognised by shape ({@link isDatabaseError}).
 */

/**
 * Quoted strings (a quote left open runs to the end: what follows is unknown). A single quote
 * between letters is an apostrophe (`doesn't`), not a string. A string's content takes every
 * character but its closing quote, so a match never backtracks.
 */
const QUOTED =
  /(?<![A-Za-z])'(?:[^'\\]|\\[\s\S]?|'')*(?:'|$)|"(?:[^"\\]|\\[\s\S]?)*(?:"|$)|`(?:[^`\\]|\\[\s\S]?)*(?:`|$)/g
const NUMBER = /(?<![\w$.])[-+]?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w$])/gi
/** Nothing to scrub without a quote or a digit. */
const MAY_HOLD_VALUES = /['"`\d]/
/** Where a stack's message ends and its frames begin. */
const FIRST_FRAME = /\n[ \t]+at /
/** MySQL/MariaDB quote the rest of the statement unescaped: `near ''<literal>'' at line 1`. */
const NEAR = "near '"
const AT_LINE = "' at line "

/** The fragment of a MySQL syntax error (everything between `near '` and `' at line`) as `?`. */
function scrubNear(message: string): string {
  const start = message.indexOf(NEAR)
  if (start < 0) return message
  const end = message.lastIndexOf(AT_LINE)
  if (end <= start) return message
  return `${message.slice(0, start + NEAR.length)}?${message.slice(end)}`
}

/** The message with each quoted string as `"?"` (quote kept) and each number as `?`. */
export function scrubDbMessage(message: string): string {
  if (!MAY_HOLD_VALUES.test(message)) return message
  // Every pattern here is linear: the message may quote a value of any size an attacker sent.
  return scrubNear(message)
    .replace(QUOTED, (quoted) => `${quoted[0]}?${quoted[0]}`)
    .replace(NUMBER, '?')
}

/** A stack trace whose message part (everything before the first `at` frame) is scrubbed. */
export function scrubStackHead(stack: string): string {
  const frames = FIRST_FRAME.exec(stack)
  if (frames === null) return scrubDbMessage(stack)
  const head = stack.slice(0, frames.index)
  const scrubbed = scrubDbMessage(head)
  return scrubbed === head ? stack : `${scrubbed}${stack.slice(frames.index)}`
}

const MAX_KNOWN = 256
const MAX_KNOWN_LENGTH = 4096
const known = new Map<string, string>()

/** Scrubs a database error message and remembers it, so later sightings are scrubbed alike. */
export function rememberDbError(message: string): string {
  const cached = known.get(message)
  if (cached !== undefined) return cached
  const scrubbed = scrubDbMessage(message)
  if (scrubbed !== message && message.length <= MAX_KNOWN_LENGTH) {
    if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value as string)
    known.set(message, scrubbed)
  }
  return scrubbed
}

/** The scrubbed form of a message seen before as a database error, else undefined. */
export function knownDbError(message: string): string | undefined {
  return known.size === 0 ? undefined : known.get(message)
}

/**
 * Whether a thrown value is a database driver's error: pg (`severity` + `code` + `routine`),
 * mysql2 (`sqlState` / `sqlMessage`), MongoDB (`Mongo*` names), Redis replies (ioredis
 * `ReplyError`, node-redis `ErrorReply`).
 */
export function isDatabaseError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const e = error as Record<string, unknown>
  if (typeof e.sqlState === 'string' || typeof e.sqlMessage === 'string') return true
  if (typeof e.severity === 'string' && typeof e.code === 'string' && typeof e.routine === 'string')
    return true
  const name = e.name
  return (
    typeof name === 'string' && (name.startsWith('Mongo') || name === 'ReplyError' || name === 'ErrorReply')
  )
}

/** The message of a thrown value as it may be shown: scrubbed when it is a database error. */
export function safeErrorMessage(error: unknown, message: string): string {
  if (isDatabaseError(error)) return rememberDbError(message)
  return knownDbError(message) ?? message
}
