/**
 * Sentence and word spans of plain text, for building task items. A
 * heuristic (end punctuation, closing quotes, whitespace, then a capital,
 * digit or opening quote; or a line break), enough for "sentence-ish" spans.
 * @module
 */

/** A half-open character range of a text. */
export interface Span {
  start: number;
  end: number;
}

const BOUNDARY = /[.!?]+["')\]]*(?=\s+["'(\[]?[A-Z0-9])|\n+/g;

/**
 * Sentence spans, trimmed of surrounding whitespace.
 *
 * @example
 * ```ts
 * sentenceSpans("It rained. We stayed in.\nNext day"); // spans of the three sentences
 * ```
 */
export function sentenceSpans(text: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  const push = (end: number) => {
    let s = start;
    let e = end;
    while (s < e && /\s/.test(text[s])) s++;
    while (e > s && /\s/.test(text[e - 1])) e--;
    if (e > s) spans.push({ start: s, end: e });
  };
  for (const m of text.matchAll(BOUNDARY)) {
    const end = m[0].startsWith("\n") ? m.index : m.index + m[0].length;
    push(end);
    start = m.index + m[0].length;
  }
  push(text.length);
  return spans;
}

/**
 * Word spans (runs of non-space characters) inside a range.
 *
 * @example
 * ```ts
 * wordSpans("a bc", { start: 0, end: 4 }); // [{start: 0, end: 1}, {start: 2, end: 4}]
 * ```
 */
export function wordSpans(text: string, range: Span): Span[] {
  const out: Span[] = [];
  const re = /\S+/g;
  re.lastIndex = range.start;
  for (let m = re.exec(text); m && m.index < range.end; m = re.exec(text)) {
    out.push({ start: m.index, end: Math.min(range.end, m.index + m[0].length) });
  }
  return out;
}

const encoder = new TextEncoder();

/**
 * UTF-8 length of a string.
 *
 * @example
 * ```ts
 * utf8Length("é"); // 2
 * ```
 */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/**
 * The longest suffix of `text.slice(from, to)` within `maxBytes` UTF-8 bytes
 * that starts at a sentence start (preferred) or else at a word start; returns its start index.
 *
 * @example
 * ```ts
 * contextStart("One. Two three", 0, 14, 9, [{ start: 0, end: 4 }, { start: 5, end: 14 }]); // 5
 * ```
 */
export function contextStart(text: string, from: number, to: number, maxBytes: number, sentences: Span[]): number {
  const fits = (s: number) => utf8Length(text.slice(s, to)) <= maxBytes;
  let best = -1;
  for (const s of sentences) {
    if (s.start < from || s.start >= to) continue;
    if (fits(s.start)) {
      best = s.start;
      break;
    }
  }
  if (best !== -1) return best;
  for (const w of wordSpans(text, { start: from, end: to })) {
    // A span found from `from` may begin mid-word; only whole words count.
    if ((w.start === 0 || /\s/.test(text[w.start - 1])) && fits(w.start)) return w.start;
  }
  return to;
}
