"""Writing a document with its Python frames in one stack chunk, mapped once.

CPython 3.11 and 3.12 (3.13 and 3.14 before python/cpython#142183 was fixed) keep a thread's
Python frames in chunks of 16 KiB, map a new chunk for a call that does not fit in the current
one, and unmap it as soon as that call returns. Laying out a letter calls functions in loops at
the same depth; where that depth is at a chunk's end, each call maps, faults in and unmaps a
chunk. Which depth that is depends on every frame below, so it changed with as little as a
wrapper function: a build's workers met it 100,000 more times per 400 letters with the PDF
line memo than without it, and paid 0.8 s of kernel time for it, while the build's own process
met it less. :func:`in_stack_room` gives a document a chunk of 1 MiB of its own, so that
figures measured with and without a change compare the change, not where a chunk ends.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import ParamSpec, TypeVar

# Room, in pointers (512 KiB), for the Python frames of writing one document: more than the
# deepest layout of a letter needs.
STACK_ROOM = 1 << 16

Parameters = ParamSpec("Parameters")
Result = TypeVar("Result")


def in_stack_room(
    call: Callable[Parameters, Result], *args: Parameters.args, **kwargs: Parameters.kwargs
) -> Result:
    """``call(*args, **kwargs)``, its Python frames in a stack chunk of their own.

    This function's frame claims :data:`STACK_ROOM` of evaluation stack, which no chunk has
    left, so CPython starts a chunk of twice that for it, and the call's frames all fit after
    it: the chunk is mapped once per call, however deep the layout goes and loops.
    """
    return call(*args, **kwargs)


with suppress(AttributeError, TypeError, ValueError):  # a Python whose code objects differ
    in_stack_room.__code__ = in_stack_room.__code__.replace(co_stacksize=STACK_ROOM)
