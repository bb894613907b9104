/**
 * A MeterProvider view handed to the host and runtime instrumentations: every observable
 * callback they add is sampled at most once per interval (see sampling.ts), and instruments
 * created without a unit get the one the semantic conventions define, so the Prometheus names
 * carry their suffix (`system_memory_usage_bytes`, `system_cpu_utilization_ratio`).
 */
import type {
  BatchObservableCallback,
  Meter,
  MeterOptions,
  MeterProvider,
  MetricOptions,
  Observable,
  ObservableCallback,
} from '@opentelemetry/api'
import { sampled, sampledBatch } from './sampling.js'

/** Semantic-convention units of metrics some instrumentations create without one. */
export const SEMCONV_UNITS: Record<string, string> = {
  'system.cpu.time': 's',
  'system.cpu.utilization': '1',
  'system.memory.usage': 'By',
  'system.memory.utilization': '1',
  'system.network.io': 'By',
  'system.network.errors': '{error}',
  'system.network.packet.dropped': '{packet}',
  'process.cpu.time': 's',
  'process.cpu.utilization': '1',
  'process.memory.usage': 'By',
}

type Creator = (name: string, options?: MetricOptions) => Observable

export function sampledMeterProvider(provider: MeterProvider, intervalMs: number): MeterProvider {
  return {
    getMeter(name: string, version?: string, options?: MeterOptions): Meter {
      return sampledMeter(provider.getMeter(name, version, options), intervalMs)
    },
  }
}

export function sampledMeter(meter: Meter, intervalMs: number): Meter {
  const wrappedBatch = new WeakMap<BatchObservableCallback, BatchObservableCallback>()
  const withUnit = (name: string, options?: MetricOptions): MetricOptions | undefined => {
    const unit = SEMCONV_UNITS[name]
    return unit !== undefined && !options?.unit ? { ...options, unit } : options
  }
  const observable = (create: Creator) => (name: string, options?: MetricOptions) => {
    const instrument = create(name, withUnit(name, options))
    const wrapped = new WeakMap<ObservableCallback, ObservableCallback>()
    const addCallback = instrument.addCallback.bind(instrument)
    const removeCallback = instrument.removeCallback.bind(instrument)
    instrument.addCallback = (callback: ObservableCallback) => {
      const sampler = sampled(callback, intervalMs)
      wrapped.set(callback, sampler)
      addCallback(sampler)
    }
    instrument.removeCallback = (callback: ObservableCallback) => {
      removeCallback(wrapped.get(callback) ?? callback)
    }
    return instrument
  }
  return {
    createGauge: (name, options) => meter.createGauge(name, withUnit(name, options)),
    createHistogram: (name, options) => meter.createHistogram(name, withUnit(name, options)),
    createCounter: (name, options) => meter.createCounter(name, withUnit(name, options)),
    createUpDownCounter: (name, options) => meter.createUpDownCounter(name, withUnit(name, options)),
    createObservableGauge: observable(
      meter.createObservableGauge.bind(meter),
    ) as Meter['createObservableGauge'],
    createObservableCounter: observable(
      meter.createObservableCounter.bind(meter),
    ) as Meter['createObservableCounter'],
    createObservableUpDownCounter: observable(
      meter.createObservableUpDownCounter.bind(meter),
    ) as Meter['createObservableUpDownCounter'],
    addBatchObservableCallback(callback, observables) {
      const sampler = sampledBatch(callback as BatchObservableCallback, intervalMs)
      wrappedBatch.set(callback as BatchObservableCallback, sampler)
      meter.addBatchObservableCallback(sampler, observables)
    },
    removeBatchObservableCallback(callback, observables) {
      const sampler =
        wrappedBatch.get(callback as BatchObservableCallback) ?? (callback as BatchObservableCallback)
      meter.removeBatchObservableCallback(sampler, observables)
    },
  }
}
