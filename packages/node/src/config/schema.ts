/**
 * Validation of the options object passed to `start(options)`. Unlike env values (which warn and
 * fall back), a bad option in code is a programming error: `start` throws `OtelkitConfigError`
 * listing every problem. zod is loaded on first use, so the preload (which only reads env)
 * never pays for it.
 */
import { createRequire } from 'node:module'
import type { z as Z } from 'zod'
import { OtelkitConfigError } from '../errors.js'
import type { OtelkitOptions } from './options.js'
import { SETTING_ENTRIES } from './settings/index.js'

const require = createRequire(import.meta.url)

/** One validator per option, each from its setting's value kind (config/settings/kinds.ts). */
function buildSchema() {
  const { z } = require('zod') as { z: typeof Z }
  const shape: Record<string, Z.ZodType> = {}
  for (const [option, setting] of SETTING_ENTRIES) shape[option] = setting.kind.zod(z)
  return z.strictObject(shape).partial()
}

let schema: ReturnType<typeof buildSchema> | undefined

/** Validates `start()` options; throws `OtelkitConfigError` naming each bad option. */
export function validateOptions(options: unknown): OtelkitOptions {
  if (options === undefined) return {}
  schema ??= buildSchema()
  const result = schema.safeParse(options)
  if (result.success) return result.data as OtelkitOptions
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.join('.') || '(options)'
    if (issue.code === 'unrecognized_keys') {
      return `unknown option(s) ${issue.keys.join(', ')}: see OtelkitOptions for the accepted names`
    }
    return `${path}: ${issue.message}`
  })
  throw new OtelkitConfigError(issues)
}
