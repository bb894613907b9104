/**
 * The group key of an error: a hash of its type, its normalised message and its top in-app
 * stack frames. Stable across requests, processes and restarts of the same code, and across
 * edits that only move lines.
 */
import { createHash } from 'node:crypto'
import { normalizeMessage } from './normalize.js'
import { inAppFrames } from './stack.js'

export interface FingerprintInput {
  type: string
  message: string
  stack: string | undefined
}

/** 16 hex characters (64 bits of SHA-256). */
export function fingerprint(input: FingerprintInput, appRoot: string, frames: number): string {
  const parts = [input.type, normalizeMessage(input.message), ...inAppFrames(input.stack, appRoot, frames)]
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16)
}
