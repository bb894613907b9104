/**
 * Settings that are valid one by one but not as they stand together, or too long to use as they
 * are. Each is adjusted (never refused: the service always starts) with one warning naming the
 * setting, what was asked and what is used.
 */
import type { EnvOptions } from './env.js'
import type { ResolvedConfig } from './resolved.js'
import { MAX_SERVICE_NAME_LENGTH, settingLabel, variableOf } from './settings/index.js'

export { MAX_SERVICE_NAME_LENGTH }

/** Adjusts `config` in place; returns one warning per adjustment. */
export function reconcile(merged: EnvOptions, config: ResolvedConfig): string[] {
  const warnings: string[] = []
  const batch = merged.bspMaxExportBatchSize
  if (batch !== undefined && batch > config.bspMaxQueueSize) {
    warnings.push(
      `${settingLabel('bspMaxExportBatchSize')} ${batch} is larger than ${settingLabel('bspMaxQueueSize')} ${config.bspMaxQueueSize}: batches hold at most ${config.bspMaxQueueSize} spans; set the batch size no larger than the queue`,
    )
  }
  if (config.metricExportTimeoutMs > config.metricExportIntervalMs) {
    // The specification bounds a push by its interval. The default timeout (30 s) follows a
    // shorter interval silently; a timeout set longer than the interval is worth a warning.
    const asked = config.metricExportTimeoutMs
    config.metricExportTimeoutMs = config.metricExportIntervalMs
    if (merged.metricExportTimeoutMs !== undefined) {
      warnings.push(
        `${settingLabel('metricExportTimeoutMs')} ${asked} is longer than ${settingLabel('metricExportIntervalMs')} ${config.metricExportIntervalMs}: a metric push may take at most ${config.metricExportIntervalMs} ms; set the timeout no longer than the interval`,
      )
    }
  }
  if (config.serviceName.length > MAX_SERVICE_NAME_LENGTH) {
    const length = config.serviceName.length
    config.serviceName = config.serviceName.slice(0, MAX_SERVICE_NAME_LENGTH)
    warnings.push(
      `the service name (${variableOf('serviceName')} / serviceName) is ${length} characters long: cut to its first ${MAX_SERVICE_NAME_LENGTH} characters, ${JSON.stringify(`${config.serviceName.slice(0, 40)}...`)}`,
    )
  }
  return warnings
}
