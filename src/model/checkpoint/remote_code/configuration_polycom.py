"""Configuration of the polycom-repro decoder (shipped with every checkpoint that stock transformers cannot load).

The config.json keys are Hugging Face's Llama/OLMoE keys plus this project's own (`poly_order`, `qk_norm`,
`router_z_loss_coef`); every key is kept as an attribute. The dense family has no `num_experts`.
Written for transformers 4.x and 5.x; the canonical definition of each key is src/model/config.ts.
"""

try:
    from transformers import PreTrainedConfig as _Base  # transformers 5
except ImportError:  # transformers 4
    from transformers import PretrainedConfig as _Base


class PolycomConfig(_Base):
    model_type = "polycom"
