/**
 * `node --import @otelkit/node/register app.js`: starts otelkit before the application loads,
 * with ES module hooks so ESM apps are instrumented too. Skipped off the main thread.
 */
import { startPreload } from './preload.js'

await startPreload(true)
