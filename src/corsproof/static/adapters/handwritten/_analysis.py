"""The hand-written header analysis of one module, put together: the parts that find the headers
(`Sinks`, `Mocks`), resolve names and follow the Origin (`Names`, `OriginFlow`), translate values,
conditions and guards (`Values`, `Conditions`, `Guards`) and group the headers into policies
(`Grouping`), each holding the ones it asks."""

from __future__ import annotations

from collections.abc import Iterator

from corsproof.policy import CorsPolicy
from corsproof.static._module import Module
from corsproof.static.adapters.handwritten._bindings import Names
from corsproof.static.adapters.handwritten._flows import OriginFlow
from corsproof.static.adapters.handwritten._grouping import Grouping
from corsproof.static.adapters.handwritten._guards import Guards
from corsproof.static.adapters.handwritten._mocks import Mocks
from corsproof.static.adapters.handwritten._records import Scratch
from corsproof.static.adapters.handwritten._sinks import Sinks
from corsproof.static.adapters.handwritten._values import Values
from corsproof.static.semantic import Evaluator


class Analysis:
    """The CORS headers one module sets by hand (`collect`), and the policies they make."""

    def __init__(self, module: Module, resolver: Evaluator) -> None:
        scratch = Scratch()  # facts met while translating, shared by values, conditions, guards
        names = Names(module, resolver)
        flow = OriginFlow(names)
        values = Values(names, flow, scratch)
        guards = Guards(names, flow, values, scratch)
        self.sinks = Sinks(names, Mocks(module, resolver))
        self.grouping = Grouping(names, values, guards, self.sinks)

    def collect(self) -> None:
        self.sinks.collect()

    def policies(self) -> Iterator[CorsPolicy]:
        return self.grouping.policies()
