// Preload for profiling runs: SIGTERM exits normally, so --cpu-prof writes its profile.
process.on('SIGTERM', () => process.exit(0))
