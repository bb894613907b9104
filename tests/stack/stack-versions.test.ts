// One set of versions: `scripts/stack.sh versions` names, per program, exactly the image tag
// compose.yaml pins, and each built binary reports that same version about itself.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { stackBinary } from '../support/stack-bin.ts'
import { composeConfig } from './lib/compose.ts'

const STACK = fileURLToPath(new URL('../../scripts/stack.sh', import.meta.url))

/** The image each program stands for, by compose service name. */
const IMAGES: Record<string, string> = {
  'otel-collector': 'otel/opentelemetry-collector-contrib',
  'otel-gateway': 'otel/opentelemetry-collector-contrib',
  prometheus: 'prom/prometheus',
  alertmanager: 'prom/alertmanager',
  jaeger: 'jaegertracing/jaeger',
}

const versions = new Map(
  execFileSync('bash', [STACK, 'versions'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.split(' ') as [string, string]),
)
const plain = (v: string) => v.replace(/^v/, '')

/** A binary's own version output (stdout and stderr). */
function selfReported(bin: string, ...args: string[]): string {
  return execFileSync(stackBinary(bin), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

describe('scripts/stack.sh versions', () => {
  it('prints one `name version` line per program', () => {
    expect([...versions.keys()]).toEqual(Object.keys(IMAGES))
    for (const v of versions.values()) expect(v).toMatch(/^v?\d+\.\d+\.\d+$/)
  })

  it('equals the image tags compose.yaml pins', () => {
    const compose = composeConfig()
    for (const [name, image] of Object.entries(IMAGES)) {
      expect(compose.services[name]?.image, name).toBe(`${image}:${versions.get(name)}`)
    }
  })

  it("equals what the built binaries report (--version, Jaeger's `version`)", () => {
    const prom = plain(versions.get('prometheus')!)
    expect(selfReported('prometheus', '--version')).toMatch(new RegExp(`^prometheus, version ${prom} `))
    expect(selfReported('promtool', '--version')).toMatch(new RegExp(`^promtool, version ${prom} `))
    const am = plain(versions.get('alertmanager')!)
    expect(selfReported('alertmanager', '--version')).toMatch(new RegExp(`^alertmanager, version ${am} `))
    expect(selfReported('amtool', '--version')).toMatch(new RegExp(`^amtool, version ${am} `))
    const jaeger = JSON.parse(selfReported('jaeger', 'version')) as { gitVersion: string }
    expect(plain(jaeger.gitVersion)).toBe(plain(versions.get('jaeger')!))
    expect(selfReported('otelcol-otelkit', '--version').trim()).toBe(
      `otelcol-otelkit version ${plain(versions.get('otel-collector')!)}`,
    )
  })
})
