/** The package version, reported as `telemetry.distro.version` and on instrumentation scopes. */
export const OTELKIT_VERSION = '0.1.0'
