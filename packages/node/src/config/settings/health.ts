/** Settings of health checks and of host and runtime resource metrics. */
import { setting } from './define.js'
import { duration, rawList, text } from './kinds.js'

const HOUR = 3_600_000

export const HEALTH_SETTINGS = {
  resourceIntervalMs: setting(duration(0, HOUR), {
    variables: [
      {
        name: 'OTELKIT_RESOURCE_INTERVAL',
        example: '15s',
        doc: 'host and runtime metric sampling interval (`0`: off)',
      },
    ],
    default: 30_000,
  }),
  healthIntervalMs: setting(duration(0, HOUR), {
    variables: [
      {
        name: 'OTELKIT_HEALTH_INTERVAL',
        example: '10s',
        doc: 'background health check interval (`0`: checks run only on demand)',
      },
    ],
    default: 30_000,
  }),
  healthChecks: setting(text(true), {
    variables: [
      {
        name: 'OTELKIT_HEALTH_CHECKS',
        example: 'db=postgres://postgres@db/app,cache=redis://redis:6379',
        doc: 'declarative health checks, see [health](docs/health-and-resources.md)',
      },
    ],
    default: '',
    secret: true,
  }),
  filesystemExcludeTypes: setting(rawList, {
    variables: [
      {
        name: 'OTELKIT_FILESYSTEM_EXCLUDE_TYPES',
        example: 'tmpfs,overlay',
        defaultDoc: 'the pseudo filesystems',
        doc: 'filesystem types left out of `system.filesystem.*`, see [resources](docs/health-and-resources.md)',
      },
    ],
  }),
  filesystemExcludeMountPoints: setting(rawList, {
    variables: [
      {
        name: 'OTELKIT_FILESYSTEM_EXCLUDE_MOUNTPOINTS',
        example: '/mnt/scratch,/data/tmp/*',
        defaultDoc: '`/proc/*,/sys/*,/dev/*,/run/*,...`',
        doc: 'mount points left out (`/path/*` matches below)',
      },
    ],
  }),
}
