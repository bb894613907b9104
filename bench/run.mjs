// `pnpm bench`: runs every bench/*.bench.mjs in turn (one at a time: the machine is small and
// shared), prints each Markdown section and saves it to bench/results/<name>.md.
import { spawnSync } from 'node:child_process'
import { readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const only = process.argv[2]
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs') && (!only || f.includes(only)))
  .sort()
let failed = 0
for (const file of files) {
  process.stderr.write(`running ${file}...\n`)
  const r = spawnSync(process.execPath, [join(here, file)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  process.stdout.write(r.stdout)
  if (r.status !== 0) {
    failed++
    process.stderr.write(`${file} failed with exit code ${r.status}\n`)
  } else {
    writeFileSync(join(here, 'results', file.replace('.bench.mjs', '.md')), r.stdout)
  }
}
process.exit(failed > 0 ? 1 : 0)
