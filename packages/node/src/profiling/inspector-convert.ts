/**
 * Converts V8's own profile formats (as `node:inspector` returns them) to pprof: a CPU profile
 * (`Profiler.stop`) to `sample/count` + `wall/nanoseconds`, a sampling heap profile
 * (`HeapProfiler.getSamplingProfile`) to `inuse_objects/count` + `inuse_space/bytes`.
 */
import {
  Line,
  Location,
  Function as PprofFunction,
  Profile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format'

export interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}

export interface CpuProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
}

export interface CpuProfile {
  nodes: CpuProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

export interface HeapProfileNode {
  id: number
  callFrame: CallFrame
  selfSize: number
  children: HeapProfileNode[]
}

export interface HeapProfile {
  head: HeapProfileNode
  samples: Array<{ size: number; nodeId: number }>
}

/** Interns functions and locations (one location per profile node). */
class Builder {
  readonly strings = new StringTable()
  readonly functions: PprofFunction[] = []
  readonly locations: Location[] = []
  private readonly functionIds = new Map<string, number>()

  location(nodeId: number, frame: CallFrame): number {
    const name = frame.functionName || '(anonymous)'
    const key = `${name}\0${frame.url}\0${frame.lineNumber}`
    let functionId = this.functionIds.get(key)
    if (functionId === undefined) {
      functionId = this.functions.length + 1
      this.functionIds.set(key, functionId)
      this.functions.push(
        new PprofFunction({
          id: functionId,
          name: this.strings.dedup(name),
          systemName: this.strings.dedup(name),
          filename: this.strings.dedup(frame.url),
          startLine: frame.lineNumber + 1,
        }),
      )
    }
    this.locations.push(
      new Location({ id: nodeId, line: [new Line({ functionId, line: frame.lineNumber + 1 })] }),
    )
    return nodeId
  }

  type(type: string, unit: string): ValueType {
    return new ValueType({ type: this.strings.dedup(type), unit: this.strings.dedup(unit) })
  }
}

const HIDDEN = new Set(['(root)'])

export function cpuProfileToPprof(cpu: CpuProfile, intervalMicros: number): Profile {
  const b = new Builder()
  const parent = new Map<number, number>()
  const byId = new Map<number, CpuProfileNode>()
  for (const node of cpu.nodes) {
    byId.set(node.id, node)
    for (const child of node.children ?? []) parent.set(child, node.id)
  }
  for (const node of cpu.nodes)
    if (!HIDDEN.has(node.callFrame.functionName)) b.location(node.id, node.callFrame)
  const counts = new Map<number, { count: number; nanos: number }>()
  const samples = cpu.samples ?? []
  const deltas = cpu.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i]!
    const entry = counts.get(id) ?? { count: 0, nanos: 0 }
    entry.count++
    // The time until the next sample is the time this stack ran.
    entry.nanos += Math.max(0, deltas[i + 1] ?? intervalMicros) * 1000
    counts.set(id, entry)
  }
  const sample: Sample[] = []
  for (const [id, { count, nanos }] of counts) {
    const stack: number[] = []
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      if (!HIDDEN.has(byId.get(at)?.callFrame.functionName ?? '')) stack.push(at)
    }
    if (stack.length > 0) sample.push(new Sample({ locationId: stack, value: [count, Math.round(nanos)] }))
  }
  return new Profile({
    sampleType: [b.type('sample', 'count'), b.type('wall', 'nanoseconds')],
    sample,
    location: b.locations,
    function: b.functions,
    stringTable: b.strings,
    timeNanos: BigInt(Math.round(cpu.startTime)) * 1000n,
    durationNanos: Math.round((cpu.endTime - cpu.startTime) * 1000),
    periodType: b.type('wall', 'nanoseconds'),
    period: intervalMicros * 1000,
  })
}

export function heapProfileToPprof(heap: HeapProfile, intervalBytes: number): Profile {
  const b = new Builder()
  const objects = new Map<number, number>()
  for (const s of heap.samples) objects.set(s.nodeId, (objects.get(s.nodeId) ?? 0) + 1)
  const sample: Sample[] = []
  const walk = (node: HeapProfileNode, stack: number[]) => {
    const here = HIDDEN.has(node.callFrame.functionName)
      ? stack
      : [b.location(node.id, node.callFrame), ...stack]
    if (node.selfSize > 0 && here.length > 0) {
      sample.push(new Sample({ locationId: here, value: [objects.get(node.id) ?? 1, node.selfSize] }))
    }
    for (const child of node.children) walk(child, here)
  }
  walk(heap.head, [])
  return new Profile({
    sampleType: [b.type('inuse_objects', 'count'), b.type('inuse_space', 'bytes')],
    sample,
    location: b.locations,
    function: b.functions,
    stringTable: b.strings,
    timeNanos: BigInt(Date.now()) * 1_000_000n,
    periodType: b.type('space', 'bytes'),
    period: intervalBytes,
  })
}
