"""PyTorch implementation of the polycom-repro decoder, for transformers (`trust_remote_code=True`).

One source for three uses: the modelling code shipped in our checkpoints (config.json `auto_map`), the float64
reference that checks `deno task cli score` (tools/torch_reference.py) and the PyTorch side of the step-by-step
training comparison (tools/torch_train.py).

Architecture (the project's spec; parameter names are the checkpoint's): pre-norm RMSNorm blocks; bias-free
q/k/v/o projections with grouped-query attention (`num_key_value_heads`); optional QK-norm over the full q and k
width before the head split; RoPE (rotate_half, `rope_theta`); causal softmax attention with scale 1/sqrt(head_dim);
MLP gated SwiGLU (`hidden_act: silu`) or non-gated (gelu, relu, relu2, silu_nongated, polyrelu, polynorm) with the
PolyCom coefficients [a0..ar] in `mlp.act_fn.coefficients` (shared by a layer's experts); OLMoE routing (softmax,
top-k, optional renormalisation) with the load-balancing and router z-loss; final norm; `lm_head` or tied embeddings.
Init follows the project's recipes (src/model/init.ts): dense (Megatron) N(0, σ) with output projections
σ/sqrt(2·layers); MoE (OLMo) N(0, σ) truncated at ±3σ; norms 1; coefficients [0, 1/r, ..., 1/r].
"""

import math

import torch
import torch.nn.functional as F
from torch import nn
from transformers import PreTrainedModel
from transformers.modeling_outputs import CausalLMOutputWithPast

try:
    from .configuration_polycom import PolycomConfig
except ImportError:  # imported as a plain module (tools/torch_reference.py)
    from configuration_polycom import PolycomConfig

POLY_NORM_EPS = 1e-6
OLMO_INIT_CUTOFF = 3.0
LEARNABLE = ("polyrelu", "polynorm")


def cfg_get(config, key, default):
    value = getattr(config, key, None)
    return default if value is None else value


def is_moe(config):
    return getattr(config, "num_experts", None) is not None


class RMSNorm(nn.Module):
    def __init__(self, width, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(width))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Activation(nn.Module):
    """The MLP activation; holds the PolyCom coefficients [a0..ar] (ascending powers) when it has them."""

    def __init__(self, config):
        super().__init__()
        self.name = config.hidden_act
        if self.name in LEARNABLE:
            order = cfg_get(config, "poly_order", 3)
            self.coefficients = nn.Parameter(torch.tensor([0.0] + [1.0 / order] * order))

    def forward(self, up, gate=None):
        act = self.name
        if act == "silu":
            return F.silu(gate) * up
        if act == "silu_nongated":
            return F.silu(up)
        if act == "gelu":
            return F.gelu(up)
        if act == "relu":
            return torch.relu(up)
        if act == "relu2":
            return torch.relu(up) ** 2
        a = self.coefficients.to(up.dtype)
        if act == "polyrelu":
            r = torch.relu(up)
            return a[0] + sum(a[i] * r**i for i in range(1, a.shape[0]))
        if act == "polynorm":
            out = a[0] + torch.zeros_like(up)
            for i in range(1, a.shape[0]):
                p = up**i
                out = out + a[i] * p * torch.rsqrt(p.pow(2).mean(-1, keepdim=True) + POLY_NORM_EPS)
            return out
        raise ValueError(f"unknown hidden_act {act}")


class Expert(nn.Module):
    """One MLP's matrices (the dense MLP, or one expert); the activation is passed in."""

    def __init__(self, config):
        super().__init__()
        d, w = config.hidden_size, config.intermediate_size
        if config.hidden_act == "silu":
            self.gate_proj = nn.Linear(d, w, bias=False)
        self.up_proj = nn.Linear(d, w, bias=False)
        self.down_proj = nn.Linear(w, d, bias=False)
        self.down_proj.output_projection = True  # Megatron's scaled init
        self.gated = config.hidden_act == "silu"

    def forward(self, x, act):
        gate = self.gate_proj(x) if self.gated else None
        return self.down_proj(act(self.up_proj(x), gate))


class DenseMLP(Expert):
    def __init__(self, config):
        super().__init__(config)
        self.act_fn = Activation(config)

    def forward(self, x):
        return super().forward(x, self.act_fn), None


class MoeMLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.top_k = config.num_experts_per_tok
        self.norm_topk = bool(cfg_get(config, "norm_topk_prob", False))
        self.gate = nn.Linear(config.hidden_size, config.num_experts, bias=False)
        self.experts = nn.ModuleList([Expert(config) for _ in range(config.num_experts)])
        self.act_fn = Activation(config)

    def forward(self, x):
        """x: [..., d] -> (y, (load_balancing, z_loss)) over all tokens of the batch."""
        shape = x.shape
        flat = x.reshape(-1, shape[-1])
        logits = self.gate(flat)
        probs = logits.softmax(-1)
        top_p, top_e = probs.topk(self.top_k, dim=-1)
        if self.norm_topk:
            top_p = top_p / top_p.sum(-1, keepdim=True)
        out = torch.zeros_like(flat)
        counts = torch.zeros(len(self.experts), dtype=flat.dtype, device=flat.device)
        for e, expert in enumerate(self.experts):
            rows, slots = (top_e == e).nonzero(as_tuple=True)
            counts[e] = rows.numel()
            if rows.numel():
                y = expert(flat[rows], self.act_fn)
                out = out.index_add(0, rows, y * top_p[rows, slots].unsqueeze(-1))
        tokens = flat.shape[0]
        experts = len(self.experts)
        load_balancing = experts * (counts * probs.mean(0)).sum() / (tokens * self.top_k)
        z_loss = torch.logsumexp(logits, -1).pow(2).mean()
        return out.reshape(shape), (load_balancing, z_loss)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        d = config.hidden_size
        self.heads = config.num_attention_heads
        self.kv_heads = cfg_get(config, "num_key_value_heads", self.heads)
        self.head_dim = d // self.heads
        kv = self.kv_heads * self.head_dim
        self.q_proj = nn.Linear(d, d, bias=False)
        self.k_proj = nn.Linear(d, kv, bias=False)
        self.v_proj = nn.Linear(d, kv, bias=False)
        self.o_proj = nn.Linear(d, d, bias=False)
        self.o_proj.output_projection = True  # Megatron's scaled init
        self.qk_norm = bool(cfg_get(config, "qk_norm", False))
        if self.qk_norm:
            eps = cfg_get(config, "rms_norm_eps", 1e-5)
            self.q_norm = RMSNorm(d, eps)
            self.k_norm = RMSNorm(kv, eps)
        self.theta = float(cfg_get(config, "rope_theta", 10000.0))

    def forward(self, x):
        b, s, d = x.shape
        hd = self.head_dim
        q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        if self.qk_norm:
            q, k = self.q_norm(q), self.k_norm(k)
        q = q.view(b, s, self.heads, hd).transpose(1, 2)
        k = k.view(b, s, self.kv_heads, hd).transpose(1, 2)
        v = v.view(b, s, self.kv_heads, hd).transpose(1, 2)
        inv_freq = 1.0 / self.theta ** (torch.arange(0, hd, 2, dtype=torch.float64, device=x.device) / hd)
        angles = torch.outer(torch.arange(s, dtype=torch.float64, device=x.device), inv_freq)
        emb = torch.cat([angles, angles], -1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = self.heads // self.kv_heads
        k = k.repeat_interleave(group, dim=1)  # query head h reads key/value head h // group (repeat_kv)
        v = v.repeat_interleave(group, dim=1)
        scores = (q / math.sqrt(hd)) @ k.transpose(-1, -2)
        mask = torch.ones(s, s, dtype=torch.bool, device=x.device).triu(1)
        scores = scores.masked_fill(mask, float("-inf"))
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, d)
        return self.o_proj(ctx)


class DecoderLayer(nn.Module):
    def __init__(self, config):
        super().__init__()
        eps = cfg_get(config, "rms_norm_eps", 1e-5)
        self.input_layernorm = RMSNorm(config.hidden_size, eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, eps)
        self.mlp = MoeMLP(config) if is_moe(config) else DenseMLP(config)

    def forward(self, x):
        x = x + self.self_attn(self.input_layernorm(x))
        y, aux = self.mlp(self.post_attention_layernorm(x))
        return x + y, aux


class PolycomPreTrainedModel(PreTrainedModel):
    config_class = PolycomConfig
    base_model_prefix = "model"
    _no_split_modules = ["DecoderLayer"]

    def _init_weights(self, module):
        """The project's init (src/model/init.ts), for the tensors transformers asks to initialise: never one
        already loaded (transformers marks those `_is_hf_initialized`)."""
        config = self.config
        std = cfg_get(config, "initializer_range", 0.02)

        def fresh(t):
            return not getattr(t, "_is_hf_initialized", False)

        with torch.no_grad():
            if isinstance(module, (nn.Linear, nn.Embedding)) and fresh(module.weight):
                sigma = std
                if not is_moe(config) and getattr(module, "output_projection", False):
                    sigma = std / math.sqrt(2 * config.num_hidden_layers)
                if is_moe(config):
                    cut = OLMO_INIT_CUTOFF * sigma
                    nn.init.trunc_normal_(module.weight, 0.0, sigma, -cut, cut)
                else:
                    nn.init.normal_(module.weight, 0.0, sigma)
            elif isinstance(module, RMSNorm) and fresh(module.weight):
                module.weight.fill_(1.0)
            elif isinstance(module, Activation) and hasattr(module, "coefficients") and fresh(module.coefficients):
                order = module.coefficients.shape[0] - 1
                module.coefficients.copy_(torch.tensor([0.0] + [1.0 / order] * order))


class PolycomModel(PolycomPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(config) for _ in range(config.num_hidden_layers)])
        self.norm = RMSNorm(config.hidden_size, cfg_get(config, "rms_norm_eps", 1e-5))
        self.post_init()

    def forward(self, input_ids):
        x = self.embed_tokens(input_ids)
        aux = []
        for layer in self.layers:
            x, layer_aux = layer(x)
            if layer_aux is not None:
                aux.append(layer_aux)
        return self.norm(x), aux


class PolycomForCausalLM(PolycomPreTrainedModel):
    _tied_weights_keys = {"lm_head.weight": "model.embed_tokens.weight"}

    def __init__(self, config):
        super().__init__(config)
        self.model = PolycomModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.post_init()

    def get_input_embeddings(self):
        return self.model.embed_tokens

    def get_output_embeddings(self):
        return self.lm_head

    def aux_loss(self, aux):
        """The weighted MoE auxiliary loss: coefficient × mean over layers, as the project trains."""
        if not aux:
            return None
        layers = len(aux)
        lb = sum(a[0] for a in aux) / layers
        z = sum(a[1] for a in aux) / layers
        return cfg_get(self.config, "router_aux_loss_coef", 0.01) * lb + cfg_get(
            self.config, "router_z_loss_coef", 0.001
        ) * z

    def forward(self, input_ids=None, labels=None, targets=None, **kwargs):
        """Logits [b, s, V]. With `labels` (transformers' convention: the input ids, shifted here) or `targets`
        (the next token of each input position, unshifted), `loss` is the mean next-token cross-entropy plus the
        weighted MoE auxiliary loss, as the project trains."""
        hidden, aux = self.model(input_ids)
        logits = self.lm_head(hidden)
        loss = None
        if labels is not None or targets is not None:
            lg, tg = (logits[:, :-1], labels[:, 1:]) if targets is None else (logits, targets)
            loss = F.cross_entropy(lg.reshape(-1, lg.shape[-1]), tg.reshape(-1))
            extra = self.aux_loss(aux)
            if extra is not None:
                loss = loss + extra
        return CausalLMOutputWithPast(loss=loss, logits=logits)
