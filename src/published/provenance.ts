/**
 * Provenance tags: where a published number comes from. Every number the
 * report quotes from the paper carries one.
 * @module
 */

/** A provenance tag, as printed in brackets in the report (e.g. `[fig]`). */
export type ProvenanceTag = "code" | "fig" | "para" | "rev" | "sec" | "der";

/**
 * Every tag with its meaning, in the order the report's legend lists them.
 *
 * @example
 * ```ts
 * PROVENANCE_TAGS.map((t) => `[${t.tag}]`); // ["[code]", "[fig]", ...]
 * ```
 */
export const PROVENANCE_TAGS: ReadonlyArray<{ tag: ProvenanceTag; sourceType: string; meaning: string }> = [
  { tag: "code", sourceType: "repo_code", meaning: "the official repository's code or config" },
  { tag: "fig", sourceType: "figure_digitized", meaning: "read exactly from the authors' SVG figures" },
  { tag: "para", sourceType: "paper_paraphrase", meaning: "the paper's text through a translation or a quotation" },
  { tag: "rev", sourceType: "reviewer", meaning: "an OpenReview reviewer describing the paper" },
  { tag: "sec", sourceType: "secondary", meaning: "a secondary summary site, not checked against the paper" },
  { tag: "der", sourceType: "derived", meaning: "computed from the above" },
];

/**
 * The tag of a `source_type` value of published.json.
 *
 * @example
 * ```ts
 * tagOfSourceType("figure_digitized"); // "fig"
 * ```
 */
export function tagOfSourceType(sourceType: string): ProvenanceTag {
  const found = PROVENANCE_TAGS.find((t) => t.sourceType === sourceType);
  if (!found) throw new Error(`unknown source_type '${sourceType}' in the published data`);
  return found.tag;
}
