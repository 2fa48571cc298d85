#!/usr/bin/env python3
"""Pretrain a BERT masked-LM teacher with PyTorch on rows exported by `export_rows.ts`, and save
it as a Hugging Face BERT folder that cohesive loads like any other teacher.

    python3 pretrain.py --rows DIR --out DIR --name t1 --layers 4 --hidden 256 --heads 4
        [--intermediate 4H] [--seed 1] [--minutes 2.5 | --steps N] [--batch 256] [--lr 1e-3]
        [--warmup 0.05] [--dropout 0] [--device cuda|cpu] [--bf16] [--eval-every 500]

The rows are exactly what `distill teacher` reads (cohesive's WordPiece, packing and held-out
split), masked here with BERT's 80/10/10 rule at 15 %. The model is written out in plain torch
with Hugging Face's parameter names (`BertForPreTraining` without the pooler and NSP head, which
cohesive's loader accepts), post-LN, exact GELU, decoder tied to the word embeddings. AdamW
(β 0.9/0.999, ε 1e-6, weight decay 0.01 except biases and LayerNorm), linear warm-up then linear
decay to 0. With --minutes the step count is fixed after 20 timed steps so the schedule ends
when the budget does.

Writes OUT/NAME/{config.json, model.safetensors (F16), vocab.txt, made.json} atomically (a
temporary folder, then rename) and OUT/NAME.log.jsonl (one line per evaluation).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import struct
import sys
import time


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"pretrain: {message} (see --help)\n")


def parse_args(argv):
    ap = _Parser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", required=True, help="folder written by export_rows.ts")
    ap.add_argument("--out", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--intermediate", type=int, default=0, help="default 4·hidden")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--minutes", type=float, default=0.0, help="training budget (sets --steps)")
    ap.add_argument("--steps", type=int, default=0)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=float, default=0.05)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast (CUDA)")
    ap.add_argument("--eval-every", type=int, default=500)
    ap.add_argument("--eval-rows", type=int, default=512)
    a = ap.parse_args(argv)
    if (a.minutes > 0) == (a.steps > 0):
        ap.error("give exactly one of --minutes and --steps")
    if a.hidden % a.heads != 0:
        ap.error("--hidden must be a multiple of --heads")
    if a.intermediate == 0:
        a.intermediate = 4 * a.hidden
    return a


def fail(msg: str) -> None:
    print(f"pretrain: {msg}", file=sys.stderr)
    sys.exit(1)


def load_rows(torch, folder: str):
    try:
        with open(os.path.join(folder, "meta.json")) as f:
            meta = json.load(f)
    except OSError as e:
        fail(f"cannot read {folder}/meta.json: {e.strerror}")
    if meta.get("format") != "cohesive-mlm-rows":
        fail(f"{folder}/meta.json: not rows written by export_rows.ts")
    seq = meta["seq"]

    def read(name):
        path = os.path.join(folder, name)
        try:
            raw = open(path, "rb").read()
        except OSError as e:
            fail(f"cannot read {path}: {e.strerror}")
        if len(raw) % (2 * seq) != 0:
            fail(f"{path}: size is not a whole number of {seq}-token rows")
        import numpy as np

        return torch.from_numpy(np.frombuffer(raw, dtype="<u2").astype("int64")).view(-1, seq)

    return meta, read("train.u16"), read("heldout.u16")


def build_model(torch, cfg):
    nn = torch.nn
    F = torch.nn.functional
    H, A, I = cfg["hidden_size"], cfg["num_attention_heads"], cfg["intermediate_size"]
    eps, p = cfg["layer_norm_eps"], cfg["hidden_dropout_prob"]

    class Embeddings(nn.Module):
        def __init__(self):
            super().__init__()
            self.word_embeddings = nn.Embedding(cfg["vocab_size"], H)
            self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], H)
            self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], H)
            self.LayerNorm = nn.LayerNorm(H, eps=eps)
            self.dropout = nn.Dropout(p)

        def forward(self, ids):  # ids [B, T]
            T = ids.shape[1]
            pos = torch.arange(T, device=ids.device)
            x = self.word_embeddings(ids) + self.position_embeddings(pos)[None]
            x = x + self.token_type_embeddings.weight[0]
            return self.dropout(self.LayerNorm(x))  # [B, T, H]

    class SelfAttn(nn.Module):
        def __init__(self):
            super().__init__()
            self.query, self.key, self.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)

    class AttnOut(nn.Module):
        def __init__(self):
            super().__init__()
            self.dense = nn.Linear(H, H)
            self.LayerNorm = nn.LayerNorm(H, eps=eps)

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            setattr(self, "self", SelfAttn())
            self.output = AttnOut()

        def forward(self, x):  # x [B, T, H]; rows are packed, so no padding mask
            B, T, _ = x.shape
            s = getattr(self, "self")

            def heads(t):
                return t.view(B, T, A, H // A).transpose(1, 2)  # [B, A, T, d]

            q, k, v = heads(s.query(x)), heads(s.key(x)), heads(s.value(x))
            drop = p if self.training else 0.0
            if hasattr(F, "scaled_dot_product_attention"):
                y = F.scaled_dot_product_attention(q, k, v, dropout_p=drop)
            else:
                att = (q @ k.transpose(-1, -2)) / math.sqrt(H // A)
                y = F.dropout(att.softmax(-1), drop, self.training) @ v
            y = y.transpose(1, 2).reshape(B, T, H)  # [B, T, H]
            o = self.output
            return o.LayerNorm(x + F.dropout(o.dense(y), p, self.training))

    class Dense(nn.Module):
        def __init__(self, i, o):
            super().__init__()
            self.dense = nn.Linear(i, o)

    class Output(nn.Module):
        def __init__(self):
            super().__init__()
            self.dense = nn.Linear(I, H)
            self.LayerNorm = nn.LayerNorm(H, eps=eps)

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = Attention()
            self.intermediate = Dense(H, I)
            self.output = Output()

        def forward(self, x):
            x = self.attention(x)
            h = F.gelu(self.intermediate.dense(x))  # [B, T, I], exact erf GELU
            o = self.output
            return o.LayerNorm(x + F.dropout(o.dense(h), p, self.training))

    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.ModuleList([Layer() for _ in range(cfg["num_hidden_layers"])])

    class Body(nn.Module):
        def __init__(self):
            super().__init__()
            self.embeddings = Embeddings()
            self.encoder = Encoder()

    class Transform(nn.Module):
        def __init__(self):
            super().__init__()
            self.dense = nn.Linear(H, H)
            self.LayerNorm = nn.LayerNorm(H, eps=eps)

    class Predictions(nn.Module):
        def __init__(self):
            super().__init__()
            self.transform = Transform()
            self.bias = nn.Parameter(torch.zeros(cfg["vocab_size"]))

    class Cls(nn.Module):
        def __init__(self):
            super().__init__()
            self.predictions = Predictions()

    class BertMLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = Body()
            self.cls = Cls()
            std = cfg["initializer_range"]
            for m in self.modules():
                if isinstance(m, (nn.Linear, nn.Embedding)):
                    nn.init.normal_(m.weight, 0.0, std)
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.bias)

        def forward(self, ids, flat_pos):  # ids [B, T], flat_pos [N] indices into B·T
            x = self.bert.embeddings(ids)
            for layer in self.bert.encoder.layer:
                x = layer(x)
            x = x.reshape(-1, H)[flat_pos]  # [N, H]
            t = self.cls.predictions.transform
            x = t.LayerNorm(F.gelu(t.dense(x)))
            emb = self.bert.embeddings.word_embeddings.weight
            return x @ emb.t() + self.cls.predictions.bias  # [N, V]

    return BertMLM()


def mask_batch(torch, rows, meta, gen, prob=0.15):
    """BERT's 80/10/10 masking of `rows` [B, T]; returns inputs, flat positions and labels."""
    special = (rows == meta["cls_id"]) | (rows == meta["sep_id"]) | (rows == meta["pad_id"])
    u = torch.rand(rows.shape, generator=gen, device=rows.device)
    chosen = (u < prob) & ~special
    r = torch.rand(rows.shape, generator=gen, device=rows.device)
    rand_ids = torch.randint(0, meta["vocab_size"], rows.shape, generator=gen, device=rows.device)
    inputs = rows.clone()
    inputs[chosen & (r < 0.8)] = meta["mask_id"]
    swap = chosen & (r >= 0.8) & (r < 0.9)
    inputs[swap] = rand_ids[swap]
    flat = chosen.reshape(-1).nonzero().squeeze(1)
    return inputs, flat, rows.reshape(-1)[flat]


def write_safetensors_f16(torch, path, tensors):
    """The safetensors format: 8-byte header length, JSON header, raw little-endian F16 data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu", torch.float16).contiguous()
        data = t.numpy().tobytes()
        header[name] = {"dtype": "F16", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main(argv=None) -> int:
    a = parse_args(argv)
    import torch

    if a.device == "cuda" and not torch.cuda.is_available():
        fail("--device cuda but torch sees no CUDA device (use --device cpu for a dry run)")
    dev = torch.device(a.device)
    torch.manual_seed(a.seed)
    meta, train, held = load_rows(torch, a.rows)
    T = meta["seq"]
    cfg = {
        "architectures": ["BertForMaskedLM"], "model_type": "bert",
        "vocab_size": meta["vocab_size"], "hidden_size": a.hidden,
        "num_hidden_layers": a.layers, "num_attention_heads": a.heads,
        "intermediate_size": a.intermediate, "hidden_act": "gelu",
        "hidden_dropout_prob": a.dropout, "attention_probs_dropout_prob": a.dropout,
        "max_position_embeddings": 512, "type_vocab_size": 2, "initializer_range": 0.02,
        "layer_norm_eps": 1e-12, "pad_token_id": meta["pad_id"],
    }
    model = build_model(torch, cfg).to(dev)
    params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    nodecay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": nodecay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.999), eps=1e-6)
    gen = torch.Generator(device=dev)
    gen.manual_seed(a.seed)
    train = train.to(dev)
    held = held[: a.eval_rows].to(dev)
    egen = torch.Generator(device=dev)
    egen.manual_seed(1234)
    held_batch = mask_batch(torch, held, meta, egen)  # fixed masks for every evaluation
    amp = torch.autocast("cuda", dtype=torch.bfloat16) if (a.bf16 and a.device == "cuda") else None
    os.makedirs(a.out, exist_ok=True)
    log_path = os.path.join(a.out, f"{a.name}.log.jsonl")
    log = open(log_path, "w")

    def evaluate():
        model.eval()
        with torch.no_grad():
            inputs, flat, labels = held_batch
            losses = []
            for s in range(0, inputs.shape[0], 64):
                rows = inputs[s:s + 64]
                lo, hi = s * T, (s + rows.shape[0]) * T
                sel = (flat >= lo) & (flat < hi)
                if amp:
                    with amp:
                        logits = model(rows, flat[sel] - lo)
                else:
                    logits = model(rows, flat[sel] - lo)
                losses.append(torch.nn.functional.cross_entropy(
                    logits.float(), labels[sel], reduction="sum"))
        model.train()
        return float(sum(losses) / labels.numel())

    steps = a.steps if a.steps > 0 else 10 ** 9
    warm = max(1, int(a.warmup * steps))

    def lr_at(step):
        if step < warm:
            return a.lr * (step + 1) / warm
        return a.lr * max(0.0, (steps - step) / max(1, steps - warm))

    model.train()
    t0 = time.time()
    step, timed_from = 0, None
    while step < steps:
        if a.minutes > 0 and step == 10:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            timed_from = time.time()
        if a.minutes > 0 and step == 30:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            per_step = (time.time() - timed_from) / 20
            steps = max(31, int((a.minutes * 60 - (time.time() - t0)) / per_step) + 30)
            warm = max(1, int(a.warmup * steps))
            print(f"{a.name}: {per_step * 1000:.1f} ms/step, schedule set to {steps} steps",
                  file=sys.stderr)
        idx = torch.randint(0, train.shape[0], (a.batch,), generator=gen, device=dev)
        inputs, flat, labels = mask_batch(torch, train[idx], meta, gen)
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        if amp:
            with amp:
                logits = model(inputs, flat)
        else:
            logits = model(inputs, flat)
        loss = torch.nn.functional.cross_entropy(logits.float(), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % a.eval_every == 0 or step == steps:
            h = evaluate()
            rec = {"step": step, "train_loss": float(loss), "heldout_loss": h,
                   "seconds": round(time.time() - t0, 1)}
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(f"{a.name}: step {step}/{steps} train {float(loss):.3f} held-out {h:.3f} "
                  f"(ppl {math.exp(h):.1f}) {time.time() - t0:.0f} s", file=sys.stderr)
    if dev.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.time() - t0
    heldout = evaluate()
    final = os.path.join(a.out, a.name)
    tmp = final + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    shutil.copy(os.path.join(a.rows, "vocab.txt"), os.path.join(tmp, "vocab.txt"))
    write_safetensors_f16(torch, os.path.join(tmp, "model.safetensors"), model.state_dict())
    made = {
        "name": a.name, "made_with": f"pytorch {torch.__version__} {dev.type}"
        + (f" ({torch.cuda.get_device_name(0)})" if dev.type == "cuda" else ""),
        "layers": a.layers, "hidden": a.hidden, "heads": a.heads,
        "intermediate": a.intermediate, "params": params, "seed": a.seed, "steps": steps,
        "batch": a.batch, "seq": T, "tokens": steps * a.batch * T, "lr": a.lr,
        "dropout": a.dropout, "bf16": bool(amp), "seconds": round(seconds, 1),
        "tokens_per_s": round(steps * a.batch * T / seconds),
        "heldout_loss_python": heldout, "heldout_rows": int(held.shape[0]),
    }
    with open(os.path.join(tmp, "made.json"), "w") as f:
        json.dump(made, f, indent=2)
    shutil.rmtree(final, ignore_errors=True)
    os.rename(tmp, final)
    print(json.dumps(made))
    return 0


if __name__ == "__main__":
    sys.exit(main())
