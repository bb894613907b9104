// Writes the README's variable table from the settings' declaration (src/config/settings);
// `--check` only reports whether README.md holds it (exit 1 when it does not).
// The declaration is TypeScript: esbuild bundles the table module into a temporary file first.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const packageDir = new URL('..', import.meta.url).pathname
const readmePath = join(packageDir, 'README.md')
const dir = mkdtempSync(join(tmpdir(), 'otelkit-docs-config-'))
try {
  const outfile = join(dir, 'readme-table.mjs')
  await build({
    entryPoints: [join(packageDir, 'src/config/settings/readme-table.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
  })
  const { withConfigTable } = await import(pathToFileURL(outfile).href)
  const readme = readFileSync(readmePath, 'utf8')
  const next = withConfigTable(readme)
  if (process.argv.includes('--check')) {
    if (next !== readme) {
      console.error(
        'README.md: the variable table is not the generated one; run pnpm --filter @otelkit/node docs:config',
      )
      process.exitCode = 1
    }
  } else if (next !== readme) {
    writeFileSync(readmePath, next)
    console.log('README.md: variable table written')
  } else console.log('README.md: variable table up to date')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
