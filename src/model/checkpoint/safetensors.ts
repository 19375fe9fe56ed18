/**
 * The safetensors format (Hugging Face), float32 writer and reader:
 *
 *   [8 bytes: header length N, little-endian u64]
 *   [N bytes: JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}},
 *    padded with spaces to a multiple of 8]
 *   [data: each tensor's raw little-endian values, offsets relative to the end of the header]
 *
 * Tensors are laid out in sorted-name order. Files are streamed tensor by
 * tensor, so a checkpoint larger than memory can be written and read. The
 * reader also accepts F16 and BF16 tensors (converted to float32), which is
 * how PyTorch checkpoints often come.
 * @module
 */
import { UsageError } from "../../util/errors.ts";

/** A tensor's entry in the header. */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** `[begin, end)` bytes, relative to the start of the data section. */
  dataOffsets: [number, number];
}

/** The tensor names and shapes to write; data is requested per name. */
export interface TensorShape {
  name: string;
  shape: number[];
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error("safetensors: big-endian hosts are not supported");
  }
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Builds the header bytes (length prefix included) for float32 tensors laid
 * out in sorted-name order.
 *
 * @example
 * ```ts
 * const { bytes, order } = encodeHeader([{ name: "w", shape: [2, 2] }]);
 * ```
 */
export function encodeHeader(
  tensors: readonly TensorShape[],
  metadata?: Record<string, string>,
): { bytes: Uint8Array; order: TensorShape[] } {
  const order = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < order.length; i++) {
    if (order[i].name === order[i - 1].name) throw new Error(`safetensors: duplicate tensor name ${order[i].name}`);
  }
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of order) {
    const size = numel(t.shape) * 4;
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const bytes = new Uint8Array(8 + json.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  return { bytes, order };
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await file.write(bytes.subarray(written));
}

/**
 * Writes float32 tensors to `path`, requesting each tensor's data only when
 * it is written (so only one tensor is in memory at a time). Not atomic by
 * itself: write into a staging directory (see replaceDirAtomic).
 *
 * @example
 * ```ts
 * await writeSafetensors("w.safetensors", [{ name: "w", shape: [2] }], () => new Float32Array([1, 2]));
 * ```
 */
export async function writeSafetensors(
  path: string,
  tensors: readonly TensorShape[],
  data: (name: string) => Float32Array | Promise<Float32Array>,
  metadata?: Record<string, string>,
): Promise<void> {
  assertLittleEndian();
  const { bytes, order } = encodeHeader(tensors, metadata);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    await writeAll(file, bytes);
    for (const t of order) {
      const values = await data(t.name);
      if (values.length !== numel(t.shape)) {
        throw new Error(
          `safetensors: ${t.name} has ${values.length} values, shape ${t.shape.join("×")} needs ${numel(t.shape)}`,
        );
      }
      await writeAll(file, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
    await file.sync();
  } finally {
    file.close();
  }
}

/**
 * An open safetensors file: the parsed header and a reader per tensor.
 *
 * @example
 * ```ts
 * const st = await openSafetensors("model.safetensors");
 * const w = await st.read("lm_head.weight");
 * st.close();
 * ```
 */
export interface SafetensorsFile {
  path: string;
  metadata: Record<string, string>;
  entries: Map<string, SafetensorsEntry>;
  /** Reads one tensor as float32 (F16/BF16 converted). */
  read(name: string): Promise<Float32Array>;
  close(): void;
}

function fail(path: string, problem: string): never {
  throw new UsageError(`${path}: not a valid safetensors file (${problem})`);
}

async function readExactly(file: Deno.FsFile, position: number, length: number, path: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  await file.seek(position, Deno.SeekMode.Start);
  let got = 0;
  while (got < length) {
    const n = await file.read(out.subarray(got));
    if (n === null) fail(path, "file is truncated");
    got += n;
  }
  return out;
}

function parseHeader(path: string, json: unknown, dataBytes: number) {
  if (!json || typeof json !== "object" || Array.isArray(json)) fail(path, "header is not a JSON object");
  const entries = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (!value || typeof value !== "object" || Array.isArray(value)) fail(path, "__metadata__ is not an object");
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") fail(path, `__metadata__.${k} is not a string`);
      }
      metadata = value as Record<string, string>;
      continue;
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!e || typeof e !== "object") fail(path, `entry ${name} is not an object`);
    if (typeof e.dtype !== "string") fail(path, `${name}.dtype is missing`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail(path, `${name}.shape is not a list of non-negative integers`);
    }
    const offsets = e.data_offsets;
    if (
      !Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) ||
      offsets[0] > offsets[1] || offsets[1] > dataBytes
    ) {
      fail(path, `${name}.data_offsets are invalid or outside the file`);
    }
    const bytes = BYTES[e.dtype];
    if (bytes !== undefined && offsets[1] - offsets[0] !== numel(e.shape as number[]) * bytes) {
      fail(
        path,
        `${name} has ${offsets[1] - offsets[0]} bytes, its shape and dtype need ${numel(e.shape as number[]) * bytes}`,
      );
    }
    entries.set(name, { dtype: e.dtype, shape: e.shape as number[], dataOffsets: [offsets[0], offsets[1]] });
  }
  const spans = [...entries.values()].map((e) => e.dataOffsets).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) if (spans[i][0] < spans[i - 1][1]) fail(path, "tensor data overlaps");
  return { entries, metadata };
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * Math.pow(2, -14) * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * Math.pow(2, exponent - 15) * (1 + fraction / 1024);
}

function toFloat32(dtype: string, raw: Uint8Array): Float32Array {
  if (dtype === "F32") return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const halves = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
  const out = new Float32Array(halves.length);
  if (dtype === "BF16") {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < halves.length; i++) bits[i] = halves[i] << 16;
  } else {
    for (let i = 0; i < halves.length; i++) out[i] = halfToFloat(halves[i]);
  }
  return out;
}

/**
 * Opens a safetensors file and validates its header (offsets inside the file,
 * sizes matching shapes, no overlaps). Problems are UsageErrors naming the file.
 *
 * @example
 * ```ts
 * const st = await openSafetensors("ckpt/model.safetensors");
 * console.log([...st.entries.keys()]);
 * st.close();
 * ```
 */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  assertLittleEndian();
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new UsageError(`${path}: file not found`);
    throw error;
  }
  try {
    const size = (await file.stat()).size;
    if (size < 8) fail(path, "shorter than the 8-byte header length");
    const prefix = await readExactly(file, 0, 8, path);
    const headerLength = Number(new DataView(prefix.buffer).getBigUint64(0, true));
    if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size) {
      fail(path, `header length ${headerLength} does not fit the file`);
    }
    const headerBytes = await readExactly(file, 8, headerLength, path);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(headerBytes));
    } catch {
      fail(path, "header is not JSON");
    }
    const dataStart = 8 + headerLength;
    const { entries, metadata } = parseHeader(path, json, size - dataStart);
    const opened = file;
    return {
      path,
      metadata,
      entries,
      async read(name: string): Promise<Float32Array> {
        const entry = entries.get(name);
        if (!entry) throw new UsageError(`${path}: no tensor named ${name}`);
        if (BYTES[entry.dtype] === undefined) {
          throw new UsageError(`${path}: tensor ${name} has dtype ${entry.dtype} (supported: F32, F16, BF16)`);
        }
        const [begin, end] = entry.dataOffsets;
        return toFloat32(entry.dtype, await readExactly(opened, dataStart + begin, end - begin, path));
      },
      close: () => opened.close(),
    };
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * Reads every tensor of a file into memory.
 *
 * @example
 * ```ts
 * const tensors = await readSafetensors("w.safetensors");
 * tensors.get("w")?.data;
 * ```
 */
export async function readSafetensors(path: string): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const st = await openSafetensors(path);
  try {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, entry] of st.entries) out.set(name, { shape: entry.shape, data: await st.read(name) });
    return out;
  } finally {
    st.close();
  }
}
