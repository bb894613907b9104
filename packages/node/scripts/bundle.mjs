// Bundles the runtime entries (public API, --import and --require preloads) into a few files
// with shared chunks, so start-up compiles a handful of modules instead of hundreds. The small
// OpenTelemetry core packages are bundled; everything loaded on demand (instrumentations,
// exporters, drivers, profilers) stays external and is required only when used.
import { rm } from 'node:fs/promises'
import { build } from 'esbuild'

/** The output folder: the first argument (scripts/build.sh passes its fresh folder). */
const out = process.argv[2] ?? 'dist'

const BUNDLED = [
  '@opentelemetry/api',
  '@opentelemetry/core',
  '@opentelemetry/resources',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/semantic-conventions',
]

const externalizeOthers = {
  name: 'externalize-others',
  setup(b) {
    b.onResolve({ filter: /^[^./#]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true }
      const pkg = args.path.startsWith('@')
        ? args.path.split('/').slice(0, 2).join('/')
        : args.path.split('/')[0]
      return BUNDLED.includes(pkg) ? undefined : { external: true }
    })
  },
}

await rm(`${out}/chunks`, { recursive: true, force: true })
await build({
  entryPoints: { index: 'src/index.ts', register: 'src/register.ts', preload: 'src/preload.ts' },
  outdir: out,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: true,
  plugins: [externalizeOthers],
  logLevel: 'warning',
})
await build({
  entryPoints: { 'register-cjs': 'src/register-cjs.cts' },
  outdir: out,
  outExtension: { '.js': '.cjs' },
  bundle: false,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  logLevel: 'warning',
})
