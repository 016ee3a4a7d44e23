r"""Write ``corpus.yaml``: answers in the notations of issue 17, each with the verdict it must get.

Run from the repository root: ``python tests/corpora/notation/make_corpus.py``. Every answer is
built from pieces whose meaning is known (spellings of the same quantity, mistakes that change
it), so each verdict is decided by construction, never by running the grader. The file is
committed; ``tests/judge/test_notation_corpus.py`` grades every entry.
Templates mark what is filled in with ``@Z`` (a pre-activation) and ``@D`` (a delta).
:func:`batch_rows` adds the rest of issue 17: examples of a batch (``\delta^{[L](i)}``), slices
(``\delta_{:,i}``, ``A[:, i]``), two indices on a bracket (``[A]_{ij}``), how far a plain-text
``/`` reaches (``2/m (Y - Z)``) and big terms that cancel (``z + z^{1000000} - z^{1000000}``).
"""
from __future__ import annotations

import itertools
from pathlib import Path

SM, BG, RS = "softmax-ce", "backprop-general", "residual-softmax"

# spellings of the same quantity
DELTA_BG = [r"\delta^{[L]}", r"\frac{\partial J}{\partial Z^{[L]}}", r"\dfrac{\partial J}{\partial Z^{[L]}}",
            r"\nabla_{Z^{[L]}} J", r"\partial J / \partial Z^{[L]}", r"\frac{\partial \mathcal{L}}{\partial z^{[L]}}",
            r"\left(\frac{\partial J}{\partial Z^{[L]}}\right)"]
A_T = [r"A^{[L-1]T}", r"(A^{[L-1]})^T", r"(A^{[L-1]})^{\top}"]
ONES = [r"\mathbf{1}", r"\mathbf{1}_m", r"\vec{1}", r"\boldsymbol{1}", r"ones"]
RELU_PRIME = [r"\mathbb{1}\{@Z > 0\}", r"[@Z > 0]", r"(@Z > 0)",
              r"\begin{cases} 1 & @Z > 0 \\ 0 & \text{otherwise} \end{cases}",
              r"\begin{cases} 1, & \text{if } @Z > 0 \\ 0, & \text{else} \end{cases}",
              r"\begin{cases} 1 & @Z > 0 \\ 0 & @Z \le 0 \end{cases}",
              r"\max(0, \operatorname{sign}(@Z))", r"\frac{\operatorname{sign}(@Z) + |\operatorname{sign}(@Z)|}{2}",
              r"np.sign(np.maximum(0, @Z))", r"\mathbb{1}_{\{@Z > 0\}}"]
RELU_PRIME_WRONG = [r"[@Z < 0]", r"(@Z \geq 0)", r"\operatorname{sign}(@Z)", r"|\operatorname{sign}(@Z)|",
                    r"\begin{cases} 1 & @Z > 0 \\ 0.01 & \text{otherwise} \end{cases}",
                    r"\begin{cases} 1 & @Z \ge 0 \\ 0 & \text{otherwise} \end{cases}", r"\max(0, @Z)",
                    r"np.maximum(0, @Z)"]
BACK_BG = [r"(W^{[L]T} @D)", r"((W^{[L]})^T @D)"]
HAD = [r" \odot ", r" \circ ", " * "]
DELTA_SM = [r"\delta^{(L)}", "delta_L", r"\frac{\partial L}{\partial \tilde{z}^{(L)}}", r"\nabla_{\tilde{z}^{(L)}} L",
            r"\frac{\partial E}{\partial \tilde{z}^{[L]}}", r"(\hat{y} - y)"]
Z_T = [r"(z^{(L-1)})^T", r"z^{(L-1)T}", r"(z^{(L-1)})^{\top}"]
Y_K = [r"y_k", r"|y_k|", r"\sqrt{y_k^2}", r"\exp(\ln y_k)", r"np.exp(np.log(y_k))", r"\frac{e^{z_k}}{\sum_{m=1}^{K} e^{z_m}}",
       r"\max(y_k, 0, -1)", r"\min(y_k, 1)", r"\exp(\log_2(y_k) \ln(2))"]
ONE_MINUS = [r"(1 - y_k)", r"(\cosh^2(y_k) - \sinh^2(y_k) - y_k)", r"(\operatorname{sech}(0) - y_k)", r"|1 - y_k|",
             r"(\sum_{j=1}^{K} t_j - y_k)"]


def rows():
    out = []

    def add(a, q, text, verdict):
        out.append({"assignment": a, "question": q, "answer": text, "verdict": verdict})

    for d, at in itertools.product(DELTA_BG, A_T):  # dJ/dW^{[L]} = delta A^T
        add(BG, "task2.dW_L", f"{d} {at}", "correct")
        add(BG, "task2.dW_L", f"{d} \\cdot {at}", "correct")
        add(BG, "task2.dW_L", f"-{d} {at}", "wrong")
        add(BG, "task2.dW_L", f"\\frac{{1}}{{2}} {d} {at}", "wrong")
    for d in DELTA_BG:
        add(BG, "task2.dW_L", f"A^{{[L-1]}} ({d})^T", "transposed")
    for d, one in itertools.product(DELTA_BG, ONES):  # db^{[L]} = delta 1
        add(BG, "task2.db_L", f"{d} {one}", "correct")
        add(BG, "task2.db_L", f"\\frac{{1}}{{m}} {d} {one}", "wrong")
    for d in ("delta^{[L]}", r"\delta^{[L]}"):
        add(BG, "task2.db_L", f"np.sum({d}, axis=1, keepdims=True)", "correct")
        add(BG, "task2.db_L", f"numpy.sum({d}, axis=-1)", "correct")
        add(BG, "task2.db_L", f"np.sum({d}, axis=1) / m", "wrong")
    for z in (r"Z^{[l]}", r"Z^{[L-1]}"):  # ReLU'
        for form in RELU_PRIME:
            add(BG, "task2.relu_prime", form.replace("@Z", z), "correct")
        for form in RELU_PRIME_WRONG:
            add(BG, "task2.relu_prime", form.replace("@Z", z), "wrong")
    for form, back, had in itertools.product(RELU_PRIME, BACK_BG, HAD):  # delta^{[l]}
        for d in (r"\delta^{[L]}", r"\frac{\partial J}{\partial Z^{[L]}}"):
            add(BG, "task2.delta_l", form.replace("@Z", r"Z^{[l]}") + had + back.replace("@D", d), "correct")
    for form, had in itertools.product(RELU_PRIME_WRONG[:4], HAD):
        add(BG, "task2.delta_l", form.replace("@Z", r"Z^{[l]}") + had + r"(W^{[L]T} \delta^{[L]})", "wrong")
    for form in RELU_PRIME[:4]:
        add(BG, "task2.delta_l", form.replace("@Z", r"Z^{[l]}") + r" \odot \frac{\partial J}{\partial A^{[L-1]}}", "correct")
        add(BG, "task2.delta_l", form.replace("@Z", r"Z^{[l]}") + r" \odot \frac{\partial J}{\partial Z^{[L-1]}}", "correct")
    for d, zt in itertools.product(DELTA_SM, Z_T):  # dL/dW^{(L-1)} = delta z^T
        add(SM, "task2a.grad_W", f"{d} {zt}", "correct")
        add(SM, "task2a.grad_W", f"{d} " + zt.replace("z^", "\\tilde{z}^"), "wrong")
    for d in DELTA_SM:
        add(SM, "task2a.grad_W", f"z^{{(L-1)}} ({d})^T", "transposed")
    for d in ("delta_L", "(yhat - y)"):
        add(SM, "task2a.grad_W", f"np.outer({d}, z^{{(L-1)}})", "correct")
        add(SM, "task2a.grad_W", f"np.outer(z^{{(L-1)}}, {d})", "transposed")
        add(SM, "task2a.grad_W", f"np.dot({d}, z^{{(L-1)}}.T)", "correct")
        add(SM, "task2a.grad_W", f"{d}.dot(z^{{(L-1)}}.T)", "correct")
        add(SM, "task2a.grad_W", f"{d} @ z^{{(L-1)}}.T", "correct")
        add(SM, "task2a.grad_W", f"np.outer({d}, z^{{(L-1)}}) * 2", "wrong")
    zt = r"\tilde{z}^{(L-1)}"
    for form, had in itertools.product(RELU_PRIME, HAD):  # delta^{(L-1)}
        add(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)})" + had + form.replace("@Z", zt), "correct")
        add(SM, "task3.delta_prev", r"\frac{\partial L}{\partial z^{(L-1)}}" + had + form.replace("@Z", zt), "correct")
    for form in RELU_PRIME_WRONG:
        add(SM, "task3.delta_prev", r"((w^{(L-1)})^T \delta^{(L)}) \odot " + form.replace("@Z", zt), "wrong")
    for fn in (r"\operatorname{diag}", "diag", r"\mathrm{diag}", "np.diag"):
        add(SM, "task3.delta_prev", fr"{fn}(\phi'({zt})) (w^{{(L-1)}})^T \delta^{{(L)}}", "correct")
        add(SM, "task3.delta_prev", fr"{fn}({zt}) (w^{{(L-1)}})^T \delta^{{(L)}}", "wrong")
    for y, one_minus in itertools.product(Y_K, ONE_MINUS):  # dy_k/dz_k = y_k (1 - y_k)
        add(RS, "q2a.same", f"{y} {one_minus}", "correct")
        add(RS, "q2a.same", f"{y} {one_minus}^2", "wrong")
    for lo, hi, verdict in (("1", "K", "correct"), ("1", "C", "correct"), ("2", "K", "wrong"), ("2", "1", "wrong"),
                            ("1", "N", "correct")):
        for idx in ("j", "m"):
            add(RS, "q2b.dz", fr"y_k \sum_{{{idx}={lo}}}^{{{hi}}} t_{idx} - t_k", verdict)
    for lo, verdict in (("1", "correct"), ("2", "wrong")):
        add(SM, "task2a.grad_W_ij", fr"\sum_{{k={lo}}}^{{C}} \delta_k^{{(L)}} \delta_{{ik}} z_j^{{(L-1)}}", verdict)
        add(SM, "task2a.grad_W_ij", fr"\sum_{{q={lo}}}^{{C}} \delta_{{iq}} \delta_q^{{(L)}} z_j^{{(L-1)}}", verdict)
    out += batch_rows()
    seen = {(r["assignment"], r["question"], r["answer"]) for r in out}
    out += [r for r in sweep_rows() if (r["assignment"], r["question"], r["answer"]) not in seen]
    return out


def sweep_rows() -> list:
    """The hand-written sweep of issue 17's last gaps (``sweep.tsv``: one answer a line, the
    verdict a TA gives it)."""
    out = []
    for line in Path(__file__).with_name("sweep.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            a, q, text, verdict = line.split("\t")
            out.append({"assignment": a, "question": q, "answer": text, "verdict": verdict})
    return out


# -- issue 17, the rest: examples of a batch, slices, entries of brackets, '/', cancellation ----------
EX_DELTA = [r"\delta^{[L](i)}", r"\delta^{(L)(i)}", r"\delta^{[L]\{i\}}", r"\delta^{[L]}_{:,i}", r"delta^{[L]}[:, i]",
            r"[\delta^{[L]}]_{:,i}", r"\left(\frac{\partial J}{\partial Z^{[L]}}\right)_{:, i}"]
EX_A_T = [r"a^{[L-1](i)T}", r"(A^{[L-1](i)})^T", r"A^{[L-1]\{i\}T}", r"(A^{[L-1]}_{:,i})^T", r"A^{[L-1]}[:, i].T"]
BATCH_SUMS = [r"\sum_{i=1}^{m}", r"\sum_{i=1}^m", r"\sum_{i}", r"sum_{i=1}^{m}", r"∑_{i=1}^{m}"]
PER_EXAMPLE = [r"(\hat{y}^{(i)} - y^{(i)})", r"(A^{[L](i)} - Y^{(i)})", r"(\hat{Y}_{:,i} - Y_{:,i})",
               r"(A^{[L]}[:, i] - Y[:, i])", r"(\hat{Y}^{(i)} - Y^{(i)})"]


def batch_rows() -> list:
    out = []

    def add(a, q, text, verdict):
        out.append({"assignment": a, "question": q, "answer": text, "verdict": verdict})

    for k, (d, at) in enumerate(itertools.product(EX_DELTA, EX_A_T)):  # dJ/dW = sum_i delta^(i) a^(i)T
        s = BATCH_SUMS[k % len(BATCH_SUMS)]
        add(BG, "task2.dW_L", f"{s} {d} {at}", "correct")
        add(BG, "task2.dW_L", f"\\frac{{1}}{{m}} {s} {d} {at}", "wrong")
    for d in EX_DELTA:
        add(BG, "task2.dW_L", fr"\sum_{{i=2}}^{{m}} {d} a^{{[L-1](i)T}}", "wrong")
        add(BG, "task2.dW_L", fr"\sum_{{i=1}}^{{m-1}} {d} a^{{[L-1](i)T}}", "wrong")
        add(BG, "task2.dW_L", fr"\sum_{{i=1}}^{{m}} {d} (Z^{{[L-1]}}_{{:,i}})^T", "wrong")
        add(BG, "task2.dW_L", fr"\sum_{{i=1}}^{{m}} A^{{[L-1](i)}} ({d})^T", "transposed")
        add(BG, "task2.dW_L", fr"{d} a^{{[L-1](i)T}}", "wrong shape")  # the sum over the batch is missing
        add(BG, "task2.db_L", fr"\sum_{{i=1}}^{{m}} {d}", "correct")
        add(BG, "task2.db_L", fr"\frac{{1}}{{m}} \sum_{{i=1}}^{{m}} {d}", "wrong")
    for e in PER_EXAMPLE:  # the MSE delta, example by example and summed over the batch
        add(BG, "task2.delta_L", fr"\frac{{2}}{{m}} {e}", "correct")
        add(BG, "task2.delta_L", fr"2/m {e}", "correct")
        add(BG, "task2.delta_L", fr"2 {e}", "wrong")
        add(BG, "task2.delta_L", fr"\frac{{1}}{{m}} {e}", "wrong")
        add(BG, "task2.db_L", fr"\frac{{2}}{{m}} \sum_{{i=1}}^{{m}} {e}", "correct")
        add(BG, "task2.db_L", fr"1/m \sum_{{i=1}}^{{m}} 2 {e}", "correct")
        add(BG, "task2.db_L", fr"\frac{{1}}{{m}} \sum_{{i=1}}^{{m}} {e}", "wrong")
    for e in (r"(Y^{(i)} - \hat{Y}^{(i)})", r"(Y_{:,i} - Z^{[L]}_{:,i})", r"(y^{(i)} - A^{[L](i)})"):  # seed 002: -2/m (y - z)
        add(BG, "task2.delta_L", fr"-\frac{{2}}{{m}} {e}", "correct")
        add(BG, "task2.delta_L", fr"\frac{{2}}{{m}} {e}", "wrong")
        add(BG, "task2.db_L", fr"-\frac{{2}}{{m}} \sum_{{i=1}}^m {e}", "correct")
    for zb, x, verdict in ((r"\bar{z}_1", r"(x^{(i)})^T", "correct"), (r"\bar{z}_1^{(i)}", r"x^{(i)T}", "correct"),
                           (r"\bar{z}_1^{(i)}", r"x_{:,i}^T", "correct"), (r"\bar{z}_1", r"x^{(i)}", "wrong shape")):
        add(RS, "q1c.W1bar", f"{zb} {x}", verdict)  # seed 003's notation, a batch of one example
        add(RS, "q1c.W1bar", f"\\sum_{{i=1}}^{{1}} {zb} {x}", verdict)
    add(RS, "q1c.W1bar", r"x^{(i)} \bar{z}_1^{(i)T}", "transposed")
    add(RS, "q1c.W1bar", r"\bar{z}_1^{(i)} (2 x^{(i)})^T", "wrong")
    for y in (r"(A^{[L]} - Y)", r"(\hat{Y} - Y)"):  # how far a plain-text '/' reaches
        for text, verdict in (("2/m @", "correct"), ("2/m * @", "correct"), ("1/m * 2 @", "correct"),
                              ("4/2m @", "correct"), ("2 @ / m", "correct"), (r"2/m \, @", "correct"),
                              ("1/2m @", "wrong"), ("2/m@", "wrong"), ("1/m @", "wrong"), ("2/2m @", "wrong")):
            add(BG, "task2.delta_L", text.replace("@", y), verdict)
    for w in (r"[\delta^{(L)} (z^{(L-1)})^T]", r"(\delta^{(L)} z^{(L-1)T})", r"[\delta^{(L)} \cdot (z^{(L-1)})^T]",
              r"(delta_L @ z^{(L-1)}.T)"):  # two indices on a bracket (seed 000's dL/dw_ij)
        for q in ("task2a.grad_W", "task2a.grad_W_ij"):
            add(SM, q, f"{w}_{{ij}}", "correct")
            add(SM, q, f"{w}_{{i,j}}", "correct")
            add(SM, q, f"{w}_{{ji}}", "wrong")
            add(SM, q, w.replace("z^{(L-1)", r"\tilde{z}^{(L-1)") + "_{ij}", "wrong")
    for w in (r"[\delta^{[L]} A^{[L-1]T}]", r"(\delta^{[L]} (A^{[L-1]})^T)", r"(delta^{[L]} @ A^{[L-1]}.T)"):
        add(BG, "task2.dW_L", f"{w}_{{ij}}", "correct")
        add(BG, "task2.dW_L", f"{w}[i, j]", "correct")
        add(BG, "task2.dW_L", f"{w}_{{i,:}}", "correct")
        add(BG, "task2.dW_L", f"{w}_{{ji}}", "wrong")
        add(BG, "task2.dW_L", f"-{w}_{{ij}}", "wrong")
    for j in ("j", "{j}"):  # seed 001: an entry of a bracketed product
        add(SM, "task3.delta_prev", fr"[(w^{{(L-1)}})^T \delta^{{(L)}}]_{j} 1_{{\{{\tilde z_j^{{(L-1)}} > 0\}}}}", "correct")
        add(SM, "task3.delta_prev", fr"[(w^{{(L-1)}})^T \delta^{{(L)}}]_{j} 1_{{\{{\tilde z_j^{{(L-1)}} < 0\}}}}", "wrong")
    z = "z_2"  # a huge term added and taken away keeps the small one (residual-softmax: dL/dW2 = (y - t) z_2^T)
    for big in (r"z_2^{1000000}", r"z_2^{1000}", r"(z_2 + 10^{3})^{100}", r"2^{1000}"):
        add(RS, "q1c.W2bar", fr"(y - t) ({z} + {big} - {big})^T", "correct")
        add(RS, "q1c.W2bar", fr"(y - t) ({big} + {z} - {big})^T", "correct")
        add(RS, "q1c.W2bar", fr"(y - t) (2 {z} + {big} - {big})^T", "wrong")
        add(RS, "q1c.W2bar", fr"(y - t) ({z} + {big} - {big} + 10^{{-20}})^T", "wrong")
    for n in (100, 1000, 10000):
        add(RS, "q1c.W2bar", fr"(y - t) ({z} + {z}^{{{n}}} - {z}^{{{n - 1}}} {z})^T", "correct")
        add(RS, "q1c.W2bar", fr"(y - t) ({z} + {z}^{{{n}}} - {z}^{{{n - 1}}})^T", "wrong")
    return out


def main() -> None:
    import yaml
    path = Path(__file__).with_name("corpus.yaml")
    data = rows()
    header = ("# Generated by make_corpus.py (do not edit by hand): answers in the notations of issue 17,\n"
              "# each with the verdict it must get; graded by tests/judge/test_notation_corpus.py.\n")
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    print(f"{len(data)} answers -> {path}")


if __name__ == "__main__":
    main()
