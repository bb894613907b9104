// The shared thresholds (otel-collector/thresholds.yaml): the one map of alert thresholds, and
// the base URLs of alert links, that the Prometheus rules and these Grafana dashboards and alert
// rules read. One reader, the rule generator's, so both check the file the same way.
export {
  loadThresholds,
  THRESHOLDS_FILE,
  type Thresholds,
} from '../../otel-collector/prometheus/thresholds.ts'
