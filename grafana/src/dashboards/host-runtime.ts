// Host and runtime: CPU, memory, filesystems, network of the host; CPU and memory of the
// process; Node.js event loop, GC and V8 heap.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard'
import { dashboard, RowBuilder, SEL, timeseries } from '../panels.ts'

export function hostRuntime(): Dashboard {
  return dashboard('otelkit-host-runtime', 'otelkit / Host and runtime')
    .description('Host (system.*), process (process.*) and Node.js runtime (nodejs.*, v8js.*) metrics.')
    .withRow(new RowBuilder('Host'))
    .withPanel(
      timeseries('CPU busy', 'percentunit', [
        {
          expr: `1 - avg by (instance) (system_cpu_utilization_ratio{${SEL}, cpu_mode="idle"})`,
          legend: '{{instance}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Memory by state', 'bytes', [
        {
          expr: `sum by (system_memory_state) (system_memory_usage_bytes{${SEL}})`,
          legend: '{{system_memory_state}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Filesystem used by mount', 'percentunit', [
        {
          expr: `max by (system_filesystem_mountpoint) (system_filesystem_utilization_ratio{${SEL}})`,
          legend: '{{system_filesystem_mountpoint}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Filesystem bytes by mount and state', 'bytes', [
        {
          expr: `max by (system_filesystem_mountpoint, system_filesystem_state) (system_filesystem_usage_bytes{${SEL}})`,
          legend: '{{system_filesystem_mountpoint}} {{system_filesystem_state}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Disk I/O', 'Bps', [
        {
          expr: `sum by (system_device, disk_io_direction) (rate(system_disk_io_bytes_total{${SEL}}[$__rate_interval]))`,
          legend: '{{system_device}} {{disk_io_direction}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Network I/O', 'Bps', [
        {
          expr: `sum by (network_io_direction) (rate(system_network_io_bytes_total{${SEL}}[$__rate_interval]))`,
          legend: '{{network_io_direction}}',
        },
      ]),
    )
    .withRow(new RowBuilder('Process'))
    .withPanel(
      timeseries('Process CPU', 'percentunit', [
        {
          expr: `sum by (instance) (rate(process_cpu_time_seconds_total{${SEL}}[$__rate_interval]))`,
          legend: '{{instance}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Process memory (RSS)', 'bytes', [
        { expr: `sum by (instance) (process_memory_usage_bytes{${SEL}})`, legend: '{{instance}}' },
      ]),
    )
    .withRow(new RowBuilder('Node.js runtime'))
    .withPanel(
      timeseries('Event-loop delay', 's', [
        {
          expr: `max by (instance) (nodejs_eventloop_delay_p50_seconds{${SEL}})`,
          legend: 'p50 {{instance}}',
        },
        {
          expr: `max by (instance) (nodejs_eventloop_delay_p99_seconds{${SEL}})`,
          legend: 'p99 {{instance}}',
        },
        {
          expr: `max by (instance) (nodejs_eventloop_delay_max_seconds{${SEL}})`,
          legend: 'max {{instance}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Event-loop utilisation', 'percentunit', [
        { expr: `avg by (instance) (nodejs_eventloop_utilization_ratio{${SEL}})`, legend: '{{instance}}' },
      ]),
    )
    .withPanel(
      timeseries('GC time per second by type', 'percentunit', [
        {
          expr: `sum by (v8js_gc_type) (rate(v8js_gc_duration_seconds_sum{${SEL}}[$__rate_interval]))`,
          legend: '{{v8js_gc_type}}',
        },
      ]),
    )
    .withPanel(
      timeseries('V8 heap used and size', 'bytes', [
        { expr: `sum by (instance) (v8js_memory_heap_used_bytes{${SEL}})`, legend: 'used {{instance}}' },
        {
          expr: `sum by (instance) (v8js_memory_heap_space_size_bytes{${SEL}})`,
          legend: 'size {{instance}}',
        },
      ]),
    )
    .withPanel(
      timeseries('V8 heap used by space', 'bytes', [
        {
          expr: `sum by (v8js_heap_space_name) (v8js_memory_heap_used_bytes{${SEL}})`,
          legend: '{{v8js_heap_space_name}}',
        },
      ]),
    )
    .withRow(new RowBuilder('Telemetry (SDK)'))
    .withPanel(
      timeseries(
        'Telemetry dropped by the SDK',
        'ops',
        [
          {
            expr: `sum by (service_name, signal, reason) (rate(otelkit_telemetry_dropped_total{${SEL}}[$__rate_interval])) or vector(0)`,
            legend: '{{service_name}} {{signal}} {{reason}}',
          },
        ],
        'Data points, spans or logs otelkit had to drop before export; 0 when none.',
      ),
    )
    .build()
}
