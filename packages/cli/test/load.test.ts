/**
 * `otelkit load` run as the built binary against a real local server: request counts match the
 * server's, thresholds gate the exit code, stages and rates hold within a tolerance, weights and
 * parameters are honoured, and the JSON result matches its schema.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LoadResultSchema } from '../src/load/result.js'
import { BIN, type CountingServer, ensureBuilt, runCli, startCountingServer, tempDir } from './helpers.js'

let server: CountingServer
let dir: string

beforeAll(async () => {
  ensureBuilt()
  server = await startCountingServer()
  dir = tempDir()
})

afterAll(async () => {
  await server.close()
})

function resetCount() {
  server.count = 0
  server.requests.length = 0
}

describe('otelkit load', () => {
  it('sends exactly --amount requests, counted the same by the server, with a valid JSON result', async () => {
    resetCount()
    const run = await runCli(['load', `${server.url}/items?x=1`, '-n', '300', '-c', '4', '--json'])
    expect(run.code).toBe(0)
    const result = LoadResultSchema.parse(JSON.parse(run.stdout))
    expect(server.count).toBe(300)
    expect(result.requests.total).toBe(300)
    expect(result.requests.ok).toBe(300)
    expect(result.statusCodes).toEqual({ 200: 300 })
    expect(result.latencyMs.p50).toBeGreaterThan(0)
    expect(result.latencyMs.max).toBeGreaterThanOrEqual(result.latencyMs.p99)
    expect(result.bytes.total).toBeGreaterThan(0)
    expect(result.timeline.reduce((sum, p) => sum + p.requests, 0)).toBe(300)
    expect(result.histogram.reduce((sum, b) => sum + b.count, 0)).toBe(300)
    expect(server.requests.every((r) => r.method === 'GET' && r.url === '/items?x=1')).toBe(true)
  })

  it('exits 0 when every threshold passes and prints the summary', async () => {
    const run = await runCli([
      'load',
      server.url,
      '-n',
      '100',
      '-t',
      'p99<5s',
      '-t',
      'errors<1%',
      '-t',
      'rps>1',
    ])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/ok {3}p99<5s/)
    expect(run.stdout).toMatch(/p50\s+p90\s+p95\s+p99\s+p99\.9\s+max/)
    expect(run.stdout).toContain('result: pass')
  })

  it('exits 1 when a threshold fails (errors against a failing route, an unreachable rate)', async () => {
    const run = await runCli(['load', `${server.url}/fail`, '-n', '50', '-t', 'errors<1%', '-t', 'p99<10s'])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('FAIL errors<1%')
    expect(run.stdout).toContain('result: FAIL')
    const rps = await runCli(['load', server.url, '-n', '20', '-t', 'rps>100000000', '--json'])
    expect(rps.code).toBe(1)
    const result = LoadResultSchema.parse(JSON.parse(rps.stdout))
    expect(result.pass).toBe(false)
    expect(result.thresholds).toEqual([expect.objectContaining({ metric: 'rps', pass: false })])
  })

  it('reports a bad threshold or flag as one line and exit code 2', async () => {
    const bad = await runCli(['load', server.url, '-n', '5', '-t', 'p99<fast'])
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toContain('OTELKIT_CLI_USAGE')
    const unknown = await runCli(['load', server.url, '--bogus'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^otelkit: load: Unknown option '--bogus'/)
    const missing = await runCli(['load', join(dir, 'missing.json')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('OTELKIT_CLI_SCENARIO_INVALID')
  })

  it('holds an open-model rate: --rate 40 for 2s sends about 80 requests', async () => {
    resetCount()
    const run = await runCli(['load', server.url, '-r', '40', '-d', '2s', '-c', '4', '--json'])
    expect(run.code).toBe(0)
    const result = LoadResultSchema.parse(JSON.parse(run.stdout))
    expect(server.count).toBeGreaterThanOrEqual(72)
    expect(server.count).toBeLessThanOrEqual(88)
    expect(result.requests.total).toBe(server.count)
  })

  it('follows stages (ramp-up, steady, ramp-down) and draws weighted requests with parameters', async () => {
    resetCount()
    const file = join(dir, 'stages.json')
    writeFileSync(
      file,
      JSON.stringify({
        name: 'staged',
        connections: 4,
        requests: [
          { name: 'read', weight: 3, path: '/products/{id}', params: { id: { range: [1, 5] } } },
          {
            name: 'write',
            weight: 1,
            method: 'POST',
            path: '/orders',
            body: { items: [{ productId: '{id}', quantity: '{qty}' }] },
            params: { id: [7, 8], qty: { list: [1, 2] } },
          },
        ],
        stages: [
          { name: 'ramp-up', duration: '2s', target: 40 },
          { name: 'steady', duration: '2s', target: 40 },
          { name: 'ramp-down', duration: '1s', target: 0 },
        ],
      }),
    )
    const run = await runCli(['load', file, server.url, '--json'])
    expect(run.code).toBe(0)
    const result = LoadResultSchema.parse(JSON.parse(run.stdout))
    // ramp-up 10 + 30, steady 80, ramp-down 20: 140 planned
    expect(server.count).toBeGreaterThanOrEqual(126)
    expect(server.count).toBeLessThanOrEqual(154)
    expect(result.requests.total).toBe(server.count)
    expect(result.options.stages?.map((s) => s.stage)).toEqual(['ramp-up', 'ramp-up', 'steady', 'ramp-down'])
    const reads = server.requests.filter((r) => r.method === 'GET')
    const writes = server.requests.filter((r) => r.method === 'POST')
    expect(reads.length / server.count).toBeGreaterThan(0.6)
    expect(reads.length / server.count).toBeLessThan(0.9)
    // Per-request figures: responses attributed to the scenario request that sent them.
    expect(result.byRequest.map((b) => [b.name, b.requests])).toEqual([
      ['read', reads.length],
      ['write', writes.length],
    ])
    for (const r of reads) expect(r.url).toMatch(/^\/products\/[1-5]$/)
    for (const w of writes) {
      const body = JSON.parse(w.body) as { items: Array<{ productId: number; quantity: number }> }
      expect([7, 8]).toContain(body.items[0]!.productId)
      expect([1, 2]).toContain(body.items[0]!.quantity)
    }
  })

  it('loads a TypeScript scenario with its thresholds', async () => {
    resetCount()
    const file = join(dir, 'scenario.ts')
    writeFileSync(
      file,
      `interface Req { path: string; weight?: number }\nconst requests: Req[] = [{ path: '/search?q={q}' }]\nexport default { requests, params: { q: ['a b', 'c'] }, amount: 40, connections: 2, thresholds: ['errors<1%'] }\n`,
    )
    const run = await runCli(['load', file, server.url, '--json'])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const result = LoadResultSchema.parse(JSON.parse(run.stdout))
    expect(result.thresholds).toEqual([expect.objectContaining({ expression: 'errors<1%', pass: true })])
    expect(server.count).toBe(40)
    for (const r of server.requests) expect(['/search?q=a%20b', '/search?q=c']).toContain(r.url)
  })

  it('compares with a baseline and fails on a regression beyond --max-regression', async () => {
    const out = join(dir, 'baseline.json')
    const first = await runCli(['load', server.url, '-n', '200', '-c', '2', '-o', out])
    expect(first.code).toBe(0)
    const baseline = LoadResultSchema.parse(JSON.parse(readFileSync(out, 'utf8')))
    // A baseline far faster than anything real: the current run must regress against it.
    const fast = {
      ...baseline,
      requests: { ...baseline.requests, perSecond: 1e9 },
      latencyMs: { ...baseline.latencyMs, p50: 0.0001, p90: 0.0001, p99: 0.0001 },
    }
    const fastFile = join(dir, 'fast.json')
    writeFileSync(fastFile, JSON.stringify(fast))
    const regressed = await runCli([
      'load',
      server.url,
      '-n',
      '200',
      '-c',
      '2',
      '--compare',
      fastFile,
      '--max-regression',
      '10%',
    ])
    expect(regressed.code).toBe(1)
    expect(regressed.stdout).toMatch(/rps .*REGRESSION/)
    expect(regressed.stdout).toMatch(/p50 .*REGRESSION/)
    // A baseline far slower: no regression.
    const slow = {
      ...baseline,
      requests: { ...baseline.requests, perSecond: 0.001 },
      latencyMs: { ...baseline.latencyMs, p50: 1e6, p90: 1e6, p99: 1e6 },
    }
    const slowFile = join(dir, 'slow.json')
    writeFileSync(slowFile, JSON.stringify(slow))
    const improved = await runCli([
      'load',
      server.url,
      '-n',
      '200',
      '-c',
      '2',
      '--compare',
      slowFile,
      '--max-regression',
      '10%',
      '--json',
    ])
    expect(improved.code).toBe(0)
    const result = LoadResultSchema.parse(JSON.parse(improved.stdout))
    expect(result.comparison?.figures.map((f) => f.figure)).toEqual([
      'rps',
      'p50',
      'p90',
      'p99',
      'p99.9',
      'max',
      'errorRate',
    ])
    expect(result.comparison?.pass).toBe(true)
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{"schema":"something else"}')
    const invalid = await runCli(['load', server.url, '-n', '5', '--compare', broken])
    expect(invalid.code).toBe(2)
    expect(invalid.stderr).toContain('OTELKIT_CLI_BASELINE_INVALID')
  })

  it('prints --help for every command', async () => {
    for (const command of ['load', 'profile', 'doctor']) {
      const run = await runCli([command, '--help'])
      expect(run.code).toBe(0)
      expect(run.stdout).toContain(`Usage: otelkit ${command}`)
    }
    const schema = await runCli(['load', '--print-schema'])
    expect(schema.code).toBe(0)
    const jsonSchema = JSON.parse(schema.stdout) as {
      properties: Record<string, unknown>
      required: string[]
    }
    expect(jsonSchema.required).toEqual(
      expect.arrayContaining(['schema', 'requests', 'latencyMs', 'timeline', 'histogram', 'pass']),
    )
    const top = await runCli(['--help'])
    expect(top.stdout).toContain('Commands:')
    const unknown = await runCli(['fly'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('unknown command')
  })
})

describe('progress line', () => {
  it('is drawn on a terminal and absent when output is not a TTY', async () => {
    const { execFile } = await import('node:child_process')
    const { promisify } = await import('node:util')
    const env: Record<string, string | undefined> = { ...process.env }
    delete env.CI
    // util-linux `script` gives the CLI a pseudo-terminal.
    const command = `'${process.execPath}' '${BIN}' load ${server.url} -r 40 -d 2s`
    const tty = await promisify(execFile)('script', ['-qfec', command, '/dev/null'], { env })
    expect(tty.stdout).toContain('\r\x1b[2K1s ')
    expect(tty.stdout).toMatch(/1s +\d+ req\/s {2}p99 [\d.]+m?s {2}errors 0\.00% {2}total \d+/)
    expect(tty.stdout).toContain('result: pass')
    const piped = await runCli(['load', server.url, '-r', '40', '-d', '2s'], { CI: '' })
    expect(piped.stderr).toBe('')
    expect(piped.stdout).not.toContain('\x1b[2K')
  })
})
