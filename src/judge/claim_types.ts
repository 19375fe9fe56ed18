/**
 * The types of the claims registry: a claim, its comparisons and the paper's
 * values it quotes (with pointers into the paper data).
 * @module
 */
import type { ExperimentId, ProvenanceTag, PublishedDocument } from "../published/mod.ts";
import type { Direction, Measure } from "./measures.ts";

/** Where a published value comes from inside the paper data. */
export type PublishedRef =
  | { doc: PublishedDocument; pointer: string }
  /** The difference of two numbers, e.g. a gap to SwiGLU read off two curves. */
  | { doc: PublishedDocument; minus: [string, string] };

/** One number (or statement) the paper publishes, as the report quotes it. */
export interface PublishedValue {
  /** What the number is, e.g. "PolyNorm − SwiGLU, training loss at 250B tokens". */
  label: string;
  /** The value as quoted; strings for non-numeric statements ("never within 255B"). */
  value: number | string;
  tag: ProvenanceTag;
  ref?: PublishedRef;
  /** The activation this value is about, when it is about one. */
  activation?: string;
}

export type { Direction, Measure } from "./measures.ts";

/** One paired comparison a claim makes. */
export interface ComparisonSpec {
  activation: string;
  versus: string;
  expected: Direction;
  /** The paper's value of the compared quantity (gap, speed-up), when it has one. */
  paper?: PublishedValue;
}

/** A claim of the paper and how it is tested. */
export interface ClaimSpec {
  /** Stable id; verdict keys are `<id>` and `<id>/<item>`. */
  id: string;
  experiment: ExperimentId;
  /** Short title for tables. */
  title: string;
  /** The claim as the paper makes it. */
  text: string;
  measure: Measure;
  /**
   * The comparisons that make up the claim. A ranking (best first) is tested as
   * the comparisons of neighbours among the activations a suite has.
   */
  test: { comparisons: ComparisonSpec[] } | { ranking: string[] };
  /** The paper's numbers behind the claim. */
  published: PublishedValue[];
  /** How the claim is tested at small scale, in words for the report. */
  howTested: string;
  /**
   * False when the paper's numbers are in units ours are not (the dense "PPL", accuracy points on other tasks):
   * then no seed count is derived from the paper's effect size.
   */
  sizesComparable?: false;
}
