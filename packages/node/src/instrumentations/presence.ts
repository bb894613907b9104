/**
 * Whether the application can load a module, so instrumentations are loaded only for modules
 * that are present (start-up does not pay for forty packages). Looks from the working directory
 * and from the entry script's directory.
 */
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'

function bases(): string[] {
  const out = new Set<string>([join(process.cwd(), 'noop.js')])
  const entry = process.argv[1]
  if (entry) out.add(join(dirname(resolve(entry)), 'noop.js'))
  return [...out]
}

let cachedBases: string[] | undefined

export function isModulePresent(name: string): boolean {
  cachedBases ??= bases()
  for (const base of cachedBases) {
    const req = createRequire(base)
    for (const specifier of [name, `${name}/package.json`]) {
      try {
        req.resolve(specifier)
        return true
      } catch {
        // not resolvable this way
      }
    }
  }
  return false
}

/** Major version of a module as the application would load it, or undefined. */
export function moduleMajorVersion(name: string): number | undefined {
  cachedBases ??= bases()
  for (const base of cachedBases) {
    try {
      const req = createRequire(base)
      const version = (req(`${name}/package.json`) as { version?: string }).version
      const major = Number(version?.split('.')[0])
      if (Number.isInteger(major)) return major
    } catch {
      // not resolvable from here
    }
  }
  return undefined
}

/** Version of a dependency of `parent` as `parent` loads it (e.g. express's router). */
export function nestedModuleVersion(parent: string, name: string): string | undefined {
  cachedBases ??= bases()
  for (const base of cachedBases) {
    try {
      const parentEntry = createRequire(base).resolve(parent)
      return (createRequire(parentEntry)(`${name}/package.json`) as { version?: string }).version
    } catch {
      // not resolvable from here
    }
  }
  return undefined
}

/** True when `version` (x.y.z) is at least `major.minor`. */
export function versionAtLeast(version: string | undefined, major: number, minor: number): boolean {
  if (version === undefined) return false
  const [a, b] = version.split('.').map(Number)
  return (a ?? 0) > major || ((a ?? 0) === major && (b ?? 0) >= minor)
}
