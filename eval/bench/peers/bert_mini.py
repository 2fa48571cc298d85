#!/usr/bin/python3
"""PyTorch peer of `deno task bench`: BERT-mini masked-LM steps in plain torch, CPU or CUDA.

    /usr/bin/python3 eval/bench/peers/bert_mini.py --mode train|infer|distill [--steps 10]
        [--warmup 2] [--batch 32] [--seq 128] [--threads N] [--teachers 3] [--topk 64] [--json]
        [--device cpu|cuda] [--autocast bf16]

Model: BERT-mini (4 layers, hidden 256, 4 heads, intermediate 1024, vocab 30,522, post-LN,
exact GELU, LayerNorm eps 1e-12, MLM decoder tied to the word embeddings), written out here
without the transformers package, in Hugging Face's layout (separate q/k/v projections).
Batches: random token ids with [CLS] ... [SEP], no padding (the additive attention mask is still
applied, as HF does), round(15 % · seq) masked positions per sequence (80 % [MASK], 10 % random,
10 % kept); MLM logits are computed only at the masked positions.

  train    dropout (default 0.1) on, forward + cross-entropy + backward + AdamW (lr 1e-4, wd 0.01)
  infer    eval mode, torch.inference_mode(), forward + MLM logits at the masked positions
  distill  the train step plus a KD loss against cached teacher outputs: per masked position, each
           of --teachers teachers holds its top-k (k=64) token ids and probabilities (precomputed,
           so only the mixing and the KL term cost anything). Teachers are mixed per token with
           weights = each teacher's probability of the gold token, normalised over teachers.
           loss = a_kd·T²·KL(q ‖ softmax(z/T)) + a_mlm·CE, T = 2, a_kd = a_mlm = 0.5.

Device and precision: --device cuda runs everything on the first CUDA device and fails (exit 1)
when torch sees none: it never falls back to the CPU. Default precision is fp32 eager (on CUDA with
TF32 matmuls left at PyTorch's default, off); --autocast bf16 runs forward and loss under
torch.autocast(bfloat16), weights and optimizer in fp32 (mixed precision, as AMP training does).
On CUDA every timed step ends with torch.cuda.synchronize().

Batches and teacher caches are made before timing (a pool of 4, cycled). Tokens/s counts every
position of every sequence: batch · seq · timed steps / timed seconds. With --json, prints one JSON
object (see README.md); otherwise one summary line. Threads: --threads N sets torch intra-op
threads, OMP_NUM_THREADS and OPENBLAS_NUM_THREADS (before torch is imported).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import sys
import time


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake on one line and exits 2."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"bert_mini: {message} (see --help)\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = _Parser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=["train", "infer", "distill"], default="train")
    ap.add_argument("--steps", type=int, default=10, help="timed steps (default 10)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed steps first (default 2)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--teachers", type=int, default=3, help="distill: number of cached teachers")
    ap.add_argument("--topk", type=int, default=64, help="distill: cached probabilities per teacher")
    ap.add_argument("--temperature", type=float, default=2.0)
    ap.add_argument("--alpha-kd", type=float, default=0.5)
    ap.add_argument("--alpha-mlm", type=float, default=0.5)
    ap.add_argument("--mask-prob", type=float, default=0.15)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--dropout", type=float, default=0.1, help="train/distill dropout (0 = off)")
    ap.add_argument("--vocab", type=int, default=30522)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--intermediate", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--autocast", choices=["none", "bf16"], default="none",
                    help="bf16: forward and loss under torch.autocast(bfloat16)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    a = ap.parse_args(argv)
    problems = [
        (a.steps < 1, "--steps must be >= 1"),
        (a.warmup < 0, "--warmup must be >= 0"),
        (a.batch < 1, "--batch must be >= 1"),
        (not 3 <= a.seq <= 512, "--seq must lie in [3, 512]"),
        (a.threads < 1, "--threads must be >= 1"),
        (a.teachers < 1, "--teachers must be >= 1"),
        (not 1 <= a.topk <= a.vocab, "--topk must lie in [1, vocab]"),
        (a.hidden % a.heads != 0, "--hidden must be divisible by --heads"),
        (a.vocab < 200, "--vocab must be >= 200 (ids 100..103 are specials)"),
        (not 0 < a.mask_prob < 1, "--mask-prob must lie in (0, 1)"),
    ]
    for bad, msg in problems:
        if bad:
            ap.exit(2, f"bert_mini: {msg}\n")
    return a


def build(args):
    """Define the model with torch imported (after the thread variables are set)."""
    import torch
    from torch import nn
    import torch.nn.functional as F

    H, A, I, V, eps = args.hidden, args.heads, args.intermediate, args.vocab, 1e-12

    class LayerNorm(nn.LayerNorm):
        """LayerNorm in fp32 under autocast, as CUDA's autocast runs it (older CPU autocast did
        not, and then failed on bf16 input with fp32 weights); a no-op cast in fp32."""

        def forward(self, x):
            return super().forward(x.float())

    class SelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.query, self.key, self.value = nn.Linear(H, H), nn.Linear(H, H), nn.Linear(H, H)
            self.dense = nn.Linear(H, H)
            self.drop_p = args.dropout

        def forward(self, x, add_mask):  # x [B, T, H], add_mask [B, 1, 1, T]
            B, T, _ = x.shape
            split = lambda y: y.view(B, T, A, H // A).transpose(1, 2)  # noqa: E731  [B, A, T, D]
            q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
            s = q @ k.transpose(-1, -2) / math.sqrt(H // A) + add_mask  # [B, A, T, T]
            p = F.dropout(s.softmax(-1), self.drop_p, self.training)
            ctx = (p @ v).transpose(1, 2).reshape(B, T, H)  # [B, T, H]
            return self.dense(ctx)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = SelfAttention()
            self.ln1 = LayerNorm(H, eps=eps)
            self.up, self.down = nn.Linear(H, I), nn.Linear(I, H)
            self.ln2 = LayerNorm(H, eps=eps)
            self.drop = nn.Dropout(args.dropout)

        def forward(self, x, add_mask):  # post-LN, as BERT
            h = self.ln1(x + self.drop(self.attn(x, add_mask)))  # [B, T, H]
            f = self.down(F.gelu(self.up(h)))  # [B, T, I] -> [B, T, H]
            return self.ln2(h + self.drop(f))

    class BertMLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.word = nn.Embedding(V, H)
            self.pos = nn.Embedding(512, H)
            self.token_type = nn.Embedding(2, H)
            self.ln = LayerNorm(H, eps=eps)
            self.drop = nn.Dropout(args.dropout)
            self.blocks = nn.ModuleList(Block() for _ in range(args.layers))
            self.head_dense = nn.Linear(H, H)
            self.head_ln = LayerNorm(H, eps=eps)
            self.head_bias = nn.Parameter(torch.zeros(V))
            for m in self.modules():  # BERT's init: N(0, 0.02), zero biases
                if isinstance(m, (nn.Linear, nn.Embedding)):
                    nn.init.normal_(m.weight, 0.0, 0.02)
                if isinstance(m, nn.Linear):
                    nn.init.zeros_(m.bias)

        def forward(self, ids, types, mask, flat_pos):
            B, T = ids.shape
            pos = torch.arange(T, device=ids.device).unsqueeze(0)
            x = self.drop(self.ln(self.word(ids) + self.pos(pos) + self.token_type(types)))  # [B, T, H]
            add_mask = ((1.0 - mask[:, None, None, :]) * torch.finfo(x.dtype).min)  # [B,1,1,T]
            for blk in self.blocks:
                x = blk(x, add_mask)
            h = x.reshape(B * T, H)[flat_pos]  # [M, H] masked positions only
            h = self.head_ln(F.gelu(self.head_dense(h)))
            return h @ self.word.weight.t() + self.head_bias  # [M, V]

    return torch, F, BertMLM()


def make_batches(torch, args, n: int) -> list[dict]:
    """n batches of random ids with masking, plus (distill) cached teacher top-k outputs."""
    g = torch.Generator().manual_seed(args.seed)
    B, T, V = args.batch, args.seq, args.vocab
    n_mask = max(1, round(args.mask_prob * T))
    n_mask = min(n_mask, T - 2)
    out = []
    for _ in range(n):
        gold = torch.randint(999, V, (B, T), generator=g)  # real wordpieces start at 999
        gold[:, 0], gold[:, -1] = 101, 102  # [CLS] ... [SEP]
        # n_mask distinct positions per row among 1..T-2
        pos = torch.rand(B, T - 2, generator=g).argsort(-1)[:, :n_mask] + 1  # [B, n_mask]
        flat_pos = (pos + torch.arange(B)[:, None] * T).reshape(-1)  # [M]
        labels = gold.reshape(-1)[flat_pos]  # [M]
        ids = gold.clone().reshape(-1)
        r = torch.rand(flat_pos.shape, generator=g)
        ids[flat_pos[r < 0.8]] = 103  # [MASK]
        rnd = (r >= 0.8) & (r < 0.9)
        ids[flat_pos[rnd]] = torch.randint(999, V, (int(rnd.sum()),), generator=g)
        b = {"ids": ids.view(B, T), "types": torch.zeros(B, T, dtype=torch.long),
             "mask": torch.ones(B, T), "flat_pos": flat_pos, "labels": labels}
        if args.mode == "distill":
            M, K, k = flat_pos.numel(), args.teachers, args.topk
            logits = torch.randn(K, M, V, generator=g) * 3.0
            logits.scatter_(-1, labels.view(1, M, 1).expand(K, M, 1), 8.0)  # gold usually in top-k
            probs, idx = (logits / args.temperature).softmax(-1).topk(k, dim=-1)  # [K, M, k]
            b["t_idx"], b["t_prob"] = idx, probs  # not renormalised: the rest is each teacher's tail
            del logits
        out.append({key: v.to(args.device) for key, v in b.items()})
    return out


def blas_libraries() -> list[str]:
    """Shared objects of BLAS/LAPACK/OpenMP/oneDNN mapped into this process."""
    try:
        with open("/proc/self/maps") as f:
            return sorted({ln.split()[-1] for ln in f
                           if any(s in ln for s in ("blas", "lapack", "mkl", "libgomp", "dnnl"))})
    except OSError:
        return []


def blas_name(libs: list[str]) -> str | None:
    """The BLAS implementation among the mapped libraries (libopenblasp-r0.3.21.so, libmkl_rt, ...)."""
    names = [ln for ln in libs if any(s in ln.rsplit("/", 1)[-1] for s in ("openblas", "mkl", "blis"))]
    names = names or [ln for ln in libs if "blas" in ln.rsplit("/", 1)[-1]]
    return names[0] if names else None


def tf32_matmul(torch) -> bool | None:
    """Whether CUDA fp32 matmuls may use TF32 (None where this torch no longer says so)."""
    try:
        return bool(torch.backends.cuda.matmul.allow_tf32)
    except Exception:  # a torch that dropped the flag for its precision API
        return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    try:
        torch, F, model = build(args)
    except ImportError as e:
        print(f"bert_mini: cannot import torch under {sys.executable} ({e}); "
              "run eval/bench/peers/install.sh", file=sys.stderr)
        return 2
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    cuda = args.device == "cuda"
    if cuda and not torch.cuda.is_available():
        print(f"bert_mini: --device cuda but torch {torch.__version__} sees no CUDA device "
              "(no CPU fallback)", file=sys.stderr)
        return 1
    model = model.to(args.device)
    amp_dtype = torch.bfloat16 if args.autocast == "bf16" else None
    if amp_dtype is not None and not cuda and not hasattr(torch, "autocast"):
        print(f"bert_mini: torch {torch.__version__} has no torch.autocast", file=sys.stderr)
        return 1

    def autocast():
        import contextlib
        if amp_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=args.device, dtype=amp_dtype)

    batches = make_batches(torch, args, 4)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    T_kd = args.temperature

    def train_step(b) -> float:
        model.train()
        opt.zero_grad(set_to_none=True)
        with autocast():
            z = model(b["ids"], b["types"], b["mask"], b["flat_pos"])  # [M, V]
            loss = F.cross_entropy(z, b["labels"])
        if args.mode == "distill":
            z = z.float()  # the KD term in fp32, as the fused kernel computes it
            ce = loss
            idx, q = b["t_idx"], b["t_prob"]  # [K, M, k]
            # per-token teacher weights: each teacher's probability of the gold token
            w = ((idx == b["labels"].view(1, -1, 1)) * q).sum(-1)  # [K, M]
            w = torch.where(w.sum(0, keepdim=True) > 0, w, torch.ones_like(w))
            w = w / w.sum(0, keepdim=True)
            logp = F.log_softmax(z / T_kd, -1)  # [M, V]
            logp_t = logp.unsqueeze(0).expand(idx.shape[0], -1, -1).gather(-1, idx)  # [K, M, k]
            # Teacher t = its top-k plus its remaining mass spread evenly over the other V − k ids
            # (τ_t each), as cohesive's kdLossTopK tail. KL(mix ‖ p) = Σ_t w_t KL_t: same gradient
            # as the dense KL of the mixture (the value differs by a constant).
            V, k = logp.shape[-1], idx.shape[-1]
            tau = (1 - q.sum(-1)).clamp_min(0) / (V - k)  # [K, M]
            rest = logp.sum(-1).unsqueeze(0) - logp_t.sum(-1)  # Σ over unlisted ids of log p
            kl_t = (q * (q.clamp_min(1e-30).log() - logp_t)).sum(-1) + \
                tau * ((V - k) * tau.clamp_min(1e-30).log() - rest)
            kl = (w * kl_t).sum(0).mean()
            loss = args.alpha_kd * T_kd * T_kd * kl + args.alpha_mlm * ce
        loss.backward()
        opt.step()
        return float(loss)

    def infer_step(b) -> float:
        model.eval()
        with torch.inference_mode(), autocast():
            z = model(b["ids"], b["types"], b["mask"], b["flat_pos"])  # [M, V]
            return float(z.max())

    step = infer_step if args.mode == "infer" else train_step
    load_before = os.getloadavg()[0]
    times, losses = [], []
    for i in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        v = step(batches[i % len(batches)])
        if cuda:
            torch.cuda.synchronize()
        dt = time.perf_counter() - t0
        if i >= args.warmup:
            times.append(dt)
            losses.append(v)

    tokens = args.batch * args.seq
    total = sum(times)
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                if ln.startswith("model name")), platform.processor())
    libs = blas_libraries()
    res = {
        "peer": "pytorch",
        "mode": args.mode,
        "model": {"vocab": args.vocab, "hidden": args.hidden, "layers": args.layers,
                  "heads": args.heads, "intermediate": args.intermediate,
                  "params": sum(p.numel() for p in model.parameters())},
        "batch": args.batch,
        "seq": args.seq,
        "masked_per_step": int(batches[0]["flat_pos"].numel()),
        "steps": args.steps,
        "warmup": args.warmup,
        "tokens_per_step": tokens,
        "tokens_per_s": tokens * len(times) / total,
        "tokens_per_s_median": tokens / statistics.median(times),
        "tokens_per_s_best": tokens / min(times),
        "step_ms": {"mean": 1000 * total / len(times),
                    "median": 1000 * statistics.median(times),
                    "min": 1000 * min(times), "max": 1000 * max(times)},
        "step_ms_all": [round(1000 * t, 3) for t in times],
        "loss_first": losses[0] if args.mode != "infer" else None,
        "loss_last": losses[-1] if args.mode != "infer" else None,
        "lr": args.lr,
        "dropout": args.dropout if args.mode != "infer" else 0.0,
        "teachers": args.teachers if args.mode == "distill" else None,
        "topk": args.topk if args.mode == "distill" else None,
        "temperature": T_kd if args.mode == "distill" else None,
        "device": args.device,
        "device_name": torch.cuda.get_device_name() if cuda else cpu,
        "precision": "bf16 autocast" if amp_dtype is not None else "fp32 eager",
        "tf32_matmul": tf32_matmul(torch) if cuda else None,
        "cuda_version": torch.version.cuda if cuda else None,
        "peak_gpu_mb": torch.cuda.max_memory_allocated() / 2**20 if cuda else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "torch_version": torch.__version__,
        "python": platform.python_version(),
        "executable": sys.executable,
        "cpu": cpu,
        "nproc": os.cpu_count(),
        "loadavg_1m": {"before": load_before, "after": os.getloadavg()[0]},
        "blas": blas_name(libs),
        "libraries": libs,
        "parallel_info": torch.__config__.parallel_info(),
        "torch_config": torch.__config__.show(),
    }
    if args.json:
        print(json.dumps(res))
    else:
        extra = f" loss {losses[0]:.3f}->{losses[-1]:.3f}" if args.mode != "infer" else ""
        print(f"pytorch {args.mode}: {res['tokens_per_s']:.0f} tokens/s, "
              f"{res['step_ms']['median']:.0f} ms/step (median of {args.steps}), "
              f"{args.device} {res['precision']}, {args.threads} threads, peak RSS {res['peak_rss_mb']:.0f} MB, "
              f"torch {torch.__version__}, blas {res['blas']}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
