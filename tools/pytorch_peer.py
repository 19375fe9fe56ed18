#!/usr/bin/env python3
"""PyTorch peer of the `train-tiny` benchmark (src/bench/), for a side-by-side speed comparison.

Same configuration as the Deno benchmark: Llama-style dense decoder (pre-norm RMSNorm, RoPE, causal attention by
`F.scaled_dot_product_attention(is_causal=True)`, untied lm_head, no biases), vocab 256, d_model 128, 4 layers,
4 heads, sequence 128, batch 16, float32, AdamW (betas 0.9/0.95, eps 1e-8, weight decay 0.1), gradient clipping at
1.0, and an MLP of SwiGLU (width 344) or PolyNorm (width 512, unfused: the paper's reference formulation).

`--mode eager` runs the model as written; `--mode compile` wraps it in `torch.compile` (the warm-up steps include
the compilation). Runs the warm-up steps, then times `--steps` and prints one JSON object per activation (median
ms/step, tokens/s) with the environment: torch version, its BLAS (from `torch.__config__.show()`), threads and the
achieved GFLOP/s of a 2048x2048 fp32 matmul. The newest CPU PyTorch goes into .venv with tools/python_env.sh:

    .venv/bin/python tools/pytorch_peer.py [--threads 2] [--steps 20] [--warmup 5] [--mode eager|compile]
                                           [--activation swiglu|polynorm]
"""

import argparse
import json
import platform
import re
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB, D_MODEL, LAYERS, HEADS, SEQ, BATCH = 256, 128, 4, 4, 128, 16
WIDTHS = {"swiglu": 344, "polynorm": 512}
EPS = 1e-5
ROPE_THETA = 10000.0


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = EPS):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class PolyNorm(nn.Module):
    """PolyNorm of order 3 as in the paper's reference code (unfused)."""

    def __init__(self, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(3) / 3)
        self.bias = nn.Parameter(torch.zeros(1))
        self.eps = eps

    def _norm(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)

    def forward(self, x):
        return (self.weight[0] * self._norm(x**3) + self.weight[1] * self._norm(x**2)
                + self.weight[2] * self._norm(x) + self.bias)


def rope_tables(seq: int, head_dim: int):
    inv_freq = 1.0 / (ROPE_THETA ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    angles = torch.outer(torch.arange(seq, dtype=torch.float32), inv_freq)
    emb = torch.cat([angles, angles], dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.k = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.v = nn.Linear(D_MODEL, D_MODEL, bias=False)
        self.o = nn.Linear(D_MODEL, D_MODEL, bias=False)

    def forward(self, x, cos, sin):
        b, s, d = x.shape
        hd = d // HEADS
        q = self.q(x).view(b, s, HEADS, hd).transpose(1, 2)
        k = self.k(x).view(b, s, HEADS, hd).transpose(1, 2)
        v = self.v(x).view(b, s, HEADS, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        ctx = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o(ctx.transpose(1, 2).reshape(b, s, d))


class Mlp(nn.Module):
    def __init__(self, activation: str):
        super().__init__()
        width = WIDTHS[activation]
        self.activation = activation
        self.up = nn.Linear(D_MODEL, width, bias=False)
        self.down = nn.Linear(width, D_MODEL, bias=False)
        if activation == "swiglu":
            self.gate = nn.Linear(D_MODEL, width, bias=False)
        else:
            self.act = PolyNorm()

    def forward(self, x):
        if self.activation == "swiglu":
            return self.down(F.silu(self.gate(x)) * self.up(x))
        return self.down(self.act(self.up(x)))


class Block(nn.Module):
    def __init__(self, activation: str):
        super().__init__()
        self.input_norm = RMSNorm(D_MODEL)
        self.attn = Attention()
        self.post_norm = RMSNorm(D_MODEL)
        self.mlp = Mlp(activation)

    def forward(self, x, cos, sin):
        x = x + self.attn(self.input_norm(x), cos, sin)
        return x + self.mlp(self.post_norm(x))


class TinyLM(nn.Module):
    def __init__(self, activation: str):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D_MODEL)
        self.layers = nn.ModuleList(Block(activation) for _ in range(LAYERS))
        self.norm = RMSNorm(D_MODEL)
        self.head = nn.Linear(D_MODEL, VOCAB, bias=False)
        cos, sin = rope_tables(SEQ, D_MODEL // HEADS)
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)
        for p in self.parameters():
            if p.dim() == 2:
                nn.init.normal_(p, std=0.02)

    def forward(self, tokens):
        h = self.embed(tokens)
        for layer in self.layers:
            h = layer(h, self.cos, self.sin)
        return self.head(self.norm(h))


def bench_activation(activation: str, steps: int, warmup: int, seed: int, mode: str):
    torch.manual_seed(seed)
    model = TinyLM(activation)
    forward = torch.compile(model) if mode == "compile" else model
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
    gen = torch.Generator().manual_seed(seed + 1)
    batches = [torch.randint(0, VOCAB, (BATCH, SEQ + 1), generator=gen) for _ in range(steps + warmup)]
    times = []
    loss_value = float("nan")
    for i, batch in enumerate(batches):
        t0 = time.perf_counter()
        logits = forward(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss_value = loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - t0) * 1000)
    ms = statistics.median(times)
    return {
        "name": "train-tiny",
        "backend": "pytorch",
        "mode": mode,
        "activation": activation,
        "msPerStepMedian": round(ms, 2),
        "msPerStepMin": round(min(times), 2),
        "msPerStep": [round(t, 2) for t in times],
        "tokensPerSecond": round(BATCH * SEQ / (ms / 1000), 1),
        "parameters": sum(p.numel() for p in model.parameters()),
        "finalLoss": round(loss_value, 4),
    }


def matmul_gflops(n: int = 2048, reps: int = 5) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def blas_of_build() -> str:
    """The BLAS this torch was built with, from its build settings (e.g. `mkl`, `open`, `openblas`)."""
    config = torch.__config__.show()
    found = re.search(r"BLAS_INFO=([^,\s]+)", config)
    if found:
        return found.group(1)
    return "mkl" if "Math Kernel Library" in config else "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mode", choices=["eager", "compile"], default="eager")
    parser.add_argument("--activation", choices=sorted(WIDTHS), action="append")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    activations = args.activation or ["swiglu", "polynorm"]
    results = [bench_activation(a, args.steps, args.warmup, args.seed, args.mode) for a in activations]
    env = {"torch": torch.__version__, "mode": args.mode, "blas": blas_of_build(), "threads": torch.get_num_threads(),
           "python": platform.python_version(), "machine": platform.machine(),
           "matmul2048GFlops": round(matmul_gflops(), 1)}
    for r in results:
        r["env"] = env
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
