/**
 * The instrumentation framework the host and runtime sources extend, imported on its own first
 * so that its chunk (shared by both sources) loads in a turn of the event loop of its own.
 */
export { InstrumentationBase } from '@opentelemetry/instrumentation'
