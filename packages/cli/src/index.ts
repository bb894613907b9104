/** Public API of @otelkit/cli: the scenario and result types for TypeScript scenario files and tooling. */
export { CLI_ERROR_CODES, CliError, type CliErrorCode, EXIT } from './errors.js'
export { type LoadResult, LoadResultSchema, RESULT_SCHEMA_ID } from './load/result.js'
export { defineScenario, type Scenario, type ScenarioInput, ScenarioSchema } from './load/scenario.js'
export { THRESHOLD_METRICS } from './load/thresholds.js'
export { parsePrometheusText, type Sample } from './ops/prometheus.js'
