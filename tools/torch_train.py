#!/usr/bin/env python3
"""Trains one of our checkpoints step by step with torch.optim.AdamW, for the comparison with our Trainer
(tests/model/torch_train_test.ts): the same recipe, the same batches, the same learning rates.

    python tools/torch_train.py --checkpoint DIR --batches FILE.json [--decay-exclude one_dim|coefficients]
        [--betas 0.9 0.95] [--eps 1e-8] [--weight-decay 0.1] [--grad-clip 1.0] [--dtype float32|float64]

FILE.json: {"batchSize": B, "seqLen": S, "lrs": [lr per step], "batches": [{"inputs": [B·S ids], "targets":
[B·S ids]}, ...]} (row-major; targets are the next tokens of inputs). Prints {"loss": [...], "ce": [...],
"aux": [...], "gradNorm": [...]} per step, each measured before that step's update, as our Trainer reports.

The model is the modelling code our checkpoints ship (src/model/checkpoint/remote_code, via
tools/torch_reference.py). The recipe (src/model/optim/adamw.ts, train_step.ts): loss = mean next-token
cross-entropy + weighted MoE aux losses; gradients clipped to a global L2 norm (torch.nn.utils.clip_grad_norm_,
coefficient max_norm / (norm + 1e-6), at most 1); AdamW with decoupled decay, where `one_dim` (dense, Megatron)
exempts every 1-D parameter and `coefficients` (MoE, OLMo) only the PolyCom coefficients.
"""

import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_reference  # noqa: E402


def decays(name, param, rule):
    if name.endswith("act_fn.coefficients"):
        return False
    return param.dim() >= 2 if rule == "one_dim" else True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--batches", required=True)
    parser.add_argument("--decay-exclude", choices=["one_dim", "coefficients"], default="one_dim")
    parser.add_argument("--betas", type=float, nargs=2, default=[0.9, 0.95])
    parser.add_argument("--eps", type=float, default=1e-8)
    parser.add_argument("--weight-decay", type=float, default=0.1)
    parser.add_argument("--grad-clip", type=float, default=1.0)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    args = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    dtype = getattr(torch, args.dtype)
    with open(os.path.join(args.checkpoint, "config.json")) as f:
        cfg = json.load(f)
    weights = torch_reference.read_safetensors(os.path.join(args.checkpoint, "model.safetensors"))
    model = torch_reference.polycom_model(cfg, weights, dtype).train()
    with open(args.batches) as f:
        spec = json.load(f)
    named = list(model.named_parameters())  # tied parameters appear once
    groups = [
        {"params": [p for n, p in named if decays(n, p, args.decay_exclude)], "weight_decay": args.weight_decay},
        {"params": [p for n, p in named if not decays(n, p, args.decay_exclude)], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=spec["lrs"][0], betas=tuple(args.betas), eps=args.eps, foreach=False)
    shape = (spec["batchSize"], spec["seqLen"])
    out = {"loss": [], "ce": [], "aux": [], "gradNorm": []}
    for lr, batch in zip(spec["lrs"], spec["batches"]):
        inputs = torch.tensor(batch["inputs"], dtype=torch.long).reshape(shape)
        targets = torch.tensor(batch["targets"], dtype=torch.long).reshape(shape)
        hidden, aux_parts = model.model(inputs)
        logits = model.lm_head(hidden)
        ce = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        aux = model.aux_loss(aux_parts)
        loss = ce + aux if aux is not None else ce
        opt.zero_grad()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        for group in opt.param_groups:
            group["lr"] = lr
        opt.step()
        out["loss"].append(loss.item())
        out["ce"].append(ce.item())
        out["aux"].append(0.0 if aux is None else aux.item())
        out["gradNorm"].append(norm.item())
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
