"""A stage: one function of a shared context, GoReleaser's pipe. Each module that makes something defines
its Stage (name, what it does, run, why it would skip, which files it writes); pkg/pipeline.py only puts
them in order. `walk` is the one loop over them: pkg/pipeline.py runs each stage through it, and
`python -m pkg plan` walks the same way asking `skip` and `writes` without running any. A stage is typed by
the context it takes (Stage[BuildContext], Stage[ReleaseContext]): a release stage in BUILD does not type-check.

The contexts are beside their stages: BuildContext (one runner's build) in pkg/compile/context.py,
ReleaseContext (the release job) in pkg/release/context.py. What a stage writes is added to the context's
manifest (pkg/core/model.py) as an Artifact. A channel's stage also says what it cannot express (`refuse`):
`make check` and the build ask every stage before anything long runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pkg.core.config import Config
from pkg.core.errors import PkgError
from pkg.core.model import App, Kind


def never(ctx) -> str | None:
    return None


def nothing(ctx) -> list[str]:
    return []


def expresses_anything(cfg: Config, app: App) -> None:
    return None


C = TypeVar("C")  # the context a stage takes


@dataclass(frozen=True)
class Stage(Generic[C]):
    name: str
    does: str                                          # one line, shown by `make plan`
    run: Callable[[C], None]
    skip: Callable[[C], str | None] = never            # the reason it does nothing this time, or None
    writes: Callable[[C], list[str]] = nothing         # the files it makes (names from pkg.core.names)
    refuse: Callable[[Config, App], None] = expresses_anything  # what it cannot express, raised at `make check`
    makes: Kind | None = None  # the kind of what it writes, when later stages select it (`plan` records them)


class SetBy:
    """A context field one stage sets. Read before it is set, it is an error naming that stage — not a None
    that fails three stages later as `'NoneType' object has no attribute …`. `ctx.has(name)` asks."""

    def __init__(self, stage: str):
        self.stage = stage

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, ctx, owner=None):
        if ctx is None:
            return None  # the dataclass field's default
        value = ctx.__dict__.get(self.name)
        if value is None:
            raise PkgError(f"internal error: {self.name} is needed before stage `{self.stage}` has set it "
                           "(a stage list out of order)")
        return value

    def __set__(self, ctx, value) -> None:
        ctx.__dict__[self.name] = value


def walk(stages: Iterable[Stage[C]], ctx: C, do: Callable[[Stage[C], C], None],
         skipped: Callable[[Stage[C], str], None]) -> None:
    """Each stage in order: `skipped` with its reason when it has one, else `do`; none after a stage has said
    the context is done (`ctx.done`: the build `reuse` found identical to this one)."""
    for stage in stages:
        if getattr(ctx, "done", False):
            return
        reason = stage.skip(ctx)
        if reason:
            skipped(stage, reason)
        else:
            do(stage, ctx)
