/**
 * WGSL programs of the fused softmax cross-entropy over logits [rows, V]
 * with integer labels [rows].
 *
 * Both run one workgroup per row. Each thread keeps a running max and a sum
 * of exp(x − max) over its share of the row (rescaling the sum when the max
 * grows, so the row is read once); thread 0 merges the workgroup's pairs
 * from shared memory into log Σ exp. The forward program writes each row's
 * loss log Σ exp − x[label]; the backward program broadcasts log Σ exp and
 * writes dy_row · (softmax − onehot).
 * @module
 */
import { hsum, ROW_INDEX, RowProgram, wgslType } from "../fused/mod.ts";

/** Uniforms of both programs: row length in vectors, row count. */
const UNIFORMS = "nc : i32, rows : i32,";

/** Below any finite logit; -inf would make exp(m − m) a NaN for an empty share. */
const LOWEST = "-3.0e38";

/** Running (max, Σ exp(x − max)) of this thread's share, then the pairs into shared memory. */
function runningLogSumExp(c: 1 | 4, wg: number): string {
  const hmax = c === 4 ? "max(max(v.x, v.y), max(v.z, v.w))" : "v";
  return `
    var m = ${LOWEST};
    var s = 0.0;
    if (valid) {
      for (var j = tid; j < nc; j += ${wg}) {
        let v = logits[base + j];
        let mv = ${hmax};
        if (mv > m) {
          s = s * exp(m - mv);
          m = mv;
        }
        s += ${hsum(c, `exp(v - ${wgslType(c)}(m))`)};
      }
    }
    redMax[tid] = m;
    redSum[tid] = s;
    workgroupBarrier();`;
}

/** Thread 0's merge of the pairs into `lse`. */
function mergeLogSumExp(wg: number): string {
  return `
      var mm = ${LOWEST};
      for (var k = 0; k < ${wg}; k++) {
        mm = max(mm, redMax[k]);
      }
      var ss = 0.0;
      for (var k = 0; k < ${wg}; k++) {
        ss += redSum[k] * exp(redMax[k] - mm);
      }
      let lse = mm + log(ss);`;
}

function sharedPairs(wg: number): string {
  return `
  var<workgroup> redMax : array<f32, ${wg}>;
  var<workgroup> redSum : array<f32, ${wg}>;`;
}

/**
 * Per-row softmax cross-entropy: inputs logits [rows, V], labels [rows] (int32); output [rows].
 *
 * @example
 * ```ts
 * new CrossEntropyForwardProgram(2048, 256).outputShape; // [2048]
 * ```
 */
export class CrossEntropyForwardProgram extends RowProgram {
  shaderKey: string;
  variableNames = ["logits", "labels"];
  uniforms = UNIFORMS;

  constructor(rows: number, vocab: number, software = false) {
    super(rows, vocab, [rows], (c) => [c, 1], software);
    this.shaderKey = `fused_xent_fwd_${this.key}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const picked = this.c === 4 ? "logits[base + label / 4][label % 4]" : "logits[base + label]";
    return `
  ${sharedPairs(wg)}
  ${ROW_INDEX}
  fn main(index : i32) {
    ${this.head()}
    ${runningLogSumExp(this.c, wg)}
    if (valid && tid == 0) {
      ${mergeLogSumExp(wg)}
      let label = labels[row];
      result[row] = lse - ${picked};
    }
  }`;
  }
}

/**
 * Softmax cross-entropy backward: inputs dy [rows], logits [rows, V],
 * labels [rows]; output dlogits = dy_row · (softmax(logits) − onehot(label)).
 *
 * @example
 * ```ts
 * new CrossEntropyGradProgram(2048, 256).outputShape; // [2048, 256]
 * ```
 */
export class CrossEntropyGradProgram extends RowProgram {
  shaderKey: string;
  variableNames = ["dy", "logits", "labels"];
  uniforms = UNIFORMS;

  constructor(rows: number, vocab: number, software = false) {
    super(rows, vocab, "rowOutput", (c) => [1, c, 1], software);
    this.shaderKey = `fused_xent_grad_${this.key}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const t = wgslType(this.c);
    const hot = this.c === 4
      ? "select(vec4<f32>(0.0), vec4<f32>(1.0), vec4<i32>(4 * j) + vec4<i32>(0, 1, 2, 3) == vec4<i32>(label))"
      : "select(0.0, 1.0, j == label)";
    return `
  ${sharedPairs(wg)}
  var<workgroup> rowLse : f32;
  ${ROW_INDEX}
  fn main(index : i32) {
    ${this.head()}
    ${runningLogSumExp(this.c, wg)}
    if (tid == 0) {
      ${mergeLogSumExp(wg)}
      rowLse = lse;
    }
    workgroupBarrier();
    if (valid) {
      let lse = ${t}(rowLse);
      let g = dy[row];
      let label = labels[row];
      for (var j = tid; j < nc; j += ${wg}) {
        let hot = ${hot};
        result[base + j] = g * (exp(logits[base + j] - lse) - hot);
      }
    }
  }`;
  }
}
