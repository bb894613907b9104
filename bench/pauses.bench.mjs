// Event-loop pauses after start-up: the longest gap between the ticks of a 2 ms interval in the
// first 3 s of a service (bench/apps/pause-probe.cjs), bare, under otelkit's preload (and a
// compared build, BENCH_COMPARE_REGISTER) and under the stock preload, interleaved. Work a preload
// defers to a timer (host and runtime metrics load one second after start) must not stop the
// service's event loop for long once it is serving.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, NODE, ROOT, summary } from './lib/harness.mjs'
import { metricsOnlyVariants } from './lib/preloads.mjs'

const ROUNDS = Number(process.env.PAUSE_ROUNDS ?? 9)
const PROBE = join(ROOT, 'bench/apps/pause-probe.cjs')
const VARIANTS = metricsOnlyVariants({ compare: true })

const dir = mkdtempSync(join(tmpdir(), 'otelkit-pauses-'))
const names = Object.keys(VARIANTS)
const results = Object.fromEntries(names.map((n) => [n, []]))
try {
  for (let i = 0; i < ROUNDS; i++) {
    for (const name of names.slice(i % names.length).concat(names.slice(0, i % names.length))) {
      const v = VARIANTS[name]
      const r = spawnSync(NODE, [...v.flags, PROBE], {
        cwd: dir,
        env: { ...process.env, ...v.env() },
        encoding: 'utf8',
      })
      if (r.status !== 0) throw new Error(`${name}: exit ${r.status}: ${r.stderr}`)
      results[name].push(JSON.parse(r.stdout.trim().split('\n').at(-1)))
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}

const lines = [
  '## Event-loop pauses after start-up (`bench/pauses.bench.mjs`)',
  '',
  `Command: \`pnpm bench pauses\` (or \`node bench/pauses.bench.mjs\` after \`pnpm build\`; \`BENCH_COMPARE_REGISTER=<dist>/register.js\` adds a compared build). The longest gap between the ticks of a 2 ms interval during the first 3 s of a script (bench/apps/pause-probe.cjs), ${ROUNDS} interleaved runs per variant; Prometheus metrics on, so host and runtime metrics start. Median (min–max), ms.`,
  '',
  '| variant | longest pause | at (ms after the script started) |',
  '| --- | --- | --- |',
]
for (const name of names) {
  lines.push(
    `| ${name} | ${summary(
      results[name].map((r) => r.worstGapMs),
      1,
    )} | ${summary(results[name].map((r) => r.atMs))} |`,
  )
}
const bare = median(results.bare.map((r) => r.worstGapMs))
const otelkit = median(results.otelkit.map((r) => r.worstGapMs))
lines.push('', `otelkit's longest pause: ${otelkit.toFixed(1)} ms (bare ${bare.toFixed(1)} ms).`, '')
process.stdout.write(`${lines.join('\n')}\n`)
