/**
 * The instrumentation catalog: the names and defaults of the stock distribution, targets that
 * cover what each upstream instrumentation patches, every entry loaded only on its module's first
 * load (CommonJS and ES modules), patching and unpatching, and version ranges.
 */
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { activateInstrumentations } from '../src/instrumentations/activate.js'
import { CATALOG, type CatalogEntry, type LoadContext } from '../src/instrumentations/catalog.js'
import { packageOf } from '../src/instrumentations/module-hooks.js'
import { inRange, packageVersion } from '../src/instrumentations/versions.js'
import { killAll, PACKAGE_DIR, runFixture } from './support/service.js'

afterAll(() => killAll())

const require = createRequire(join(PACKAGE_DIR, 'package.json'))
const rootRequire = createRequire(join(PACKAGE_DIR, '..', '..', 'package.json'))

/** Short names and default-off names of @opentelemetry/auto-instrumentations-node. */
function stockNames(): { names: string[]; off: string[] } {
  const main = rootRequire.resolve('@opentelemetry/auto-instrumentations-node')
  const source = readFileSync(join(main, '..', 'utils.mjs'), 'utf8')
  const map = source.slice(
    source.indexOf('const InstrumentationMap'),
    source.indexOf('const defaultExcluded'),
  )
  const names = [...map.matchAll(/"@opentelemetry\/instrumentation-([\w.-]+)":/g)].map((m) => m[1] as string)
  const excluded = /const defaultExcludedInstrumentations = \[([^\]]*)\]/.exec(source)?.[1] ?? ''
  const off = [...excluded.matchAll(/instrumentation-([\w.-]+)"/g)].map((m) => m[1] as string)
  return { names, off }
}

const byName = new Map(CATALOG.map((e) => [e.name, e]))

describe('names and defaults', () => {
  const stock = stockNames()

  it('has an entry for every short name of the stock distribution', () => {
    expect(stock.names.length).toBeGreaterThanOrEqual(41)
    expect(stock.names.filter((n) => !byName.has(n))).toEqual([])
  })

  it('keeps the stock defaults but for the documented exceptions', () => {
    const offHere = CATALOG.filter((e) => e.defaultOff).map((e) => e.name)
    const onlyStockOff = stock.off.filter((n) => !offHere.includes(n))
    const onlyOffHere = offHere.filter((n) => !stock.off.includes(n))
    // host-metrics: otelkit's resource metrics, on by default; dns, net: a span per lookup and
    // per socket, off unless named; express-middleware: otelkit's own name.
    expect(onlyStockOff).toEqual(['host-metrics'])
    expect(onlyOffHere.sort()).toEqual(['dns', 'express-middleware', 'net'])
  })

  it('names are unique', () => {
    expect(byName.size).toBe(CATALOG.length)
  })
})

/** Module names an upstream instrumentation package patches (its module definitions). */
function upstreamModules(pkg: string): string[] {
  type Definitions = { getModuleDefinitions(): { name: string }[] }
  const exports = require(pkg) as Record<string, unknown>
  const Class = Object.values(exports).find(
    (v) => typeof v === 'function' && /Instrumentation$/.test(v.name),
  ) as (new (config: object) => Definitions) | undefined
  if (Class === undefined) throw new Error(`${pkg}: no instrumentation class`)
  return new Class({ enabled: false }).getModuleDefinitions().map((d) => d.name)
}

describe('targets', () => {
  const upstreamEntries = CATALOG.filter(
    (e) => e.upstream !== undefined && !['host-metrics', 'runtime-node'].includes(e.name),
  )

  it.each(upstreamEntries.map((e) => [e.name, e] as const))(
    '%s: its targets trigger every module the upstream instrumentation patches',
    (_name, entry: CatalogEntry) => {
      const modules = upstreamModules(entry.upstream as string)
      const triggers = new Set([...entry.targets.map((t) => t.module), ...(entry.esm ?? [])])
      const missed = modules.filter((m) => !triggers.has(packageOf(m) ?? m) && !triggers.has(m))
      // @node-redis/client is the pre-release name of @redis/client (node-redis 4.0.0-rc).
      expect(missed.filter((m) => m !== '@node-redis/client')).toEqual([])
    },
  )

  it('every version range parses and holds for its module lower bound', () => {
    for (const entry of CATALOG) {
      for (const target of entry.targets) {
        const lower = /^>=\s*([\d.]+)/.exec(target.versions)?.[1]
        if (lower !== undefined) expect(inRange(lower, target.versions), `${entry.name}`).toBe(true)
      }
    }
  })
})

interface Probe {
  before: string[]
  after: string[]
  installed: string[]
  wrapped?: number
  unwrapped?: number
  /** lazy-probe.mjs: whether import-in-the-middle's ES module hooks were registered. */
  esmHooks?: boolean
}

function probeOf(stdout: string): Probe {
  const line = stdout.trim().split('\n').pop() as string
  return JSON.parse(line) as Probe
}

/**
 * Entries whose module is installed here; `patches`: wraps functions (else a channel subscriber);
 * `leftover`: wrappers upstream's disable() leaves in place (they pass through once disabled);
 * `noFramework`: loads no instrumentation package at all.
 */
const TABLE: Array<{
  entry: string
  module: string
  patches: boolean
  leftover?: number
  noFramework?: boolean
}> = [
  { entry: 'express', module: 'express', patches: true },
  { entry: 'fastify', module: 'fastify', patches: false },
  // pg's prototypes, without the instrumentation framework.
  { entry: 'pg', module: 'pg', patches: true, noFramework: true },
  // ioredis 6's traceCommand and sanitizeArgs, without the instrumentation framework.
  { entry: 'ioredis', module: 'ioredis', patches: true, noFramework: true },
  // Upstream's unpatch misses the client's connect and the multi-command's execAsPipeline.
  { entry: 'redis', module: 'redis', patches: true, leftover: 2 },
  { entry: 'mysql2', module: 'mysql2', patches: true },
  // Upstream's unpatch misses ServerSessionPool#acquire/release (inert once disabled).
  { entry: 'mongodb', module: 'mongodb', patches: true, leftover: 2 },
  // mongoose loads mongodb: the mongodb entry's two leftovers.
  { entry: 'mongoose', module: 'mongoose', patches: true, leftover: 2 },
  { entry: 'knex', module: 'knex', patches: true },
  { entry: 'memcached', module: 'memcached', patches: true },
  { entry: 'amqplib', module: 'amqplib', patches: true },
  { entry: 'kafkajs', module: 'kafkajs', patches: true },
  { entry: 'graphql', module: 'graphql', patches: true },
  { entry: 'koa', module: 'koa', patches: true },
  { entry: 'hapi', module: '@hapi/hapi', patches: true },
  { entry: 'restify', module: 'restify', patches: true },
  { entry: 'connect', module: 'connect', patches: true },
  { entry: 'nestjs-core', module: '@nestjs/core', patches: true },
  { entry: 'pino', module: 'pino', patches: true },
  { entry: 'winston', module: 'winston', patches: true },
  // Upstream's unpatch leaves one wrapper of bunyan's exports.
  { entry: 'bunyan', module: 'bunyan', patches: true, leftover: 1 },
]

describe('load, patch, unpatch: each entry through the real preload', () => {
  it.concurrent.each(TABLE)(
    '$entry: loaded on the first require of $module, patches it, shutdown removes the patch',
    async ({ entry, module, patches, leftover, noFramework }) => {
      const run = await runFixture({
        fixture: 'catalog-probe.cjs',
        preload: 'require',
        env: { PROBE_MODULE: module },
        timeoutMs: 60_000,
      })
      expect(run.code, run.stderr).toBe(0)
      const probe = probeOf(run.stdout)
      expect(probe.before).toEqual([])
      expect(probe.installed).toContain(entry)
      const upstream = byName.get(entry)?.upstream
      if (byName.get(entry)?.kind === 'upstream') expect(probe.after).toContain(upstream)
      if (noFramework) expect(probe.after).toEqual([])
      if (patches) {
        expect(probe.wrapped).toBeGreaterThan(0)
        expect(probe.unwrapped).toBe(leftover ?? 0)
      }
      expect(run.stderr).not.toMatch(/could not be loaded/)
    },
    90_000,
  )
})

describe('another copy of a patched package', () => {
  it("pg: a dependency's own copy, loaded later, is patched too, and unpatched at shutdown", async () => {
    // COPY_DIR/node_modules/dep requires pg and gets its own copy (another folder, same version).
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-copies-'))
    try {
      const realPg = realpathSync(join(PACKAGE_DIR, 'node_modules', 'pg'))
      const dep = join(dir, 'node_modules', 'dep')
      cpSync(realPg, join(dep, 'node_modules', 'pg'), { recursive: true })
      // pg's own dependencies, beside it as a package manager lays them out.
      for (const name of readdirSync(dirname(realPg))) {
        if (name !== 'pg') symlinkSync(join(dirname(realPg), name), join(dep, 'node_modules', name))
      }
      writeFileSync(join(dep, 'index.js'), "module.exports = require('pg')\n")
      const run = await runFixture({
        fixture: 'copies-probe.cjs',
        preload: 'require',
        env: { COPY_DIR: dir },
      })
      expect(run.code, run.stderr).toBe(0)
      const probe = JSON.parse(run.stdout.trim().split('\n').pop() as string)
      expect(probe.distinct).toBe(true)
      const all = { query: true, poolQuery: true }
      const none = { query: false, poolQuery: false }
      expect(probe.first).toEqual(all)
      expect(probe.second).toEqual(all)
      expect(probe.afterShutdown).toEqual({ first: none, second: none })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})

describe('lazy loading', () => {
  it('-e 0: no instrumentation package is loaded, only the built-in entries are installed', async () => {
    for (const preload of ['import', 'require'] as const) {
      const run = await runFixture({ fixture: 'lazy-probe.mjs', preload })
      expect(run.code, run.stderr).toBe(0)
      const probe = probeOf(run.stdout)
      expect(probe.after).toEqual([])
      expect(probe.installed.sort()).toEqual(['host-metrics', 'http', 'runtime-node', 'undici'])
    }
  }, 60_000)

  it.each(['mongodb', 'koa', 'graphql', 'winston'])(
    'an ES module import of %s loads its instrumentation then, and only it',
    async (module) => {
      const run = await runFixture({ fixture: 'lazy-probe.mjs', env: { PROBE_MODULE: module } })
      expect(run.code, run.stderr).toBe(0)
      const probe = probeOf(run.stdout)
      expect(probe.before).toEqual([])
      const entry = CATALOG.find((e) => e.targets.some((t) => t.module === module)) as CatalogEntry
      expect(probe.after).toEqual(['@opentelemetry/instrumentation', entry.upstream])
      expect(probe.installed).toContain(entry.name)
      // Upstream patches the module's ES namespace: import-in-the-middle wraps it.
      expect(probe.esmHooks).toBe(true)
    },
    60_000,
  )

  it.each([
    ['pg', 'pg'],
    ['ioredis', 'ioredis'],
    ['express', 'express'],
  ])(
    'an ES module import of %s installs its instrumentation without the framework or ES module hooks',
    async (module, entry) => {
      const run = await runFixture({ fixture: 'lazy-probe.mjs', env: { PROBE_MODULE: module } })
      expect(run.code, run.stderr).toBe(0)
      const probe = probeOf(run.stdout)
      expect(probe.installed).toContain(entry)
      expect(probe.after).toEqual([])
      // Patched on their prototypes or traced through channels: nothing for import-in-the-middle
      // to wrap, so its hooks (on every later import) are not registered.
      expect(probe.esmHooks).toBe(false)
    },
    60_000,
  )

  it('unknown names: one warning listing them and the known names; the known ones apply', async () => {
    const run = await runFixture({
      fixture: 'lazy-probe.mjs',
      env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,mongodb,nope,mongo' },
    })
    const warnings = run.stderr.split('\n').filter((l) => l.includes('unknown instrumentation'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('nope, mongo')
    expect(warnings[0]).toContain('known:')
    expect(warnings[0]).toContain('nestjs-core')
    expect(probeOf(run.stdout).installed).toEqual(['http'])
  }, 60_000)
})

describe('README', () => {
  it('lists every entry with the versions of its targets', () => {
    const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8')
    const rows = readme.split('\n').filter((l) => l.startsWith('| `'))
    for (const entry of CATALOG) {
      const row = rows.find((r) => r.split('|')[1]?.includes(`\`${entry.name}\``))
      expect(row, entry.name).toBeDefined()
      const main = entry.targets[0]
      if (main !== undefined && !main.module.startsWith('@aws-sdk')) {
        expect(row, entry.name).toContain(`${main.module}: ${main.versions.split(' || ')[0]}`)
      }
    }
  })
})

describe('versions', () => {
  it('inRange reads catalog ranges', () => {
    expect(inRange('16.15.0', '>=14 <17')).toBe(true)
    expect(inRange('17.1.0', '>=14 <17')).toBe(false)
    expect(inRange('17.0.0-alpha.3', '>=14 <17')).toBe(false)
    expect(inRange('5.10.0', '>=1 <2 || >=5 <7')).toBe(true)
    expect(inRange('4.7.0', '>=1 <2 || >=5 <7')).toBe(false)
    expect(inRange(undefined, '>=1 <2')).toBe(true)
    expect(inRange('1.0.0', '*')).toBe(true)
  })

  it('packageOf names the package of a specifier', () => {
    expect(packageOf('mysql2/promise')).toBe('mysql2')
    expect(packageOf('@hapi/hapi')).toBe('@hapi/hapi')
    expect(packageOf('@nestjs/core/nest-factory.js')).toBe('@nestjs/core')
    expect(packageOf('./local')).toBeUndefined()
    expect(packageOf('node:fs')).toBeUndefined()
  })

  it('a module version outside every target range installs nothing; inside, the entry is installed once', () => {
    const loads: Array<string | undefined> = []
    const entry = (name: string, versions: string): CatalogEntry => ({
      name,
      kind: 'own',
      targets: [{ module: 'connect', versions }],
      load: (ctx) => {
        loads.push(`${name} ${ctx.module?.version}`)
        return { uninstall: () => loads.push(`${name} removed`) }
      },
    })
    const active = activateInstrumentations([entry('covered', '>=3 <4'), entry('newer', '>=4')], {
      explicitlyEnabled: new Set(),
    } as unknown as LoadContext)
    const file = require.resolve('connect')
    require('connect')
    require('connect')
    expect(packageVersion(file, 'connect')).toBe('3.7.0')
    expect(loads).toEqual(['covered 3.7.0'])
    expect(active.loaded).toEqual(['covered'])
    active.uninstall()
    expect(loads).toEqual(['covered 3.7.0', 'covered removed'])
  })
})
