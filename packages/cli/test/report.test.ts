/**
 * The HTML report in real headless Chromium: it opens offline, draws latency-over-time,
 * throughput-over-time, the latency histogram and (with --ops) the target's CPU, memory and
 * event-loop delay from the ops server's /metrics. A screenshot goes to .reports/cli/.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LoadResultSchema } from '../src/load/result.js'
import {
  type CountingServer,
  ensureBuilt,
  REPORTS_DIR,
  runCli,
  startCountingServer,
  tempDir,
} from './helpers.js'

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

let target: CountingServer
let ops: CountingServer
let browser: Browser
let cpuSeconds = 0

beforeAll(async () => {
  ensureBuilt()
  target = await startCountingServer()
  // A stand-in ops server: the metric names otelkit's /metrics serves.
  ops = await startCountingServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end()
    cpuSeconds += 0.25
    res
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      .end(
        [
          '# HELP process_cpu_time_seconds_total CPU seconds',
          '# TYPE process_cpu_time_seconds_total counter',
          `process_cpu_time_seconds_total{process_cpu_state="user",service_name="t"} ${cpuSeconds}`,
          `process_cpu_time_seconds_total{process_cpu_state="system",service_name="t"} ${cpuSeconds / 5}`,
          '# TYPE process_memory_usage_bytes gauge',
          `process_memory_usage_bytes{service_name="t"} ${50_000_000 + ops.count * 1_000_000}`,
          '# TYPE nodejs_eventloop_delay_p99_seconds gauge',
          `nodejs_eventloop_delay_p99_seconds{service_name="t"} ${0.01 + ops.count / 1000}`,
          '',
        ].join('\n'),
      )
  })
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS })
})

afterAll(async () => {
  await browser?.close()
  await target.close()
  await ops.close()
})

describe('HTML report', () => {
  it('renders its charts with data in Chromium, including the target resources from --ops', async () => {
    const dir = tempDir()
    const html = join(dir, 'report.html')
    const json = join(dir, 'result.json')
    const run = await runCli([
      'load',
      `${target.url}/products`,
      '-r',
      '60',
      '-d',
      '4s',
      '-c',
      '4',
      '--ops',
      ops.url,
      '--ops-interval',
      '500ms',
      '--html',
      html,
      '-o',
      json,
      '-t',
      'p99<5s',
      '--name',
      'report-test',
    ])
    expect(run.code).toBe(0)
    const result = LoadResultSchema.parse(JSON.parse(readFileSync(json, 'utf8')))
    expect(result.ops?.metrics).toEqual({
      cpu: 'process_cpu_time_seconds_total',
      memory: 'process_memory_usage_bytes',
      eventLoop: 'nodejs_eventloop_delay_p99_seconds',
    })
    expect(result.ops?.samples.length).toBeGreaterThanOrEqual(4)
    expect(result.ops?.samples.some((s) => (s.cpuCores ?? 0) > 0)).toBe(true)
    expect(run.stdout).toMatch(/target resources .*cpu max \d+%/)

    const page = await browser.newPage({ viewport: { width: 1540, height: 1400 } })
    const requests: string[] = []
    page.on('request', (r) => requests.push(r.url()))
    await page.goto(pathToFileURL(html).href)
    expect(await page.title()).toContain('report-test')
    expect(await page.textContent('#verdict')).toBe('PASS')

    const series = await page.$$eval('svg.chart path.series', (paths) =>
      paths.map((p) => ({
        chart: p.closest('svg')!.id,
        name: p.getAttribute('data-series'),
        points: Number(p.getAttribute('data-points')),
        segments: (p.getAttribute('d') ?? '').split(/[ML]/).filter((s) => s.trim()).length,
        length: (p as SVGPathElement).getTotalLength(),
      })),
    )
    for (const chart of [
      'chart-latency',
      'chart-throughput',
      'chart-ops-cpu',
      'chart-ops-memory',
      'chart-ops-eventloop',
    ]) {
      const lines = series.filter((s) => s.chart === chart)
      expect(lines.length, chart).toBeGreaterThan(0)
      for (const line of lines) {
        expect(line.points, `${chart} ${line.name}`).toBeGreaterThanOrEqual(2)
        expect(line.segments).toBe(line.points)
        expect(line.length, `${chart} ${line.name} drawn`).toBeGreaterThan(10)
      }
    }
    expect(series.filter((s) => s.chart === 'chart-latency').map((s) => s.name)).toEqual([
      'p50',
      'p90',
      'p99',
    ])
    const bars = await page.$$eval('#chart-histogram rect.bar', (rects) =>
      rects.map((r) => ({
        count: Number(r.getAttribute('data-count')),
        height: r.getBoundingClientRect().height,
      })),
    )
    expect(bars.reduce((sum, b) => sum + b.count, 0)).toBe(result.requests.total)
    expect(bars.some((b) => b.count > 0 && b.height > 1)).toBe(true)
    expect(requests.every((url) => url.startsWith('file:'))).toBe(true)

    mkdirSync(REPORTS_DIR, { recursive: true })
    const shot = join(REPORTS_DIR, 'load-report.png')
    await page.screenshot({ path: shot, fullPage: true })
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG')
    await page.close()
  })
})
