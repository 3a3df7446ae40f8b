"""No import cycle inside the package, not even through an import inside a function.

import-linter (`.venv/bin/lint-imports`, in .ci/run) holds the layers; this holds what it does not
check: within a layer, no two modules import each other, directly or round a longer loop."""

from __future__ import annotations

import grimp


def import_cycles(package: str) -> list[list[str]]:
    graph = grimp.build_graph(package)
    imports = {module: sorted(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    cycles: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the path, "done" once every import below it is seen
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for imported in imports.get(module, []):
            if state.get(imported) == "open":
                cycles.append(path[path.index(imported) :] + [imported])
            elif imported not in state:
                visit(imported)
        path.pop()
        state[module] = "done"

    for module in sorted(imports):
        if module not in state:
            visit(module)
    return cycles


def test_no_module_of_facilitator_imports_itself_round_a_loop() -> None:
    cycles = import_cycles("facilitator")
    assert not cycles, "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_check_sees_a_loop_through_an_import_inside_a_function(tmp_path, monkeypatch) -> None:
    package = tmp_path / "looped"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from looped import b\n")
    (package / "b.py").write_text("def later():\n    from looped import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("looped") == [["looped.a", "looped.b", "looped.a"]]
