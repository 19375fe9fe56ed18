/**
 * The adapter's own ceilings, measured with plain WebGPU (no tfjs): fp32 FMA
 * throughput, memory bandwidth, the cost of one host readback and of empty
 * dispatches. They are the denominators of `gpu-check`'s percentages, so MFU
 * means the same thing on any GPU, and the readback and dispatch costs are
 * the overheads a training step must keep off its critical path.
 * @module
 */
import { median, timeUntil } from "./_timing.ts";

/** What {@linkcode measureCeilings} returns. */
export interface GpuCeilings {
  /** fp32 FMA throughput of a long dependent FMA chain, in GFLOP/s (an FMA counts 2 FLOPs). */
  fmaGflops: number;
  /** Copy bandwidth (bytes read + bytes written per second), in GB/s. */
  copyGBs: number;
  /** Median ms from submitting a 16-byte copy to its mapped read resolving. */
  readbackMs: number;
  /** Total ms for 1,000 empty dispatches, each in its own compute pass, encoded, submitted and drained. */
  emptyDispatchesMs: number;
  /** Bytes each copy pass moved (read + write) at the measured size. */
  copyBytes: number;
}

const WORKGROUP = 256;

/** Each invocation runs `iters` rounds of 8 independent vec4 FMA chains: 64 FLOPs a round. */
const FMA_SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<vec4<f32>>;
@group(0) @binding(1) var<uniform> params: vec4<u32>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let seed = f32(gid.x & 255u) * 1e-3;
  var a0 = vec4<f32>(seed); var a1 = a0 + 0.1; var a2 = a0 + 0.2; var a3 = a0 + 0.3;
  var a4 = a0 + 0.4; var a5 = a0 + 0.5; var a6 = a0 + 0.6; var a7 = a0 + 0.7;
  let m = vec4<f32>(0.999);
  let c = vec4<f32>(1e-4);
  for (var i = 0u; i < params.x; i++) {
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c);
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);
  }
  out[gid.x] = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
}`;

const COPY_SHADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) n: vec3<u32>) {
  let stride = n.x * ${WORKGROUP}u;
  for (var i = gid.x; i < arrayLength(&dst); i += stride) { dst[i] = src[i]; }
}`;

const EMPTY_SHADER = /* wgsl */ `@compute @workgroup_size(1) fn main() {}`;

function pipeline(device: GPUDevice, code: string): GPUComputePipeline {
  return device.createComputePipeline({ layout: "auto", compute: { module: device.createShaderModule({ code }) } });
}

async function runPass(
  device: GPUDevice,
  pipe: GPUComputePipeline,
  bindings: GPUBuffer[],
  workgroups: number,
): Promise<number> {
  const group = device.createBindGroup({
    layout: pipe.getBindGroupLayout(0),
    entries: bindings.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipe);
  pass.setBindGroup(0, group);
  pass.dispatchWorkgroups(workgroups);
  pass.end();
  const t0 = performance.now();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - t0;
}

async function measureFma(device: GPUDevice, minMs: number): Promise<number> {
  const workgroups = Math.min(device.limits.maxComputeWorkgroupsPerDimension, 4096);
  const threads = workgroups * WORKGROUP;
  const out = device.createBuffer({ size: threads * 16, usage: GPUBufferUsage.STORAGE });
  const params = device.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const pipe = pipeline(device, FMA_SHADER);
  try {
    const run = async (iters: number) => {
      device.queue.writeBuffer(params, 0, new Uint32Array([iters, 0, 0, 0]));
      return await runPass(device, pipe, [out, params], workgroups);
    };
    const { work: iters, ms } = await timeUntil(run, 16, minMs);
    return (threads * iters * 64) / (ms / 1000) / 1e9;
  } finally {
    out.destroy();
    params.destroy();
  }
}

async function measureCopy(
  device: GPUDevice,
  maxBytes: number,
  minMs: number,
): Promise<{ gbs: number; bytes: number }> {
  const bytes = Math.min(maxBytes, device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const size = Math.floor(bytes / 16) * 16;
  const src = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE });
  const dst = device.createBuffer({ size, usage: GPUBufferUsage.STORAGE });
  const pipe = pipeline(device, COPY_SHADER);
  const workgroups = Math.min(device.limits.maxComputeWorkgroupsPerDimension, Math.ceil(size / 16 / WORKGROUP));
  try {
    const times: number[] = [];
    await runPass(device, pipe, [src, dst], workgroups); // first use pages the buffers in
    const deadline = performance.now() + 4 * minMs;
    while (times.length < 3 || (times.length < 20 && performance.now() < deadline)) {
      times.push(await runPass(device, pipe, [src, dst], workgroups));
    }
    return { gbs: (2 * size) / (Math.min(...times) / 1000) / 1e9, bytes: 2 * size };
  } finally {
    src.destroy();
    dst.destroy();
  }
}

async function measureReadback(device: GPUDevice, reps: number): Promise<number> {
  const src = device.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const times: number[] = [];
  try {
    for (let i = 0; i < reps + 1; i++) {
      const staging = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(src, 0, staging, 0, 16);
      const t0 = performance.now();
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      new Float32Array(staging.getMappedRange().slice(0));
      if (i > 0) times.push(performance.now() - t0);
      staging.unmap();
      staging.destroy();
    }
    return median(times);
  } finally {
    src.destroy();
  }
}

async function measureEmptyDispatches(device: GPUDevice, count: number): Promise<number> {
  const pipe = pipeline(device, EMPTY_SHADER);
  const once = async () => {
    const t0 = performance.now();
    const encoder = device.createCommandEncoder();
    for (let i = 0; i < count; i++) {
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipe);
      pass.dispatchWorkgroups(1);
      pass.end();
    }
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  };
  await once();
  return Math.min(await once(), await once(), await once());
}

/** Options of {@linkcode measureCeilings}. */
export interface CeilingOptions {
  /** Largest buffer the copy kernel uses (default 256 MiB; capped by the adapter's limits). */
  copyBytes?: number;
  /** A timed run grows its work until it takes at least this long (default 20 ms). */
  minMs?: number;
}

/**
 * Measures the ceilings of `device`.
 *
 * @example
 * ```ts
 * const adapter = await navigator.gpu.requestAdapter();
 * if (adapter) {
 *   const device = await adapter.requestDevice();
 *   const c = await measureCeilings(device, { copyBytes: 1 << 22, minMs: 5 });
 *   console.log(c.fmaGflops, c.copyGBs, c.readbackMs);
 *   device.destroy();
 * }
 * ```
 */
export async function measureCeilings(device: GPUDevice, options: CeilingOptions = {}): Promise<GpuCeilings> {
  const minMs = options.minMs ?? 20;
  const fmaGflops = await measureFma(device, minMs);
  const copy = await measureCopy(device, options.copyBytes ?? 256 * 2 ** 20, minMs);
  const readbackMs = await measureReadback(device, 20);
  const emptyDispatchesMs = await measureEmptyDispatches(device, 1000);
  return { fmaGflops, copyGBs: copy.gbs, readbackMs, emptyDispatchesMs, copyBytes: copy.bytes };
}
