/**
 * SQL statement normalisation: literals and parameters become `?`, lists of them collapse to
 * one, whitespace is folded. The result carries no parameter values, so it is safe for spans,
 * logs and /debug/queries, and statements that differ only in values group together.
 */

const CACHE_LIMIT = 2000
/**
 * Normalised statements by raw statement, one map per dialect (keyed by the statement itself:
 * a driver passing the same string object finds it without hashing it again).
 */
const postgresCache = new Map<string, string>()
const mysqlCache = new Map<string, string>()
const mongoCache = new Map<string, string>()

/** Adds an entry to a bounded cache, dropping its oldest entry when full. */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
  cache.set(key, value)
}

const STRING_LITERAL = /'(?:[^']|'')*'|E'(?:[^'\\]|\\.|'')*'/g
const DOLLAR_QUOTED = /\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g
const DOUBLE_QUOTED_VALUE = /"(?:[^"\\]|\\.)*"/g // MySQL string literal (identifiers use backticks)
const NUMBER = /(?<![\w$.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w$])/gi
const HEX = /\b0x[0-9a-f]+\b|\bx'[0-9a-f]*'/gi
const PG_PARAM = /\$\d+/g
const BOOL_NULL_LITERAL = /\b(?:true|false)\b/gi
const LIST = /\(\s*\?(?:\s*,\s*\?)+\s*\)/g
const VALUES_ROWS = /(VALUES\s*\(\?\))(?:\s*,\s*\(\?\))+/gi
const WHITESPACE = /\s+/g
const LINE_COMMENT = /--[^\n]*/g
const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//g

/**
 * Normalises a statement. `mysqlDoubleQuotes` treats "..." as string literals (MySQL's
 * default mode); in PostgreSQL they are identifiers and are kept.
 */
export function normalizeSql(statement: string, mysqlDoubleQuotes = false): string {
  const cache = mysqlDoubleQuotes ? mysqlCache : postgresCache
  const cached = cache.get(statement)
  if (cached !== undefined) return cached
  let s = statement.replace(BLOCK_COMMENT, ' ').replace(LINE_COMMENT, ' ')
  s = s.replace(DOLLAR_QUOTED, '?').replace(STRING_LITERAL, '?')
  if (mysqlDoubleQuotes) s = s.replace(DOUBLE_QUOTED_VALUE, '?')
  s = s.replace(HEX, '?').replace(PG_PARAM, '?').replace(NUMBER, '?').replace(BOOL_NULL_LITERAL, '?')
  s = s.replace(WHITESPACE, ' ').trim()
  s = s.replace(LIST, '(?)').replace(VALUES_ROWS, '$1')
  remember(cache, statement, s)
  return s
}

const OPERATION = /^\s*(?:with\b[\s\S]*?\)\s*)?([a-z]+)/i
const COLLECTION = /\b(?:from|into|update|join|table)\s+((?:[`"]?[\w$]+[`"]?\.)?[`"]?[\w$]+[`"]?)/i

/** A statement's operation and first table, read once per distinct statement. */
const shapes = new Map<string, { operation: string | undefined; collection: string | undefined }>()

function shapeOf(statement: string): { operation: string | undefined; collection: string | undefined } {
  let shape = shapes.get(statement)
  if (shape === undefined) {
    const operation = OPERATION.exec(statement)?.[1]
    const collection = COLLECTION.exec(statement)?.[1]
    shape = {
      operation: operation ? operation.toUpperCase() : undefined,
      collection: collection ? collection.replace(/[`"]/g, '') : undefined,
    }
    remember(shapes, statement, shape)
  }
  return shape
}

/** `SELECT`, `INSERT`, ... (upper case) or undefined. */
export function sqlOperation(normalized: string): string | undefined {
  return shapeOf(normalized).operation
}

/** The first table the statement names, without quotes, or undefined. */
export function sqlCollection(normalized: string): string | undefined {
  return shapeOf(normalized).collection
}

const MONGO_LITERAL = /:\s*(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|true|false|null)/gi
const MONGO_LIST = /\[\s*"\?"(?:\s*,\s*"\?")+\s*\]/g
const MONGO_REPEATED_OBJECT = /(\{[^{}[\]]*\})(?:\s*,\s*\1)+/g

/**
 * A MongoDB command as the instrumentation serialises it (JSON, values usually already `"?"`),
 * with every remaining value replaced by `"?"` and lists of them, or of identical sub-documents,
 * collapsed to one: commands that differ only in values or list lengths group together.
 */
export function normalizeMongo(statement: string): string {
  const cached = mongoCache.get(statement)
  if (cached !== undefined) return cached
  let s = statement.replace(MONGO_LITERAL, ':"?"')
  s = s.replace(
    /\[\s*(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)(?:\s*,\s*(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?))*\s*\]/g,
    '["?"]',
  )
  s = s.replace(MONGO_LIST, '["?"]').replace(MONGO_REPEATED_OBJECT, '$1')
  remember(mongoCache, statement, s)
  return s
}
