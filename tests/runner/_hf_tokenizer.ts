/** Asking transformers what our saved tokenizers encode to. */
import assert from "node:assert/strict";

/**
 * The ids transformers' AutoTokenizer gives for `text`, loading from `dir` alone (trust_remote_code: a PolyNorm
 * checkpoint's config names our modelling code, and transformers asks before reading it even for the tokenizer).
 */
export async function autoTokenizerIds(python: string, dir: string, text: string): Promise<number[]> {
  const code = "import json, sys\nfrom transformers import AutoTokenizer\n" +
    "tok = AutoTokenizer.from_pretrained(sys.argv[1], trust_remote_code=True)\n" +
    "print(json.dumps(tok(sys.argv[2], add_special_tokens=False)['input_ids']))";
  const out = await new Deno.Command(python, { args: ["-c", code, dir, text], stdout: "piped", stderr: "piped" })
    .output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `AutoTokenizer failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
}
