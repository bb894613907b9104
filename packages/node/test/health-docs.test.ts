import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { health } from '../src/health/index.js'
import { DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_COALESCE_WINDOW_MS } from '../src/health/registry.js'
import {
  DEFAULT_FILESYSTEM_EXCLUDE_MOUNTPOINTS,
  DEFAULT_FILESYSTEM_EXCLUDE_TYPES,
} from '../src/resources/options.js'
import { EVENT_LOOP_DELAY_RESOLUTION_MS } from '../src/resources/runtime.js'

const doc = readFileSync(new URL('../docs/health-and-resources.md', import.meta.url), 'utf8')
const errorsSource = readFileSync(new URL('../src/health/errors.ts', import.meta.url), 'utf8')

describe('docs/health-and-resources.md matches the code', () => {
  it('states the defaults the code uses', () => {
    const types = /Default `filesystemExcludeTypes`: `([^`]+)`/.exec(doc)?.[1]
    expect(types?.split(/,\s*/)).toEqual([...DEFAULT_FILESYSTEM_EXCLUDE_TYPES])
    const mountRow = doc.split('\n').find((l) => l.startsWith('| `filesystemExcludeMountPoints` |'))
    const mounts = mountRow?.split('|')[3]?.trim().replace(/`/g, '')
    expect(mounts?.split(',')).toEqual([...DEFAULT_FILESYSTEM_EXCLUDE_MOUNTPOINTS])
    expect(doc).toContain(`a check's default timeout is **${DEFAULT_CHECK_TIMEOUT_MS} ms**`)
    expect(doc).toContain(`at most one per ${DEFAULT_COALESCE_WINDOW_MS / 1000} s**`)
    expect(doc).toContain(
      `histogram of the runtime metrics samples every **${EVENT_LOOP_DELAY_RESOLUTION_MS} ms**`,
    )
  })

  it('documents every built-in check and every error code', () => {
    for (const name of Object.keys(health.checks))
      expect(doc, name).toMatch(new RegExp(`\\|\\s*\`${name}\\(`))
    const codes = [...errorsSource.matchAll(/'(OTELKIT_[A-Z_]+)'/g)].map((m) => m[1])
    expect(codes.length).toBeGreaterThanOrEqual(4)
    for (const code of codes) expect(doc, code).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|`))
  })

  it('pins the shape of the public health API', () => {
    expect(Object.keys(health).sort()).toEqual([
      'check',
      'checks',
      'liveness',
      'readiness',
      'register',
      'status',
      'unregister',
    ])
    expect(Object.keys(health.checks).sort()).toEqual([
      'disk',
      'eventLoop',
      'http',
      'memory',
      'mysql',
      'postgres',
      'redis',
    ])
  })
})
