"""Benchmark: the engine's two speed targets. Prints figures; asserts nothing.

Run from the repository root::

    python bench/bench_engine.py             # about 5 s on a 2-core machine

What it measures
----------------
(i)  **Exact key time**, for every assignment the catalog knows (``Catalog().known_ids()``:
     the shipped ones plus any in ``./reference``): ``build_key(assignment)``, i.e. every
     scenario with the exact (sympy) backend, the float cross-check and the key entries.
     Loading and parsing the assignment file is not timed. Median of 3 runs, each **cold**:
     sympy's cache and the engine's ``high_precision`` memo are cleared (untimed) before every
     run, as in a fresh ``grade`` process; the warm median (caches kept) is printed beside it.
     Target: < 1 s per assignment.
(ii) **Float instantiation**: a 4-layer MLP, sizes [8, 16, 16, 16, 4], tanh hidden layers,
     softmax output, cross-entropy loss, one example, random float64 parameters: one
     ``evaluate(..., backend=FLOAT)`` (forward pass and backward pass over every node, no SGD
     step). Median over 1,000 runs after 50 warm-up runs, in µs. Target: < 1 ms.

Wall time (``time.perf_counter``) is what the targets are about; CPU time
(``time.process_time``) is printed too, since on a shared machine wall time also depends on
other processes' load.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the working tree's grader, whether or not it is installed

import sympy

from grader.keys.catalog import Catalog
from grader.engine.autodiff import FLOAT, evaluate
from grader.engine.backends import high_precision
from grader.engine.graph import build_graph, expand_mlp
from grader.keys.answer_key import build_key

KEY_TARGET_S = 1.0
FLOAT_TARGET_US = 1000.0
MLP_SIZES = [8, 16, 16, 16, 4]


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _clear_caches() -> None:
    sympy.core.cache.clear_cache()
    high_precision.cache_clear()


def _timed(fn) -> tuple[float, float]:
    """(wall, cpu) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _questions(assignment) -> str:
    """How many questions the exact engine computes; the others (expression questions on random
    scenarios, manual ones) get a symbolic key entry, which costs next to nothing."""
    numeric = sum(1 for q in assignment.questions
                  if q.kind != "manual" and assignment.scenarios[q.scenario].random is None)
    return f"{numeric} numeric, {len(assignment.questions) - numeric} other"


def bench_keys(runs: int) -> bool:
    catalog = Catalog(root=Path.cwd())
    ids = catalog.known_ids()
    print(f"(i) exact key time, build_key per assignment: median of {runs} cold runs "
          f"(target < {KEY_TARGET_S:.0f} s each)")
    print(f"    {'assignment':<20} {'questions':<24} {'cold wall':>10} {'cold cpu':>10} {'warm wall':>10}  verdict")
    all_ok = True
    for ident in ids:
        assignment = catalog.assignment(ident)  # loading and parsing: not timed
        cold = []
        for _ in range(runs):
            _clear_caches()
            cold.append(_timed(lambda a=assignment: build_key(a)))
        warm = [_timed(lambda a=assignment: build_key(a))[0] for _ in range(runs)]
        wall = statistics.median(w for w, _ in cold)
        cpu = statistics.median(c for _, c in cold)
        ok = wall < KEY_TARGET_S
        all_ok &= ok
        print(f"    {ident:<20} {_questions(assignment):<24} {wall * 1e3:>8.1f}ms {cpu * 1e3:>8.1f}ms {statistics.median(warm) * 1e3:>8.1f}ms"
              f"  {_verdict(ok)}")
    return all_ok


def bench_float(runs: int, warmup: int = 50) -> bool:
    spec = expand_mlp({"sizes": MLP_SIZES, "activation": "tanh", "output": "softmax", "loss": "cross_entropy"})
    graph = build_graph(spec, source="bench")
    rng = np.random.default_rng(0)
    params = {p: rng.uniform(-1, 1, size=graph.shapes[p]) for p in graph.params}
    t = np.zeros((MLP_SIZES[-1], 1))
    t[rng.integers(MLP_SIZES[-1]), 0] = 1.0
    data = {"x": rng.uniform(-1, 1, size=(MLP_SIZES[0], 1)), "t": t}

    def once():
        return evaluate(graph, params, data, backend=FLOAT)

    ev = once()
    assert np.isfinite(ev.values["L"]).all() and all(np.isfinite(ev.grads[p]).all() for p in graph.params)
    for _ in range(warmup):
        once()
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = _timed(once)
        walls.append(wall)
        cpus.append(cpu)
    med = statistics.median(walls) * 1e6
    ok = med < FLOAT_TARGET_US
    q = statistics.quantiles(walls, n=20)
    print(f"(ii) float instantiation, MLP {MLP_SIZES} tanh / softmax / cross_entropy, batch 1, "
          f"forward + backward (target < {FLOAT_TARGET_US:.0f} µs)")
    print(f"    median {med:.0f} µs wall ({statistics.median(cpus) * 1e6:.0f} µs cpu) over {runs} runs; "
          f"p5 {q[0] * 1e6:.0f} µs, p95 {q[-1] * 1e6:.0f} µs  {_verdict(ok)}")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--key-runs", type=int, default=3, help="runs per assignment key (median)")
    parser.add_argument("--float-runs", type=int, default=1000, help="runs of the float MLP (median)")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, sympy {sympy.__version__}")
    keys_ok = bench_keys(args.key_runs)
    float_ok = bench_float(args.float_runs)
    print(f"summary: exact keys {_verdict(keys_ok)}, float instantiation {_verdict(float_ok)}")
    return 0  # figures only: a MISS is reported, not failed


if __name__ == "__main__":
    sys.exit(main())
