// Start-up with many instrumentable libraries installed: a fixture folder whose node_modules holds
// the 20 most used ones (linked from packages/node's dev dependencies). Measures `node -e 0`
// bare, under otelkit's preload and under the stock preload, and the first require() of each
// library (timed inside the process) under each. Only what the service loads should cost.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { median, NODE, ROOT, summary } from './lib/harness.mjs'
import { metricsOnlyVariants } from './lib/preloads.mjs'

const LIBRARIES = [
  'express',
  'fastify',
  'koa',
  '@hapi/hapi',
  'pg',
  'mysql2',
  'mongodb',
  'mongoose',
  'ioredis',
  'redis',
  'pino',
  'winston',
  'bunyan',
  'graphql',
  'amqplib',
  'kafkajs',
  'knex',
  'undici',
  'memcached',
  'socket.io',
]
const START_ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 15)
const REQUIRE_ROUNDS = Number(process.env.REQUIRE_ROUNDS ?? 3)

/** A folder with the libraries in node_modules, as an application's would be. */
function fixtureFolder() {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-startup-'))
  const source = join(ROOT, 'packages', 'node', 'node_modules')
  for (const name of LIBRARIES) {
    const target = join(dir, 'node_modules', name)
    mkdirSync(dirname(target), { recursive: true })
    symlinkSync(realpathSync(join(source, name)), target, 'dir')
  }
  const dependencies = Object.fromEntries(LIBRARIES.map((n) => [n, '*']))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'twenty', private: true, dependencies }))
  return dir
}

const VARIANTS = metricsOnlyVariants()

function run(variant, args, cwd) {
  const v = VARIANTS[variant]
  const env = v.env()
  const t0 = performance.now()
  const r = spawnSync(NODE, [...v.flags, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' })
  const wall = performance.now() - t0
  if (r.status !== 0) throw new Error(`${variant} ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
  return { wall, stdout: r.stdout }
}

const dir = fixtureFolder()
const lines = []
const out = (s = '') => lines.push(s)
try {
  const order = Object.keys(VARIANTS)
  const starts = { bare: [], otelkit: [], stock: [] }
  for (let i = 0; i < START_ROUNDS; i++) {
    for (const v of order.slice(i % 3).concat(order.slice(0, i % 3)))
      starts[v].push(run(v, ['-e', '0'], dir).wall)
  }
  const requires = Object.fromEntries(LIBRARIES.map((n) => [n, { bare: [], otelkit: [], stock: [] }]))
  for (let i = 0; i < REQUIRE_ROUNDS; i++) {
    for (const name of LIBRARIES) {
      const script = `const t=performance.now();require(${JSON.stringify(name)});process.stdout.write(String(performance.now()-t))`
      for (const v of order) requires[name][v].push(Number(run(v, ['-e', script], dir).stdout))
    }
  }

  out('## Start-up with 20 libraries installed (`bench/startup.bench.mjs`)')
  out()
  out(
    `Command: \`pnpm bench startup\` (or \`node bench/startup.bench.mjs\` after \`pnpm build\`). A folder whose node_modules holds ${LIBRARIES.join(', ')}; flags of bench/lib/preloads.mjs (stock: auto-instrumentations-node register with its ESM loader). Median (min–max).`,
  )
  out()
  out(`\`node [preload] -e 0\` in that folder, ${START_ROUNDS} interleaved runs, wall time in ms:`)
  out()
  out('| variant | ms | over bare |')
  out('| --- | --- | --- |')
  for (const v of order) {
    const over = v === 'bare' ? '' : `+${(median(starts[v]) - median(starts.bare)).toFixed(0)}`
    out(`| ${v} | ${summary(starts[v])} | ${over} |`)
  }
  out()
  out(`First \`require()\` of each library, timed inside the process, ${REQUIRE_ROUNDS} runs each, ms:`)
  out()
  out('| library | bare | otelkit | stock |')
  out('| --- | --- | --- | --- |')
  for (const name of LIBRARIES) {
    const r = requires[name]
    out(`| ${name} | ${summary(r.bare, 1)} | ${summary(r.otelkit, 1)} | ${summary(r.stock, 1)} |`)
  }
  const delta = median(starts.otelkit) - median(starts.bare)
  out()
  out('Targets:')
  out()
  out(
    `- start-up with 20 libraries installed: bare + ${delta.toFixed(0)} ms (target ≤ + 40 ms) — ${delta <= 40 ? 'met' : 'MISSED'}`,
  )
  out(
    `- otelkit vs stock start-up: ${median(starts.otelkit).toFixed(0)} vs ${median(starts.stock).toFixed(0)} ms — ${median(starts.otelkit) < median(starts.stock) ? 'faster' : 'NOT faster'}`,
  )
  out()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
process.stdout.write(`${lines.join('\n')}\n`)
