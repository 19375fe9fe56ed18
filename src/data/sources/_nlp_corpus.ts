/**
 * nlp-corpus: 100,000 unrelated English sentences (lyrics, transcripts,
 * reviews, fiction, legal text...) in shuffled order. Each sentence is one
 * document: neighbouring sentences share no context, so grouping them would
 * invent documents that do not exist. 40 sentences occur twice (differing
 * only in trailing spaces); only the first occurrence is kept, so no text can
 * be in two splits.
 * @module
 */
import { all } from "nlp-corpus";
import type { Document } from "../types.ts";
import { type InstalledPackage, nlpCorpusPackage } from "./_package.ts";

/** Sentences per build file in the package (doc-0.json ... doc-99.json). */
const PER_FILE = 1000;

/**
 * Reads every sentence through the package's own API. Ids name the build
 * file and the index in it, e.g. `nlp-corpus/17-0042`.
 *
 * @example
 * ```ts
 * const { docs } = await readNlpCorpus();
 * docs.length; // 99960
 * ```
 */
export async function readNlpCorpus(): Promise<{ docs: Document[]; pkg: InstalledPackage }> {
  const pkg = await nlpCorpusPackage();
  const sentences = all() as unknown[];
  const docs: Document[] = [];
  const seen = new Set<string>();
  sentences.forEach((s, i) => {
    if (typeof s !== "string") throw new Error(`nlp-corpus: entry ${i} is not a string`);
    const text = s.trim();
    if (text === "" || seen.has(text)) return;
    seen.add(text);
    const file = Math.floor(i / PER_FILE);
    docs.push({ id: `nlp-corpus/${file}-${String(i % PER_FILE).padStart(4, "0")}`, text });
  });
  return { docs, pkg };
}
