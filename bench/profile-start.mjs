// Start-up profile of one cold start (not part of `pnpm bench`): spawns an app with --cpu-prof,
// polls until its first 200, stops it and prints where the CPU time went, by package or file.
//   node bench/profile-start.mjs <cjs|esm|shop-api|e0> [bare|otelkit|stock] [pkg|file|fn]
import { spawn } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { NODE, ROOT } from './lib/harness.mjs'
import { OTELKIT_FLAGS, STOCK_FLAGS } from './lib/preloads.mjs'

const [appName = 'esm', variant = 'otelkit', mode = 'pkg', intervalUs = '200'] = process.argv.slice(2)
const dir = mkdtempSync(join(tmpdir(), 'otelkit-prof-'))
for (const name of ['express', 'pg', 'ioredis', 'mysql2', 'redis']) {
  const target = join(dir, 'node_modules', name)
  mkdirSync(dirname(target), { recursive: true })
  symlinkSync(realpathSync(join(ROOT, 'packages/node/node_modules', name)), target, 'dir')
}
for (const file of ['cold-cjs.cjs', 'cold-esm.mjs'])
  copyFileSync(join(ROOT, 'bench/apps', file), join(dir, file))
const shop = join(ROOT, 'examples/shop-api')
const apps = {
  cjs: { args: ['cold-cjs.cjs'], cwd: dir, path: '/items/1' },
  esm: { args: ['cold-esm.mjs'], cwd: dir, path: '/items/1' },
  'shop-api': { args: [join(shop, 'dist/server.js')], cwd: shop, path: '/products/1' },
  e0: { args: ['-e', '0'], cwd: dir },
}
const app = apps[appName]
const flags = { bare: [], otelkit: OTELKIT_FLAGS, stock: STOCK_FLAGS }[variant] ?? ['--import', variant]
const profDir = join(dir, 'prof')
const port = 20000 + Math.floor(Math.random() * 20000)
const env = {
  ...process.env,
  PORT: String(port),
  HOST: '127.0.0.1',
  OTEL_TRACES_EXPORTER: 'none',
  OTEL_METRICS_EXPORTER: 'prometheus',
  OTELKIT_OPS_PORT: '0',
  OTEL_LOG_LEVEL: 'error',
}
const t0 = performance.now()
const child = spawn(
  NODE,
  [
    '--cpu-prof',
    `--cpu-prof-dir=${profDir}`,
    `--cpu-prof-interval=${intervalUs}`,
    '--require',
    join(ROOT, 'bench/lib/exit-on-term.cjs'),
    ...flags,
    ...app.args,
  ],
  { cwd: app.cwd, env, stdio: 'inherit' },
)
let done = false
const exited = new Promise((r) => child.once('exit', r)).then(() => {
  done = true
})
if (app.path) {
  for (;;) {
    if (done) throw new Error('the app exited before answering')
    const status = await new Promise((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: app.path, agent: false }, (res) => {
          res.resume()
          resolve(res.statusCode)
        })
        .on('error', () => resolve(0))
    })
    if (status === 200) break
    await new Promise((r) => setTimeout(r, 2))
  }
  console.log(`first 200 after ${(performance.now() - t0).toFixed(0)} ms (with the profiler on)`)
  child.kill('SIGTERM')
}
await exited
const profile = JSON.parse(readFileSync(join(profDir, readdirSync(profDir)[0]), 'utf8'))
rmSync(dir, { recursive: true, force: true })

const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const keyOf = (n) => {
  const url = n.callFrame.url
  if (!url) return `(${n.callFrame.functionName || 'native'})`
  const file = url.replace(/^file:\/\//, '').replace(/.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '')
  const rel = file.replace(`${ROOT}/`, '')
  if (mode === 'fn')
    return `${rel}:${n.callFrame.lineNumber + 1} ${n.callFrame.functionName || '(anonymous)'}`
  if (mode === 'file' || url.startsWith('node:')) return rel
  const m = /^(@[^/]+\/[^/]+|[^/]+)/.exec(rel)
  return rel.startsWith('packages/') ? rel.split('/').slice(0, 3).join('/') : (m?.[1] ?? rel)
}
const self = new Map()
const total = new Map()
let sum = 0
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0
  sum += dt
  let id = profile.samples[i]
  const k = keyOf(byId.get(id))
  self.set(k, (self.get(k) ?? 0) + dt)
  const seen = new Set()
  while (id !== undefined) {
    const kk = keyOf(byId.get(id))
    if (!seen.has(kk)) {
      seen.add(kk)
      total.set(kk, (total.get(kk) ?? 0) + dt)
    }
    id = parent.get(id)
  }
}
console.log(`${(sum / 1000).toFixed(1)} ms of samples; self and inclusive ms by ${mode}:`)
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 40))) {
  console.log(
    `${(t / 1000).toFixed(1).padStart(7)} ${((total.get(k) ?? 0) / 1000).toFixed(1).padStart(7)}  ${k}`,
  )
}
