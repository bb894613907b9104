// Writes the generated Grafana files (grafana/dashboards/*.json, the alerting provisioning)
// from the TypeScript definitions and otel-collector/thresholds.yaml.
// Run from the repo root: pnpm exec node grafana/src/generate.ts
import { writeFileSync } from 'node:fs'
import { render } from './index.ts'

const root = new URL('../../', import.meta.url)
for (const [path, content] of render()) {
  writeFileSync(new URL(path, root), content)
  console.log(`wrote ${path}`)
}
