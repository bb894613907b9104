/** Settings of the batch span processor (`OTEL_BSP_*`) and the batch log record processor (`OTEL_BLRP_*`). */
import { setting } from './define.js'
import { duration, integer } from './kinds.js'

const HOUR = 3_600_000
const size = integer(1, 1_000_000)

export const BATCHING_SETTINGS = {
  bspMaxQueueSize: setting(size, {
    variables: [
      {
        name: 'OTEL_BSP_MAX_QUEUE_SIZE',
        example: '8192',
        doc: 'spans waiting for export; more are dropped and counted',
      },
    ],
    default: 2048,
  }),
  bspMaxExportBatchSize: setting(size, {
    variables: [
      {
        name: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
        example: '1024',
        doc: 'spans per export request; larger than the queue size: the queue size, with a warning',
      },
    ],
    default: 512,
  }),
  bspScheduleDelayMs: setting(duration(0, HOUR), {
    variables: [
      {
        name: 'OTEL_BSP_SCHEDULE_DELAY',
        example: '1s',
        doc: 'longest wait before a partial batch is sent',
      },
    ],
    default: 5000,
  }),
  bspExportTimeoutMs: setting(duration(1, HOUR), {
    variables: [{ name: 'OTEL_BSP_EXPORT_TIMEOUT', example: '10s', doc: 'bound on one export' }],
    default: 30_000,
  }),
  blrpMaxQueueSize: setting(size, {
    variables: [
      {
        name: 'OTEL_BLRP_MAX_QUEUE_SIZE',
        example: '8192',
        doc: 'log records waiting for export; more are dropped and counted',
      },
    ],
    default: 2048,
  }),
  blrpMaxExportBatchSize: setting(size, {
    variables: [
      {
        name: 'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
        example: '1024',
        doc: 'log records per export request; larger than the queue size: the queue size',
      },
    ],
    default: 512,
  }),
  blrpScheduleDelayMs: setting(duration(0, HOUR), {
    variables: [
      {
        name: 'OTEL_BLRP_SCHEDULE_DELAY',
        example: '5s',
        doc: 'longest wait before a partial batch of log records is sent',
      },
    ],
    default: 1000,
  }),
  blrpExportTimeoutMs: setting(duration(1, HOUR), {
    variables: [{ name: 'OTEL_BLRP_EXPORT_TIMEOUT', example: '10s', doc: 'bound on one log export' }],
    default: 30_000,
  }),
}
