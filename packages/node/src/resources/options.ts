/**
 * Options of the resources feature beyond `resourceIntervalMs`, with their defaults. They are
 * read from the resolved config when present there, else these defaults apply.
 */

/** Filesystem types that are never reported: kernel pseudo filesystems and in-memory mounts. */
export const DEFAULT_FILESYSTEM_EXCLUDE_TYPES: readonly string[] = [
  'autofs',
  'binfmt_misc',
  'bpf',
  'cgroup',
  'cgroup2',
  'configfs',
  'debugfs',
  'devpts',
  'devtmpfs',
  'fusectl',
  'hugetlbfs',
  'mqueue',
  'nsfs',
  'proc',
  'procfs',
  'pstore',
  'ramfs',
  'rpc_pipefs',
  'securityfs',
  'squashfs',
  'sysfs',
  'tmpfs',
  'tracefs',
]

/** Mount points that are never reported (`*` at the end matches any rest of the path). */
export const DEFAULT_FILESYSTEM_EXCLUDE_MOUNTPOINTS: readonly string[] = [
  '/proc/*',
  '/sys/*',
  '/dev/*',
  '/run/*',
  '/snap/*',
  '/var/lib/docker/*',
  '/var/lib/containerd/*',
  '/var/lib/kubelet/*',
]

export interface ResourcesOptions {
  /** Filesystem types left out of `system.filesystem.*`. Env: `OTELKIT_FILESYSTEM_EXCLUDE_TYPES`. */
  filesystemExcludeTypes: readonly string[]
  /** Mount points left out of `system.filesystem.*` (`/path/*` matches below). Env: `OTELKIT_FILESYSTEM_EXCLUDE_MOUNTPOINTS`. */
  filesystemExcludeMountPoints: readonly string[]
}

export function resourcesOptions(config: Partial<ResourcesOptions>): ResourcesOptions {
  return {
    filesystemExcludeTypes: config.filesystemExcludeTypes ?? DEFAULT_FILESYSTEM_EXCLUDE_TYPES,
    filesystemExcludeMountPoints:
      config.filesystemExcludeMountPoints ?? DEFAULT_FILESYSTEM_EXCLUDE_MOUNTPOINTS,
  }
}
