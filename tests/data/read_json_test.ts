import assert from "node:assert/strict";
import { BpeTokenizer } from "../../src/data/tokenizer/bpe.ts";
import { ByteTokenizer } from "../../src/data/tokenizer/byte.ts";
import { HfFileTokenizer } from "../../src/data/tokenizer/read_json.ts";
import type { Tokenizer } from "../../src/data/tokenizer/types.ts";

const TRAIN = [
  "The cat sat on the mat. The dog's bone, the cats' toys: they're all here!",
  'In 1961, 500 texts of 2,000 words were sampled; naïve café owners said "déjà vu".',
  "  indented   lines\n\nand\ttabs, numbers 3.14159 and 1234567, emoji 🙂🙂 and 日本語のテキスト。",
].flatMap((t) => [t, t.toUpperCase(), t.replaceAll(" ", "  ")]);

const PROBES = [
  "",
  "the cat sat on the mat",
  "The CAT's   mat,\n\n\tdon't we'll I'm you've they'd",
  "numbers 1234567 3.14159 and 2,000",
  "naïve café déjà vu 日本語 🙂🙂🙂 \u{1F468}\u200D\u{1F469}",
  "<|eos|>a document<|bos|> and <|pad|>padding <|eos|",
  "trailing spaces   \n   ",
  "lone \uD800 surrogate",
  ...TRAIN,
];

function assertSameTokenizer(ours: Tokenizer, theirs: Tokenizer): void {
  assert.equal(theirs.vocabSize, ours.vocabSize);
  assert.deepEqual(theirs.special, ours.special);
  for (let id = 0; id < ours.vocabSize; id++) assert.equal(theirs.byteLength(id), ours.byteLength(id), `id ${id}`);
  for (const text of PROBES) {
    const ids = ours.encode(text);
    assert.deepEqual(theirs.encode(text), ids, JSON.stringify(text));
    assert.equal(theirs.decode(ids), ours.decode(ids), JSON.stringify(text));
  }
}

Deno.test("our tokenizer.json files read by @huggingface/tokenizers give our ids, bytes and specials: BPE", () => {
  const bpe = BpeTokenizer.train(TRAIN, { vocabSize: 400, minFrequency: 2 });
  assert.ok(bpe.merges.length > 100, `${bpe.merges.length} merges`);
  assertSameTokenizer(bpe, new HfFileTokenizer(structuredClone(bpe.toHuggingFace())));
});

Deno.test("our tokenizer.json files read by @huggingface/tokenizers give our ids, bytes and specials: bytes", () => {
  const byte = new ByteTokenizer();
  assertSameTokenizer(byte, new HfFileTokenizer(structuredClone(byte.toHuggingFace())));
});
