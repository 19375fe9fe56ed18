import assert from "node:assert/strict";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { BYTE_VOCAB_SIZE, ByteTokenizer, vocabSizeFor } from "../../src/data/mod.ts";
import { Rng } from "../../src/util/rng.ts";

const tok = new ByteTokenizer();

/** Random strings over every kind of code point, lone surrogates included. */
function randomString(rng: Rng, length: number): string {
  const pools = [
    () => String.fromCharCode(32 + rng.int(95)),
    () => String.fromCharCode(0x80 + rng.int(0x780)),
    () => String.fromCharCode(0x800 + rng.int(0xd000)),
    () => String.fromCodePoint(0x10000 + rng.int(0xfffff)),
    () => ["😀", "👍🏽", "👩‍👩‍👧", "🇫🇷", "\u0000", "\n", "\r\n", "\t", "\ufeff", "é", "é"][rng.int(11)],
    () => String.fromCharCode(0xd800 + rng.int(0x800)), // a lone surrogate
  ];
  let s = "";
  for (let i = 0; i < length; i++) s += pools[rng.int(pools.length)]();
  return s;
}

Deno.test("byte tokenizer: ids are the UTF-8 bytes; 256 + 3 specials", () => {
  assert.equal(tok.vocabSize, 259);
  assert.equal(BYTE_VOCAB_SIZE, vocabSizeFor("byte"));
  assert.deepEqual(tok.special, { pad: 256, bos: 257, eos: 258 });
  assert.deepEqual(tok.encode("hé😀"), [104, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
  assert.deepEqual(tok.encode("a<|eos|>b<|bos|><|pad|>"), [97, 258, 98, 257, 256]);
  assert.deepEqual(tok.encode("<|eo"), [60, 124, 101, 111]);
  assert.equal(tok.byteLength(65), 1);
  assert.equal(tok.byteLength(258), 1);
  assert.throws(() => tok.decode([259]), RangeError);
});

Deno.test("byte tokenizer round-trips any string (lone surrogates become U+FFFD)", () => {
  const rng = new Rng(7);
  const encoder = new TextEncoder();
  for (let i = 0; i < 2000; i++) {
    const s = randomString(rng, 1 + rng.int(40));
    const ids = tok.encode(s);
    assert.deepEqual(ids, Array.from(encoder.encode(s)), "ids are exactly the UTF-8 bytes");
    assert.equal(tok.decode(ids), s.toWellFormed());
  }
  assert.equal(tok.decode(tok.encode("a\ud800b")), "a\ufffdb");
  assert.equal(tok.decode(tok.encode("\udc00\ud83d")), "\ufffd\ufffd");
});

Deno.test("byte tokenizer decodes invalid UTF-8 like TextDecoder (replacement characters)", () => {
  const rng = new Rng(11);
  const decoder = new TextDecoder();
  for (let i = 0; i < 500; i++) {
    const bytes = Array.from({ length: 1 + rng.int(20) }, () => rng.int(256));
    assert.equal(tok.decode(bytes), decoder.decode(new Uint8Array(bytes)));
  }
  assert.equal(tok.decode([0xe2, 0x82, 258, 0xac]), "\ufffd<|eos|>\ufffd", "a special splits a broken sequence");
});

Deno.test("byte tokenizer's tokenizer.json gives the same ids in Hugging Face tokenizers.js", () => {
  const hf = new HfTokenizer(tok.toHuggingFace(), {});
  const rng = new Rng(3);
  for (let i = 0; i < 300; i++) {
    const s = randomString(rng, 1 + rng.int(30)).toWellFormed();
    assert.deepEqual(hf.encode(s, { add_special_tokens: false }).ids, tok.encode(s));
  }
  assert.deepEqual(hf.encode("x<|eos|>y", { add_special_tokens: false }).ids, [120, 258, 121]);
});
