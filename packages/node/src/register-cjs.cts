/**
 * `node --require @otelkit/node/register app.js`: starts otelkit synchronously before a
 * CommonJS application loads. Skipped off the main thread.
 */
const { startPreload } = require('./preload.js') as typeof import('./preload.js')

void startPreload(false)
