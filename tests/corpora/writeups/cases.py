r"""The corpus: derivations with Jacobians as students write them, right in several notations
(Leibniz fractions, ``\nabla``, ``\partial_z``, numerator and denominator layout, entry-wise with
indices) and with each classic mistake at a known line, plus transcription noise.

A case is (name, assignment, the write-up's math lines, findings): each finding is (line,
status, flags) of a step that does not hold or is not read, in the order written; every other
step must hold (or be no claim). Lines count from the write-up's first line, the
``assignment:`` line, so the first math line below is line 3.
"""
from __future__ import annotations

from dataclasses import dataclass

FAILS, NOT_READ = "does not hold", "not read"
BG, SM, RS = "backprop-general", "softmax-ce", "residual-softmax"


@dataclass(frozen=True)
class Case:
    name: str
    assignment: str
    lines: tuple[str, ...]  # each a display equation, one per line (a blank line between)
    findings: tuple[tuple[int, str, tuple[str, ...]], ...] = ()

    def text(self) -> str:
        body = "\n\n".join(f"$${line}$$" if not line.startswith(("#", "Case", "If", "When")) else line
                           for line in self.lines)
        return f"assignment: {self.assignment}, student: {self.name}\n\n{body}\n"

    @staticmethod
    def line_of(n: int) -> int:
        """The file line of the n-th (0-based) entry of ``lines``."""
        return 3 + 2 * n


L = Case.line_of

CASES = [
    # -- right, in several notations -----------------------------------------------------------
    Case("leibniz_numerator_layout", BG, (
        r"\delta^{[l]} = \frac{\partial J}{\partial z^{[l]}} = \frac{\partial J}{\partial z^{[l+1]}} "
        r"\frac{\partial z^{[l+1]}}{\partial a^{[l]}} \frac{\partial a^{[l]}}{\partial z^{[l]}}",
        r"\frac{\partial J}{\partial z^{[l+1]}} \frac{\partial z^{[l+1]}}{\partial a^{[l]}} = \delta^{[l+1]} W^{[l+1]}",
        r"\delta^{[l]} = g'(z^{[l]}) \odot \left(W^{[l+1]T} \delta^{[l+1]}\right)",
    )),
    Case("leibniz_denominator_layout", BG, (
        r"\frac{\partial J}{\partial a^{[l]}} = \left(\frac{\partial z^{[l+1]}}{\partial a^{[l]}}\right)^T "
        r"\frac{\partial J}{\partial z^{[l+1]}} = W^{[l+1]T} \delta^{[l+1]}",
        r"\frac{\partial J}{\partial z^{[l]}} = \left(\frac{\partial a^{[l]}}{\partial z^{[l]}}\right)^T "
        r"\frac{\partial J}{\partial a^{[l]}} = g^{[l]'}(Z^{[l]}) \odot \frac{\partial J}{\partial a^{[l]}}",
    )),
    Case("nabla_and_partial_sub", BG, (
        r"\nabla_{z^{[l]}} J = \partial_{z^{[l]}} a^{[l]} \odot \nabla_{a^{[l]}} J",
        r"\nabla_{a^{[l]}} J = W^{[l+1]T} \nabla_{z^{[l+1]}} J = W^{[l+1]T} \delta^{[l+1]}",
        r"\partial_{Z^{[L]}} J = \frac{\partial J}{\partial A^{[L]}} \odot g'(Z^{[L]}) = J'(A^{[L]}) \odot g'(Z^{[L]})",
    )),
    Case("diagonal_as_a_product", BG, (
        r"\delta^{[l]} = \frac{\partial a^{[l]}}{\partial z^{[l]}} \left(W^{[l+1]T} \delta^{[l+1]}\right) "
        r"= \frac{\partial g^{[l]}}{\partial z^{[l]}} \odot \left(W^{[l+1]T} \delta^{[l+1]}\right)",
    )),
    Case("one_example_diag", SM, (
        r"\frac{\partial L}{\partial \tilde{z}^{(L-1)}} = \frac{\partial L}{\partial \tilde{z}^{(L)}} "
        r"\frac{\partial \tilde{z}^{(L)}}{\partial z^{(L-1)}} \frac{\partial z^{(L-1)}}{\partial \tilde{z}^{(L-1)}}",
        r"\frac{\partial L}{\partial \tilde{z}^{(L-1)}} = \operatorname{diag}(\phi'(\tilde{z}^{(L-1)})) (w^{(L-1)})^T \delta^{(L)}",
        r"\frac{\partial \hat{y}}{\partial \tilde{z}^{(L)}} = \operatorname{diag}(\hat{y}) - \hat{y} \hat{y}^T",
    )),
    Case("entrywise_softmax", RS, (
        r"\frac{\partial y_k}{\partial z_{k'}} = y_k (\delta_{kk'} - y_{k'})",
        r"\frac{\partial L}{\partial z_k} = \sum_{j} \frac{\partial L}{\partial y_j} \frac{\partial y_j}{\partial z_k} = y_k - t_k",
        r"\frac{\partial y}{\partial z} = \operatorname{diag}(y) - y y^T",
    )),
    Case("entrywise_cases", RS, (
        "If $k = k'$:",
        r"\frac{\partial y_k}{\partial z_{k'}} = y_k (1 - y_k)",
        r"Case 2, when $k \neq k'$:",
        r"\frac{\partial y_k}{\partial z_{k'}} = - y_k y_{k'}",
    ), ((L(0), NOT_READ, ()), (L(2), NOT_READ, ()))),  # the prose's "$k = k'$", "$k \neq k'$": no equations
    Case("residual_bar_notation", RS, (
        r"\bar{h} = \bar{z}_2 \frac{\partial z_2}{\partial h} = W^{(2)T} (y - t)",
        r"\bar{z}_1 = \bar{h} \frac{\partial h}{\partial z_1} = \bar{h} \circ \phi'(z_1)",
        r"\bar{x} = \bar{z}_1 \frac{\partial z_1}{\partial x} + \bar{z}_2 \frac{\partial z_2}{\partial x} = W^{(1)T} \bar{z}_1 + \bar{z}_2",
    )),
    Case("relu_operator_right", BG, (
        r"\frac{\partial}{\partial z} [\max(0, z)] = \mathbb{1}\{z > 0\}",
    )),
    Case("entrywise_chain_sum", SM, (
        r"\frac{\partial L}{\partial \tilde{z}_j^{(L)}} = \sum_i \frac{\partial L}{\partial \hat{y}_i} "
        r"\frac{\partial \hat{y}_i}{\partial \tilde{z}_j^{(L)}} = \hat{y}_j - y_j",
        r"\frac{\partial \hat{y}_i}{\partial \tilde{z}_j^{(L)}} = \hat{y}_i (\delta_{ij} - \hat{y}_j)",
    )),
    Case("slash_and_dfrac", BG, (
        r"\partial J / \partial z^{[l]} = \dfrac{\partial J}{\partial a^{[l]}} \odot \dfrac{\partial a^{[l]}}{\partial z^{[l]}}",
        r"\partial J / \partial a^{[l]} = (\partial z^{[l+1]} / \partial a^{[l]})^T \, \partial J / \partial z^{[l+1]}",
    )),
    Case("operator_on_tanh", RS, (
        r"\frac{\partial}{\partial u} \left[\tanh(u)\right] = 1 - \tanh^2(u)",
    )),
    Case("own_definitions_quotient_rule", RS, (  # the student's g and h, and g', h' by their stated variable
        r"\text{Let } g = e^{z_k} \text{ and } h = \sum_{j} e^{z_j}",
        r"g' = \frac{\partial g}{\partial z_{k'}}",
        r"h' = \frac{\partial h}{\partial z_{k'}} = e^{z_{k'}}",
        r"\frac{\partial y_k}{\partial z_{k'}} = \frac{g'h - h'g}{h^2} = \frac{g}{h} \left(\delta_{kk'} - \frac{e^{z_{k'}}}{h}\right)",
        r"y_k = \frac{g}{h}",
    )),
    Case("own_definitions_where_and_bare", RS, (  # where g := …, a bare q = … of an undeclared name: definitions
        r"\text{where } g := e^{z_k}",
        r"q = \sum_{j} e^{z_j}",  # (h is residual-softmax's hidden layer: h = … would be a claim)
        r"y_k = \frac{g}{q}",
    )),
    Case("operator_on_an_affine_map", BG, (  # seed 002's d/dg [W g(z) + b]: b undeclared, the layer's bias
        r"\frac{\partial J}{\partial a^{[l]}} = \delta^{[l+1]} \frac{\partial}{\partial a^{[l]}} [W^{[l+1]} a^{[l]} + b] "
        r"= \delta^{[l+1]} W^{[l+1]}",
        r"\frac{\partial J}{\partial a^{[l]}} = \delta^{[l+1]} \frac{\partial}{\partial g^{[l]}} [W^{[l+1]} g^{[l]}(z^{[l]}) + b]",
    )),
    # -- each classic mistake at a known line --------------------------------------------------
    Case("operator_on_an_affine_map_then_a_wrong_step", BG, (
        r"\delta^{[l+1]} \frac{\partial}{\partial a^{[l]}} [W^{[l+1]} a^{[l]} + b] = W^{[l+1]} \delta^{[l+1]}",
        r"\frac{\partial J}{\partial a^{[l]}} = \frac{\partial}{\partial a^{[l]}} [W^{[l+1]} a^{[l]} + c]",  # c: not a bias
    ), ((L(0), FAILS, ("shape",)), (L(1), NOT_READ, ()))),
    Case("own_definitions_then_a_wrong_step", RS, (
        r"\text{Let } g = e^{z_k} \text{ and } h = \sum_{j} e^{z_j}",
        r"g' = \frac{\partial g}{\partial z_{k'}}",
        r"h' = \frac{\partial h}{\partial z_{k'}} = e^{z_k}",  # h' by z_{k'} is e^{z_{k'}}
        r"\frac{\partial y_k}{\partial z_{k'}} = \frac{g'h + h'g}{h^2}",  # the quotient rule's sign
    ), ((L(2), FAILS, ()), (L(3), FAILS, ()))),
    Case("own_definition_wrong_is_no_claim_but_its_use_is", RS, (
        r"\text{Let } g = e^{z_k} \text{ and } h = \sum_{j} e^{z_j} + 1",  # wrong, but a definition: not checked
        r"y_k = \frac{g}{h}",  # compares it with the declared y: does not hold
    ), ((L(1), FAILS, ()),)),
    Case("missing_transpose_second_line", BG, (
        r"\delta^{[l]} = \frac{\partial a^{[l]}}{\partial z^{[l]}} \odot \frac{\partial J}{\partial a^{[l]}}",
        r"\frac{\partial J}{\partial a^{[l]}} = W^{[l+1]} \delta^{[l+1]}",
        r"\delta^{[l]} = g'(z^{[l]}) \odot W^{[l+1]T} \delta^{[l+1]}",
    ), ((L(1), FAILS, ("shape",)),)),
    Case("row_gradient_without_jacobian", SM, (
        r"\frac{\partial L}{\partial z^{(L-1)}} = \delta^{(L)T} w^{(L-1)}",
    ), ((L(0), FAILS, ("transposed-answer",)),)),
    Case("skipped_sigma_prime_denominator", BG, (
        r"\frac{\partial J}{\partial z^{[l]}} = \left(\frac{\partial z^{[l+1]}}{\partial a^{[l]}}\right)^T \delta^{[l+1]}",
    ), ((L(0), FAILS, ("missing-activation-derivative@A2 = act(Z2)",)),)),
    Case("wrong_order_one_example", SM, (
        r"\frac{\partial L}{\partial z^{(L-1)}} = \frac{\partial L}{\partial \tilde{z}^{(L)}} \frac{\partial \tilde{z}^{(L)}}{\partial z^{(L-1)}}",
        r"\frac{\partial L}{\partial z^{(L-1)}} = \frac{\partial \tilde{z}^{(L)}}{\partial z^{(L-1)}} \frac{\partial L}{\partial \tilde{z}^{(L)}}",
    ), ((L(1), FAILS, ()),)),  # a side that cannot be multiplied out: no flag (the step's reason says why)
    Case("softmax_jacobian_as_its_diagonal", SM, (
        r"\frac{\partial \hat{y}_i}{\partial \tilde{z}_j^{(L)}} = \hat{y}_i (1 - \hat{y}_j)",
    ), ((L(0), FAILS, ()),)),
    Case("wrong_step_mid_aligned", BG, (
        r"\begin{aligned} \delta^{[l]} &= \frac{\partial J}{\partial z^{[l+1]}} \frac{\partial z^{[l+1]}}{\partial a^{[l]}} "
        r"\frac{\partial a^{[l]}}{\partial z^{[l]}} \\ &= \left(W^{[l+1]T} \delta^{[l+1]}\right) \odot g'(z^{[l]}) "
        r"\\ &= W^{[l+1]T} \left(\delta^{[l+1]} \odot g'(z^{[l]})\right) \end{aligned}",
    ), ((L(0), FAILS, ("shape",)),)),
    Case("missing_transpose_in_chain", BG, (
        r"\delta^{[l+1]} = \frac{\partial J}{\partial z^{[l+1]}}",
        r"\frac{\partial J}{\partial a^{[l]}} = \frac{\partial z^{[l+1]}}{\partial a^{[l]}} \frac{\partial J}{\partial z^{[l+1]}}",
    ), ((L(1), FAILS, ("shape",)),)),  # W δ: fits only where two sizes are drawn equal
    Case("missing_transpose_denominator", SM, (
        r"\frac{\partial L}{\partial z^{(L-1)}} = \frac{\partial \tilde{z}^{(L)}}{\partial z^{(L-1)}} \delta^{(L)}",
        r"\frac{\partial L}{\partial z^{(L-1)}} = \left(\frac{\partial \tilde{z}^{(L)}}{\partial z^{(L-1)}}\right)^T \delta^{(L)}",
    ), ((L(0), FAILS, ()),)),
    Case("elementwise_jacobian_as_matrix_product", SM, (
        r"\frac{\partial L}{\partial \tilde{z}^{(L-1)}} = \frac{\partial L}{\partial z^{(L-1)}} \frac{\partial z^{(L-1)}}{\partial \tilde{z}^{(L-1)}}",
        r"\frac{\partial L}{\partial \tilde{z}^{(L-1)}} = \left((w^{(L-1)})^T \delta^{(L)}\right)^T \phi'(\tilde{z}^{(L-1)})",
    ), ((L(1), FAILS, ()),)),
    Case("skipped_sigma_prime", BG, (
        r"\delta^{[l]} = \frac{\partial J}{\partial z^{[l+1]}} \frac{\partial z^{[l+1]}}{\partial a^{[l]}} = W^{[l+1]T} \delta^{[l+1]}",
    ), ((L(0), FAILS, ("missing-activation-derivative@A2 = act(Z2)",)),)),  # named at its layer (issue 18)
    Case("wrong_order_of_factors", BG, (
        r"\frac{\partial J}{\partial z^{[l]}} = \frac{\partial a^{[l]}}{\partial z^{[l]}} \frac{\partial z^{[l+1]}}{\partial a^{[l]}} \frac{\partial J}{\partial z^{[l+1]}}",
    ), ((L(0), FAILS, ("shape",)),)),
    Case("diagonal_with_a_misfit", BG, (
        r"\delta^{[l]} = \frac{\partial a^{[l]}}{\partial z^{[l]}} \odot W^{[l+1]T}",
    ), ((L(0), FAILS, ("shape",)),)),
    Case("relu_derivative_one", BG, (
        r"\frac{\partial}{\partial z} [\max(0, z)] = \max(0, 1) = 1",
    ), ((L(0), FAILS, ("relu-derivative-one",)),)),
    Case("case_condition_wrong", RS, (
        "If $k = k'$:",
        r"\frac{\partial y_k}{\partial z_{k'}} = - y_k y_{k'}",
    ), ((L(0), NOT_READ, ()), (L(1), FAILS, ()))),
    # -- transcription noise: never wrong ------------------------------------------------------
    Case("ocr_noise", BG, (
        r"\frac{\partial J}{\partial z^{[l]}} = \frac{\partial J}{\partial a^{[l]} \frac{\partial a}{}",
        r"\frac{\partial \tilde{J}}{\partial q^{[l]}} = \frac{\partial J}{\partial z^{[l]}}",
        r"\delta^{[l]} = \frac{\partial J}{\partial z^{[l]}} \dots \frac{\partial z^{[3]}}{\partial a^{[2]}}",
    ), ((L(0), NOT_READ, ()), (L(1), NOT_READ, ()), (L(2), NOT_READ, ()))),
    Case("ocr_noise_around_right_lines", RS, (
        r"\bar{h} = \bar{z}_2 \frac{\partial z_2}{\partial h}",
        r"\bar{z}_1 = \bar{h} \frac{\partial h}{\partial z_1} \frac{\partial}{\partial} ]]",
        r"\bar{z}_1 = \bar{h} \circ \phi'(z_1)",
        r"\frac{\partial y_k}{\partial z_{k''}} = y_k",
    ), ((L(1), NOT_READ, ()), (L(3), NOT_READ, ()))),
]
