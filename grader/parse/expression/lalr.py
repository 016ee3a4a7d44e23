"""A lean driver for lark's LALR table of ``expression.lark``: the same table, the same tree.

Lark's own loop (``lark.parsers.lalr_parser_state.ParserState.feed_token``) looks each reduction
up by its ``Rule`` object and each goto by a ``Token`` name, so every step pays for
``Rule.__hash__``/``__eq__`` and ``Token.__eq__`` in Python; on answers of a few tokens that was
most of the parse. :class:`FastLALR` copies the table once into plain dicts (state → terminal or
rule name → shift target, or rule size, rule name and lark's own tree-building callback) and
runs the same shift/reduce loop over them, so the tree is the one lark builds.

It has no error path of its own: on a token the table has no action for it returns None, and
the caller runs lark's parser on the same tokens, which fails at the same token and raises the
``UnexpectedInput`` whose expected-terminal set the student-facing message is worded from.
"""
from __future__ import annotations

from lark import Lark, Token
from lark.parse_tree_builder import ExpandSingleChild
from lark.parsers.lalr_analysis import Shift

SHIFT, UNIT, REDUCE = 0, 1, 2


class FastLALR:
    def __init__(self, lark: Lark, start: str = "start"):
        parser = lark.parser.parser.parser  # ParsingFrontend → LALR_Parser → _Parser
        table, callbacks = parser.parse_table, parser.callbacks
        if any(isinstance(k, str) for k in callbacks):  # terminal callbacks: not in our grammar
            raise ValueError("terminal callbacks are not supported")
        self.start, self.end = table.start_states[start], table.end_states[start]
        self.states: dict = {}
        for state, actions in table.states.items():
            row = {}
            for name, (action, arg) in actions.items():
                if action is Shift:
                    row[str(name)] = (SHIFT, arg, None)
                elif len(arg.expansion) == 1 and type(callbacks[arg]) is ExpandSingleChild:
                    # ?rule: one child, which lark hands on as it is: only the state changes
                    row[str(name)] = (UNIT, str(arg.origin.name), None)
                else:
                    row[str(name)] = (REDUCE, (len(arg.expansion), str(arg.origin.name)), callbacks[arg])
            self.states[state] = row

    def parse(self, tokens: list[Token]):
        """The tree lark would build from ``tokens``, or None where lark would raise."""
        states, end = self.states, self.end
        state_stack = [self.start]
        value_stack: list = []
        for tok in [*tokens, None]:
            ttype = "$END" if tok is None else tok.type
            while True:
                step = states[state_stack[-1]].get(ttype)
                if step is None:
                    return None
                kind, arg, callback = step
                if kind == SHIFT:
                    if tok is None:  # lark asserts this never happens on $END
                        return None
                    state_stack.append(arg)
                    value_stack.append(tok)
                    break
                if kind == UNIT:
                    state_stack.pop()
                    origin = arg
                else:
                    size, origin = arg
                    if size:
                        value = callback(value_stack[-size:])
                        del state_stack[-size:]
                        del value_stack[-size:]
                    else:
                        value = callback([])
                    value_stack.append(value)
                goto = states[state_stack[-1]].get(origin)
                if goto is None or goto[0] != SHIFT:
                    return None
                state_stack.append(goto[1])
                if tok is None and goto[1] == end:
                    return value_stack[-1]
