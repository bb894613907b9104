/**
 * Message normalisation for grouping: the variable parts of an error message (quoted values,
 * e-mail addresses, UUIDs, hex strings, numbers) become placeholders, so "user 42 not found"
 * and "user 97 not found" are one group.
 */

const RULES: readonly [RegExp, string][] = [
  // quoted strings first: their content may hold anything below
  [/"(?:[^"\\]|\\.)*"/g, '"<str>"'],
  [/'(?:[^'\\]|\\.)*'/g, "'<str>'"],
  [/`(?:[^`\\]|\\.)*`/g, '`<str>`'],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '<email>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // hex ids (object ids, hashes, trace ids): 8+ hex characters holding at least one digit
  [/\b(?=[0-9a-f]*[0-9])[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\d+(?:\.\d+)?/g, '<n>'],
]

/** The message with ids, numbers, UUIDs, hex strings, e-mails and quoted strings replaced. */
export function normalizeMessage(message: string): string {
  let out = message.length > 2000 ? message.slice(0, 2000) : message
  for (const [pattern, placeholder] of RULES) out = out.replace(pattern, placeholder)
  return out.replace(/\s+/g, ' ').trim()
}
