/**
 * The ready scenarios in examples/shop-api/load parse (JSON and TypeScript), and their plans
 * follow their stages; the scenario schema rejects what it should, naming the field.
 */
import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CliError } from '../src/errors.js'
import { buildPlan } from '../src/load/plan.js'
import { createRequestPicker } from '../src/load/requests.js'
import { loadScenarioFile } from '../src/load/scenario.js'
import { REPO_DIR, tempDir } from './helpers.js'

const LOAD_DIR = join(REPO_DIR, 'examples', 'shop-api', 'load')

describe('shop-api scenarios', () => {
  const files = readdirSync(LOAD_DIR).filter((f) => /\.(json|ts)$/.test(f))

  it('ships browse, checkout, mixed and spike', () => {
    expect(files.map((f) => f.replace(/\.\w+$/, '')).sort()).toEqual(['browse', 'checkout', 'mixed', 'spike'])
  })

  it.each(files)('%s parses, plans and draws valid shop-api requests', async (file) => {
    const scenario = await loadScenarioFile(join(LOAD_DIR, file))
    expect(scenario.target).toBe('http://127.0.0.1:8080')
    expect(scenario.thresholds?.length).toBeGreaterThan(0)
    const plan = buildPlan(scenario)
    expect(plan.expectedRequests).toBeGreaterThan(0)
    const picker = createRequestPicker(scenario)
    for (let i = 0; i < 200; i++) {
      const r = picker.next()
      expect(r.path).not.toMatch(/[{}]/)
      expect(r.path).toMatch(/^\/(products|catalog\/products|orders|reports\/slow|fail|upstream)/)
      const id = /^\/(?:catalog\/)?products\/(\d+)$/.exec(r.path)?.[1]
      if (id) expect(Number(id)).toBeGreaterThanOrEqual(1)
      if (id) expect(Number(id)).toBeLessThanOrEqual(5000)
      if (r.method === 'POST') {
        const body = JSON.parse(r.body!) as {
          email: string
          items: Array<{ productId: number; quantity: number }>
        }
        expect(body.email).toMatch(/^[^@\s{}]+@example\.test$/)
        expect(typeof body.items[0]!.productId).toBe('number')
        expect(typeof body.items[0]!.quantity).toBe('number')
      }
    }
  })

  it('the spike scenario ramps from 50 to 1000 req/s and back', async () => {
    const plan = buildPlan(await loadScenarioFile(join(LOAD_DIR, 'spike.json')))
    const rates = plan.steps.map((s) => s.rate ?? 0)
    expect(rates[0]).toBe(50)
    expect(Math.max(...rates)).toBe(1000)
    expect(rates.at(-1)).toBe(50)
  })

  it('rejects an invalid scenario with the field named', async () => {
    const file = join(tempDir(), 'bad.json')
    writeFileSync(file, JSON.stringify({ requests: [{ path: 'no-slash' }] }))
    const error = await loadScenarioFile(file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CliError)
    expect((error as CliError).code).toBe('OTELKIT_CLI_SCENARIO_INVALID')
    expect((error as CliError).message).toContain('requests.0.path')
  })
})
