// Bundles the runtime entries (public API, --import and --require preloads) into a few files
// with shared chunks, so start-up compiles a handful of modules instead of hundreds. The small
// OpenTelemetry core packages are bundled; everything loaded on demand (instrumentations,
// exporters, drivers, profilers) stays external and is required only when used.
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { createRequire, isBuiltin } from 'node:module'
import { build } from 'esbuild'

/** The version of a package that the bundle contains (resolved as the sources import it). */
function bundledVersion(name) {
  const entry = createRequire(import.meta.url).resolve(name)
  const root = entry.slice(0, entry.lastIndexOf(`/${name}/`) + name.length + 1)
  return JSON.parse(readFileSync(`${root}/package.json`, 'utf8')).version
}

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
  // Host and runtime metrics (resources/host-source.ts, runtime-source.ts, imported one second
  // after start, one step per turn of the event loop): bundled with everything they import except
  // the module hooks (below), so each step compiles one chunk instead of resolving and loading
  // about 80 files (CommonJS @opentelemetry/core and semantic conventions, the instrumentation
  // framework, debug, systeminformation) in one block of about 100 ms.
  '@opentelemetry/instrumentation-host-metrics',
  '@opentelemetry/instrumentation-runtime-node',
  '@opentelemetry/instrumentation',
]

/**
 * Imported by a bundled package but kept external: the module hooks, which the preload uses too,
 * and which read Node's own `require` (require-in-the-middle's `require.cache` would be undefined
 * in the ES module bundle, breaking every require its hook sees).
 */
const EXTERNAL_FROM_BUNDLED = ['import-in-the-middle', 'require-in-the-middle']

/**
 * Node built-ins are taken with `process.getBuiltinModule` instead of an ES import: the ES module
 * namespace of a built-in reads every export, and `node:http`'s lazy getters (WebSocket and the
 * other web globals) then load Node's bundled undici, http2, tls and zlib (about 40 ms) that the
 * preload does not use. Each built-in becomes an ES module whose named exports are the built-in's
 * plain data properties, read once, and the lazy getters listed in READ_GETTERS (any other getter
 * imported by name fails the build, so that none loads more of Node by surprise). An ES module
 * rather than CommonJS, because esbuild's CommonJS interop copies every property of the module
 * into a new object at each importing file (about 10 ms at start).
 */
const READ_GETTERS = {
  // Loads nothing more; the context manager's storage.
  async_hooks: ['AsyncLocalStorage'],
  // node:fs/promises, which the bundle imports at start anyway.
  fs: ['promises'],
}

const builtinsByGetter = {
  name: 'builtins-by-getter',
  setup(b) {
    b.onResolve({ filter: /^[a-z_/0-9:]+$/ }, (args) => {
      const name = args.path.startsWith('node:') ? args.path.slice(5) : args.path
      if (!isBuiltin(`node:${name}`)) return undefined
      return { path: name, namespace: 'builtin' }
    })
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const id = `node:${args.path}`
      const builtin = process.getBuiltinModule(id)
      const names = Object.entries(Object.getOwnPropertyDescriptors(builtin))
        .filter(([key, descriptor]) => {
          if (key === 'default' || !/^[A-Za-z_$][\w$]*$/.test(key)) return false
          return 'value' in descriptor || READ_GETTERS[args.path]?.includes(key)
        })
        .map(([key]) => key)
      return {
        contents: [
          `const builtin = process.getBuiltinModule(${JSON.stringify(id)})`,
          'export default builtin',
          names.length > 0 ? `export const { ${names.join(', ')} } = builtin` : '',
        ].join('\n'),
        loader: 'js',
      }
    })
  },
}

const externalizeOthers = {
  name: 'externalize-others',
  setup(b) {
    b.onResolve({ filter: /^[^./#]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true }
      const pkg = args.path.startsWith('@')
        ? args.path.split('/').slice(0, 2).join('/')
        : args.path.split('/')[0]
      if (BUNDLED.includes(pkg)) return undefined
      // What a bundled package imports is bundled too (a CommonJS require left external would
      // fail in the ES module output, and these dependencies are not the SDK's own).
      const fromBundled = args.importer.includes('/node_modules/')
      return fromBundled && !EXTERNAL_FROM_BUNDLED.includes(pkg) ? undefined : { external: true }
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
  plugins: [builtinsByGetter, externalizeOthers],
  // src/sdk/shared-packages.ts serves these very versions to upstream packages that require them.
  define: {
    __OTELKIT_BUNDLED_API_VERSION__: JSON.stringify(bundledVersion('@opentelemetry/api')),
    __OTELKIT_BUNDLED_CORE_VERSION__: JSON.stringify(bundledVersion('@opentelemetry/core')),
  },
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
