/**
 * Reading the paper's values for the claims and rendering them in prose:
 * pointers into the paper data, the precision a value is quoted at, and the
 * definitions several claims' texts share. Used by the claim data files.
 * @module
 */
import { ACTIVATIONS } from "../activations/table.ts";
import { type ProvenanceTag, type PublishedDocument, publishedDocument, resolvePointer } from "../published/mod.ts";
import { FINAL_LOSS_WINDOW } from "../results/summary.ts";
import type { PublishedRef, PublishedValue } from "./claim_types.ts";

/** The paper data file every claim reads. */
export const P: PublishedDocument = "published.json";

/**
 * Rounds half away from zero at `decimals` places of the number's shortest decimal form, as the paper's prose rounds
 * (1.395 → 1.40, where binary `toFixed` would give 1.39).
 *
 * @example
 * ```ts
 * roundQuoted(1.395, 2); // 1.4
 * roundQuoted(-0.0177, 3); // -0.018
 * ```
 */
export function roundQuoted(value: number, decimals: number): number {
  const magnitude = Number(`${Math.round(Number(`${Math.abs(value)}e${decimals}`))}e-${decimals}`);
  return value < 0 ? -magnitude : magnitude;
}

/**
 * The number a reference names in the paper data (a pointer, or the difference of two).
 *
 * @example
 * ```ts
 * publishedNumber({ doc: "published.json", pointer: "/results/quoted_numbers/0/value/avg_accuracy_margin_points" }); // 1.21
 * ```
 */
export function publishedNumber(ref: PublishedRef): number {
  const doc = publishedDocument(ref.doc);
  const read = (pointer: string) => {
    const v = resolvePointer(doc, pointer);
    if (typeof v !== "number") throw new Error(`paper data ${ref.doc}${pointer} is ${JSON.stringify(v)}, not a number`);
    return v;
  };
  return "pointer" in ref ? read(ref.pointer) : read(ref.minus[0]) - read(ref.minus[1]);
}

/** A published number as quoted: read from the data, rounded to the precision the report quotes it at. */
function quoted(ref: PublishedRef, decimals: number): number {
  return roundQuoted(publishedNumber(ref), decimals);
}

/** A published value read from the data. */
export function value(
  label: string,
  tag: ProvenanceTag,
  ref: PublishedRef,
  decimals: number,
  activation?: string,
): PublishedValue {
  return { label, value: quoted(ref, decimals), tag, ref, ...(activation ? { activation } : {}) };
}

/** A statement (not a number) the data holds verbatim, e.g. "11/11". */
export function statement(label: string, tag: ProvenanceTag, pointer: string, activation?: string): PublishedValue {
  const v = resolvePointer(publishedDocument(P), pointer);
  if (typeof v !== "string") throw new Error(`paper data ${P}${pointer} is not a statement`);
  return { label, value: v, tag, ref: { doc: P, pointer }, ...(activation ? { activation } : {}) };
}

/** A number for prose, fixed to `decimals` places. */
export const fixed = (v: number | string, decimals: number) => roundQuoted(Number(v), decimals).toFixed(decimals);
/** A signed number for prose, with a typographic minus: "−0.019", "+0.018". */
export const signedText = (v: number | string, decimals: number) =>
  `${Number(v) < 0 ? "−" : "+"}${fixed(Math.abs(Number(v)), decimals)}`;
/** A percentage for prose: 1 → "100%". */
export const percent = (v: number | string) => `${Math.round(Number(v) * 100)}%`;

/** An activation's display name. */
export const name = (activation: string) => ACTIVATIONS[activation as keyof typeof ACTIVATIONS].displayName;

/** The window of the final training loss and of the curve smoothing, as the report states it. */
export const WINDOW = `${Math.round(FINAL_LOSS_WINDOW * 100)}%`;
/** The final training loss in words. */
export const TRAIN_LOSS_DEF = `final training loss = mean cross-entropy over the last ${WINDOW} of logged steps`;
/** The final validation loss in words. */
export const VAL_LOSS_DEF = "final validation loss = the last evaluation's loss, averaged over the validation sources";
