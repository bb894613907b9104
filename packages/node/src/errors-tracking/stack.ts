/**
 * Stack parsing for grouping: the top in-app frames of a V8 stack trace as `file:function`,
 * with paths relative to the app root and no line or column numbers, so a fingerprint survives
 * edits elsewhere in the file. Frames in node_modules and Node's own modules are skipped.
 */
import { isAbsolute, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One V8 frame line: `at fn (location)` or `at location`. */
const FRAME = /^\s*at (?:(.+?) \((.+)\)|(.+))$/

function stripPosition(location: string): string {
  return location.replace(/(?::\d+){1,2}$/, '')
}

function toPath(location: string): string {
  if (location.startsWith('file://')) {
    try {
      return fileURLToPath(location)
    } catch {
      return location
    }
  }
  return location
}

function isInApp(file: string): boolean {
  return !(
    file.startsWith('node:') ||
    file.startsWith('internal/') ||
    file.includes(`${sep}node_modules${sep}`) ||
    file.includes('/node_modules/') ||
    file === 'native' ||
    file === '<anonymous>' ||
    file.startsWith('evalmachine')
  )
}

function normalizeFunction(fn: string | undefined): string {
  if (fn === undefined) return '<anonymous>'
  // `async fn`, `new Foo`, `Foo.<computed> [as bar]` keep their stable part
  return fn
    .replace(/^(?:async|new) /, '')
    .replace(/ \[as [^\]]+\]$/, '')
    .trim()
}

/** The top `limit` in-app frames of `stack` as `relative/file.js:function`. */
export function inAppFrames(stack: string | undefined, appRoot: string, limit: number): string[] {
  if (stack === undefined || limit <= 0) return []
  const frames: string[] = []
  for (const line of stack.split('\n')) {
    const match = FRAME.exec(line)
    if (match === null) continue
    const fn = match[1]
    const location = match[2] ?? match[3] ?? ''
    // `eval at fn (file:1:2), <anonymous>:1:1`: use the outer location
    const outer = location.startsWith('eval at ') ? (/\((.+?)\)/.exec(location)?.[1] ?? location) : location
    const file = toPath(stripPosition(outer))
    if (!isInApp(file)) continue
    const rel = isAbsolute(file) ? relative(appRoot, file).split(sep).join('/') : file
    frames.push(`${rel}:${normalizeFunction(fn)}`)
    if (frames.length >= limit) break
  }
  return frames
}
