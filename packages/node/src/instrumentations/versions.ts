/**
 * Version facts of a module at the moment it first loads: its package version, read from the
 * package.json above the resolved file, and whether a version lies in a catalog range
 * (`>=A <B` comparators, ranges joined by `||`, `*` for any). Small on purpose: it runs before
 * any instrumentation (or semver) is loaded.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A file path from a resolved file path or `file:` URL (query strings of loaders dropped). */
export function filePath(fileOrUrl: string | undefined): string | undefined {
  if (fileOrUrl === undefined) return undefined
  if (!fileOrUrl.startsWith('file:')) return fileOrUrl.startsWith(sep) ? fileOrUrl : undefined
  try {
    return fileURLToPath(fileOrUrl.replace(/[?#].*$/, ''))
  } catch {
    return undefined
  }
}

/** Directory of package `name` that holds `file` (`.../node_modules/<name>`), or undefined. */
function packageDir(file: string, name: string): string | undefined {
  const marker = `${sep}node_modules${sep}${name.split('/').join(sep)}${sep}`
  const at = file.lastIndexOf(marker)
  return at === -1 ? undefined : file.slice(0, at + marker.length - 1)
}

function versionIn(dir: string): string | undefined {
  try {
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown })
      .version
    return typeof version === 'string' ? version : undefined
  } catch {
    return undefined
  }
}

/** Version of package `name` whose file `file` is being loaded, or undefined (built-ins, links). */
export function packageVersion(file: string | undefined, name: string): string | undefined {
  const path = filePath(file)
  const dir = path === undefined ? undefined : packageDir(path, name)
  return dir === undefined ? undefined : versionIn(dir)
}

/** Main file of `dependency` as the package holding `file` loads it (e.g. express's router). */
export function dependencyFile(file: string | undefined, dependency: string): string | undefined {
  const path = filePath(file)
  if (path === undefined) return undefined
  try {
    return createRequire(path).resolve(dependency)
  } catch {
    return undefined
  }
}

/** Version of package `name` whose main file is `main` (e.g. what dependencyFile resolved). */
export function mainFileVersion(main: string | undefined, name: string): string | undefined {
  return main === undefined ? undefined : (packageVersion(main, name) ?? versionIn(dirname(main)))
}

function parts(version: string): [number, number, number] {
  const [a, b, c] = version.replace(/^[v=]/, '').split(/[-+]/)[0]?.split('.') ?? []
  return [Number(a) || 0, Number(b) || 0, Number(c) || 0]
}

function compare(a: string, b: string): number {
  const x = parts(a)
  const y = parts(b)
  for (let i = 0; i < 3; i++)
    if ((x[i] as number) !== (y[i] as number)) return (x[i] as number) - (y[i] as number)
  return 0
}

function comparatorHolds(version: string, comparator: string): boolean {
  const m = /^(>=|<=|>|<|=)?\s*(\S+)$/.exec(comparator.trim())
  if (!m) return false
  const [, op = '=', bound = ''] = m
  if (bound === '*') return true
  const c = compare(version, bound)
  if (op === '>=') return c >= 0
  if (op === '>') return c > 0
  if (op === '<=') return c <= 0
  if (op === '<') return c < 0
  return c === 0
}

/** Whether `version` lies in `range`; true when the version is unknown. */
export function inRange(version: string | undefined, range: string): boolean {
  if (version === undefined || range.trim() === '*') return true
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/(>=|<=|>|<|=)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => comparatorHolds(version, comparator)),
  )
}
