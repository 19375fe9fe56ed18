#!/usr/bin/env python3
"""Hugging Face transformers side of the interoperability checks (tests/model/hf_interop_test.ts).

    python tools/hf_interop.py llama --out DIR --tokens FILE.json [--config CONFIG.json] [--seed N]
        Builds a random LlamaForCausalLM (from CONFIG.json, or a small grouped-query, tied-embedding one),
        perturbs its norm gains so they matter, saves it with transformers' own save_pretrained (float32
        safetensors) into DIR and, when CONFIG.json is given, puts that file (e.g. in transformers 4.x key
        style) in place of the config.json transformers wrote. Prints {"logprobs": [[...], ...]} of the
        token sequences in FILE.json, in float64.

    python tools/hf_interop.py load --checkpoint DIR --tokens FILE.json [--perturb SEED]
        Optionally replaces DIR's norm gains and PolyCom coefficients with random values (tools/torch_reference.py
        perturb, so they matter), then loads DIR with AutoModelForCausalLM.from_pretrained(DIR, trust_remote_code=True) (our checkpoints
        carry their modelling code) and prints {"class", "loading_problems" (missing / unexpected / mismatched
        tensors), "logprobs"} in float64.

    python tools/hf_interop.py init --checkpoint DIR [--seed N]
        Initialises a fresh model from DIR's config through transformers (AutoModelForCausalLM.from_config, our
        modelling code's _init_weights) and prints each parameter's mean, std, max |x| (and values when small).
"""

import argparse
import json
import sys

import torch
import transformers


def logprobs(model, sequences):
    out = []
    with torch.no_grad():
        for seq in sequences:
            if len(seq) < 2:
                out.append([])
                continue
            t = torch.tensor([seq], dtype=torch.long)
            lp = model(input_ids=t[:, :-1]).logits[0].double().log_softmax(-1)
            out.append(lp[torch.arange(len(seq) - 1), t[0, 1:]].tolist())
    return out


def llama(args, sequences):
    if args.config:
        with open(args.config) as f:
            config = transformers.LlamaConfig.from_dict(json.load(f))
    else:
        config = transformers.LlamaConfig(
            vocab_size=97, hidden_size=64, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4,
            num_key_value_heads=2, tie_word_embeddings=True, max_position_embeddings=128, initializer_range=0.2,
        )
    torch.manual_seed(args.seed)
    model = transformers.LlamaForCausalLM(config).to(torch.float32).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.3 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    model.save_pretrained(args.out)
    if args.config:
        with open(args.config) as src, open(f"{args.out}/config.json", "w") as dst:
            dst.write(src.read())
    model = model.double()
    return {"logprobs": logprobs(model, sequences)}


def load(args, sequences):
    if args.perturb is not None:
        import torch_reference  # same folder

        torch_reference.perturb(args.checkpoint, args.perturb)
    model, info = transformers.AutoModelForCausalLM.from_pretrained(
        args.checkpoint, trust_remote_code=True, output_loading_info=True
    )
    problems = {k: sorted(v) for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
    model = model.double().eval()
    return {"class": type(model).__name__, "loading_problems": problems, "logprobs": logprobs(model, sequences)}


def init(args):
    """A freshly initialised model of our modelling code (transformers' own init path, `post_init`), summarised
    per parameter: mean, std, max |x| and, for small tensors, the values."""
    config = transformers.AutoConfig.from_pretrained(args.checkpoint, trust_remote_code=True)
    torch.manual_seed(args.seed)
    model = transformers.AutoModelForCausalLM.from_config(config, trust_remote_code=True)
    out = {}
    for name, p in model.named_parameters():
        t = p.detach().double()
        out[name] = {"mean": t.mean().item(), "std": t.std().item() if t.numel() > 1 else 0.0,
                     "maxAbs": t.abs().max().item(), **({"values": t.tolist()} if t.numel() <= 16 else {})}
    return {"parameters": out}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["llama", "load", "init"])
    parser.add_argument("--tokens")
    parser.add_argument("--out")
    parser.add_argument("--config")
    parser.add_argument("--checkpoint")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--perturb", type=int, help="load: first replace norm gains and coefficients with random values")
    args = parser.parse_args()
    sequences = None
    if args.tokens:
        with open(args.tokens) as f:
            sequences = json.load(f)
    result = {"llama": llama, "load": load}[args.command](args, sequences) if args.command != "init" else init(args)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
