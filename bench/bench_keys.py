#!/usr/bin/env python3
"""bench/bench_keys.py: how long ``build_key`` takes on the networks courses set (issue 19).

    python bench/bench_keys.py              # 200 random networks and the issue's 5-6-4-4-3 net
    python bench/bench_keys.py --count 50 --seed 3

Each network is an assignment as an instructor writes it (tests/keys/random_networks.py):
2-6 layers, 1-10 units each, one-decimal weights and inputs, hidden activations drawn from
every one the engine has (ELU, SELU, GELU both ways, hard-tanh, SiLU/swish, softsign, |x| too),
every loss in turn (L1, Huber, BCE with logits, class-index cross-entropy, MSE over outputs too;
each with an output it suits), a batch of 1-4 examples, every other network with a unit of each
kinked layer exactly at its kink (0, or ±1 for hard-tanh); questions on every forward value
asked, every δ, gradient and update, ∂L/∂x and (batch 1) the output Jacobian. Timed: ``build_key``
(the key's arithmetic, the float cross-check following its kinks, every entry), after loading;
one warm-up key first (imports). Prints the time of the largest networks (6 layers of 10 units,
each hidden activation, batch 1 and 4), then for the random ones every key built or the error,
the median and the worst time, how many took more than 0.5 s, and the slowest network.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the working tree's grader, whether or not it is installed

from grader.keys.answer_key import build_key  # noqa: E402
from tests.keys.random_networks import ALL_HIDDEN, ALL_LOSSES, load, random_assignment  # noqa: E402

LIMIT = 0.5  # seconds per key (issue 19)


def issue_network() -> dict:
    """The issue's 5-6-4-4-3 sigmoid→tanh→tanh→softmax net with one-decimal weights (447 s before)."""
    rng = np.random.default_rng(447)
    return random_assignment(rng, depth=4, widths=[5, 6, 4, 4, 3], hidden=["sigmoid", "tanh", "tanh"],
                             loss="cross_entropy", output="softmax", batch=2)


def timed_key(data: dict, folder: Path) -> tuple[float, str]:
    assignment = load(data, folder)
    start = time.perf_counter()
    key = build_key(assignment)
    return time.perf_counter() - start, key.arithmetic


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    losses = list(ALL_LOSSES)
    failures, times, exact, largest = [], [], 0, []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        timed_key(issue_network(), folder)  # warm-up: imports, lark's grammar
        seconds, arithmetic = timed_key(issue_network(), folder)
        print(f"issue's 5-6-4-4-3 sigmoid/tanh/tanh/softmax net, batch 2: {seconds * 1000:.1f} ms ({arithmetic})")
        for hidden, batch in [(h, b) for h in ALL_HIDDEN for b in (1, 4)]:  # the largest: 6 layers of 10
            rng = np.random.default_rng([args.seed, batch])
            rational = hidden in ("identity", "relu", "leaky_relu", "abs", "hardtanh")  # with MSE: exact throughout
            data = random_assignment(rng, depth=6, widths=[10] * 7, hidden=[hidden] * 5,
                                     loss="mse" if rational else "cross_entropy", output="identity" if rational else "softmax",
                                     batch=batch, kinks=True, every_op=True)
            seconds, arithmetic = timed_key(data, folder)
            largest.append(seconds)
            print(f"  6 layers x 10 units, {hidden}, {data['networks']['net']['equations'][-1]}, batch {batch}"
                  f"{' (+ 10x10 Jacobian)' if batch == 1 else ''}: {seconds * 1000:.1f} ms"
                  f" ({'exact' if arithmetic.startswith('exact rational arithmetic') else '60 digits'})")
        for i in range(args.count):
            rng = np.random.default_rng([args.seed, i])
            depth = int(rng.integers(2, 7))
            data = random_assignment(rng, depth=depth, loss=losses[i % len(losses)], kinks=i % 2 == 1, every_op=True)
            try:
                seconds, arithmetic = timed_key(data, folder)
            except Exception as e:  # noqa: BLE001 - a benchmark reports every failure and goes on
                failures.append((i, data["title"], repr(e)))
                continue
            exact += arithmetic.startswith("exact rational arithmetic")
            times.append((seconds, i, data["title"], data["networks"]["net"]["equations"][-1]))
    print(f"{args.count} random networks (seed {args.seed}; depth 2-6, widths 1-10, batch 1-4, "
          f"activations {', '.join(ALL_HIDDEN)} (+ softmax output), losses {', '.join(losses)}, half with kinks)")
    print(f"keys built: {len(times)} of {args.count} ({exact} exact throughout, {len(times) - exact} with 60-digit values)")
    for i, title, error in failures:
        print(f"  FAILED #{i} {title}: {error}")
    if times:
        seconds = sorted(t for t, *_ in times)
        worst = max(times)
        print(f"median {statistics.median(seconds) * 1000:.1f} ms, 90th percentile {seconds[int(0.9 * len(seconds))] * 1000:.1f} ms, "
              f"worst {worst[0] * 1000:.1f} ms (#{worst[1]}, {worst[2]}, {worst[3]})")
        slow = sum(t > LIMIT for t in seconds)
        print(f"slower than {LIMIT} s: {slow}  -> {'PASS' if not slow and not failures else 'MISS'}")
    return 1 if failures or any(t > LIMIT for t, *_ in times) or max(largest) > LIMIT else 0


if __name__ == "__main__":
    sys.exit(main())
