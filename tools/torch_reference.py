#!/usr/bin/python3
"""Independent PyTorch implementation of the project's decoder architecture.

Loads a checkpoint written by the project (config.json + model.safetensors, Hugging
Face names and PyTorch layouts), computes next-token log-probabilities of token
sequences in float64, and compares them with `deno task cli score`.

The model is src/model/checkpoint/remote_code/modeling_polycom.py, the modelling code
our checkpoints ship for transformers (written from the architecture spec, not from the
TypeScript code): pre-norm RMSNorm, q/k/v/o without bias, grouped-query attention,
optional QK-norm over the full width, RoPE (Hugging Face rotate_half, theta from config),
causal softmax attention, gated SwiGLU or non-gated MLP (GELU, ReLU, ReLU², PolyReLU,
PolyNorm), OLMoE top-k routing (softmax, top-k, optional renormalisation), final norm,
untied or tied head. This file checks it against `cli score`, run in float64.

Usage (the Python of tools/python_env.sh; transformers is needed for the model's base class):
    .venv/bin/python tools/torch_reference.py --checkpoint DIR --tokens FILE.json [--backend cpu]
    .venv/bin/python tools/torch_reference.py --self-test [--backend cpu|wasm|webgpu]
        # writes tiny dense (SwiGLU, PolyNorm, PolyReLU, ReLU², GELU + QK-norm) and MoE (SwiGLU, PolyNorm)
        # checkpoints with `deno task cli init`, compares `score` with this file, then again after replacing
        # norm gains and PolyCom coefficients (constants at init) with random values; exit 1 above --tolerance.
"""

import argparse
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = bytearray(data[begin:end])
        t = torch.frombuffer(raw, dtype=DTYPES[entry["dtype"]]) if raw else torch.zeros(0)
        out[name] = t.reshape(entry["shape"]).to(torch.float64)
    return out


def write_safetensors(path, tensors):
    """Writes float32 tensors (name -> tensor) in the order given, header padded to 8 bytes."""
    header, offset, blobs = {"__metadata__": {"format": "pt"}}, 0, []
    for name, t in tensors.items():
        blob = t.to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def perturb(checkpoint, seed):
    """Replaces the tensors that start as constants (norm gains 1, PolyCom coefficients [0, 1/r, ...]) with
    random values, so that a gain applied in the wrong place or coefficients in the wrong order show up."""
    path = os.path.join(checkpoint, "model.safetensors")
    w = read_safetensors(path)
    gen = torch.Generator().manual_seed(seed)
    for name, t in w.items():
        if name.endswith("norm.weight") or name.endswith("layernorm.weight"):
            w[name] = 1 + 0.5 * torch.randn(t.shape, generator=gen, dtype=torch.float64)
        elif name.endswith("act_fn.coefficients"):
            w[name] = 0.5 * torch.randn(t.shape, generator=gen, dtype=torch.float64)
    write_safetensors(path, w)


REMOTE_CODE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src", "model", "checkpoint",
                           "remote_code")


def polycom_model(cfg, w, dtype=torch.float64):
    """The project's PyTorch model (the modelling code our checkpoints ship, src/model/checkpoint/remote_code)
    with the weights `w` (name -> tensor) loaded, in `dtype`. Raises on missing or unexpected tensors."""
    sys.path.insert(0, REMOTE_CODE)
    try:
        from configuration_polycom import PolycomConfig
        from modeling_polycom import PolycomForCausalLM
    finally:
        sys.path.remove(REMOTE_CODE)
    keys = {k: v for k, v in cfg.items() if k not in ("model_type", "auto_map", "architectures")}
    model = PolycomForCausalLM(PolycomConfig(**keys)).to(dtype).eval()
    tied = bool(cfg.get("tie_word_embeddings"))
    missing, unexpected = model.load_state_dict({k: v.to(dtype) for k, v in w.items()}, strict=False)
    if tied:
        model.lm_head.weight = model.model.embed_tokens.weight
        missing = [k for k in missing if k != "lm_head.weight"]
    if missing or unexpected:
        raise ValueError(f"checkpoint tensors do not match the model: missing {missing}, unexpected {unexpected}")
    return model


def logprobs(cfg, w, sequences):
    model = polycom_model(cfg, w)
    result = []
    with torch.no_grad():
        for seq in sequences:
            if len(seq) < 2:
                result.append([])
                continue
            t = torch.tensor([seq], dtype=torch.long)
            lp = model(input_ids=t[:, :-1]).logits[0].log_softmax(-1)
            result.append(lp[torch.arange(len(seq) - 1), t[0, 1:]].tolist())
    return result


def deno_score(checkpoint, tokens, backend):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(
        ["deno", "task", "--quiet", "cli", "score", "--checkpoint", checkpoint, "--tokens", tokens, "--backend", backend],
        cwd=root, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])["logprobs"]


def compare(checkpoint, tokens, backend):
    with open(os.path.join(checkpoint, "config.json")) as f:
        cfg = json.load(f)
    w = read_safetensors(os.path.join(checkpoint, "model.safetensors"))
    with open(tokens) as f:
        sequences = json.load(f)
    torch_lp = logprobs(cfg, w, sequences)
    deno_lp = deno_score(checkpoint, tokens, backend)
    diff = max((abs(a - b) for ta, tb in zip(torch_lp, deno_lp) for a, b in zip(ta, tb)), default=0.0)
    return diff, sum(len(s) for s in torch_lp)


def self_test(backend):
    cases = [
        ("dense swiglu", dict(model_type="llama", hidden_act="silu", intermediate_size=96)),
        ("dense polynorm", dict(model_type="llama", hidden_act="polynorm", intermediate_size=144)),
        ("dense polyrelu", dict(model_type="llama", hidden_act="polyrelu", intermediate_size=144)),
        ("dense relu2", dict(model_type="polycom", hidden_act="relu2", intermediate_size=144)),
        ("dense gelu + qk-norm", dict(model_type="llama", hidden_act="gelu", intermediate_size=144, qk_norm=True)),
        ("dense polynorm gqa tied", dict(model_type="llama", hidden_act="polynorm", intermediate_size=144,
                                         num_key_value_heads=2, tie_word_embeddings=True, poly_order=4)),
        ("moe swiglu", dict(model_type="olmoe", hidden_act="silu", intermediate_size=32, qk_norm=True,
                            num_experts=8, num_experts_per_tok=2)),
        ("moe polynorm", dict(model_type="olmoe", hidden_act="polynorm", intermediate_size=48, qk_norm=True,
                              num_experts=8, num_experts_per_tok=2, norm_topk_prob=True)),
    ]
    base = dict(vocab_size=97, hidden_size=64, num_hidden_layers=3, num_attention_heads=4,
                max_position_embeddings=256, initializer_range=0.1)
    gen = torch.Generator().manual_seed(0)
    sequences = [torch.randint(0, 97, (n,), generator=gen).tolist() for n in (200, 64, 64, 17, 2)]
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        tokens = os.path.join(tmp, "tokens.json")
        with open(tokens, "w") as f:
            json.dump(sequences, f)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for name, extra in cases:
            cfg_path = os.path.join(tmp, "config.json")
            with open(cfg_path, "w") as f:
                json.dump({**base, **extra}, f)
            ckpt = os.path.join(tmp, "ckpt")
            subprocess.run(["deno", "task", "--quiet", "cli", "init", "--config", cfg_path, "--seed", "3", "--out", ckpt],
                           cwd=root, check=True, capture_output=True)
            for variant in ("init", "perturbed"):
                if variant == "perturbed":
                    perturb(ckpt, 7)
                diff, n = compare(ckpt, tokens, backend)
                worst = max(worst, diff)
                print(f"{name:22s} {variant:9s} {n} log-probs, max |torch float64 - tfjs {backend}| = {diff:.3e}")
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint")
    parser.add_argument("--tokens")
    parser.add_argument("--backend", default="cpu")
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()
    if args.self_test:
        worst = self_test(args.backend)
    elif args.checkpoint and args.tokens:
        worst, n = compare(args.checkpoint, args.tokens, args.backend)
        print(f"{n} log-probs, max |torch float64 - tfjs {args.backend}| = {worst:.3e}")
    else:
        parser.error("give --checkpoint and --tokens, or --self-test")
    sys.exit(0 if worst <= args.tolerance else 1)


if __name__ == "__main__":
    main()
