r"""The letter ``x`` (or ``X``) as a dimension separator: the one decision of the pre-lexer
(:mod:`grader.parse.expression.tokens`) taken over the whole token list rather than as it reads.

``x`` is DIMX when both neighbours are sizes or whole numbers (``C x d_{L-1}``, ``3 x 5``); when
``x`` is not a declared symbol, a bracket next to it also counts (``(d+1) x C``). Otherwise it
stays a name (``W x``).
"""
from __future__ import annotations

from lark import Token

from grader.parse.expression.table import SymbolTable

ENDS = {"NUMBER", "NAME", "_RPAR", "_RSQB", "_RBRACE"}
STARTS = {"NUMBER", "NAME", "_LPAR", "_LSQB", "_LBRACE"}


def mark_dims(toks: list[Token], text: str, table: SymbolTable) -> None:
    """Turn the letter x between two sizes (or whole numbers) into DIMX, in place."""
    if "x" not in text and "X" not in text:
        return  # no letter x to turn (most answers)
    sizes = table.sizes

    def sizeish(tok: Token | None) -> bool:
        return tok is not None and (tok.type == "NUMBER" and tok.isdigit()
                                    or tok.type == "NAME" and tok in sizes)

    for k, tok in enumerate(toks):
        if tok.type != "NAME" or text[tok.start_pos:tok.end_pos] not in ("x", "X"):
            continue
        before = toks[k - 1] if k else None
        after = toks[k + 1] if k + 1 < len(toks) else None
        loose = (tok not in table.symbols and before is not None and after is not None
                 and before.type in ENDS and after.type in STARTS)
        if sizeish(before) and sizeish(after) or loose:
            toks[k] = Token("DIMX", str(tok), start_pos=tok.start_pos, end_pos=tok.end_pos)
