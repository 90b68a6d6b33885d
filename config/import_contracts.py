"""An import-linter contract for the feature packages (run by `make check`, configured in
pyproject.toml): another feature reads a feature through its selectors and writes through its
services, never through its models' managers, views, forms, API or tasks.

For each feature package F (`incidents.threats`, `coordination.patrols`...), a module outside F
may import from F only the modules listed in `public` (selectors, services, and the URL
modules the URLconf includes); F's own modules import each other freely. The check is on direct
imports: an indirect one goes through a public module by construction.
"""

from __future__ import annotations

from typing import Any

from importlinter import Contract, ContractCheck, fields, output


class FeaturePackagesContract(Contract):
    type_name = "feature_packages"

    features = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        features = [str(f) for f in self.features]  # type: ignore[attr-defined]
        public = {str(p) for p in self.public}  # type: ignore[attr-defined]
        missing = [f for f in features if f not in graph.modules]
        if missing:
            raise ValueError(f"feature packages not found: {', '.join(missing)}")
        violations: list[dict[str, Any]] = []
        for feature in features:
            inside = {m for m in graph.modules if m == feature or m.startswith(f"{feature}.")}
            for imported in sorted(inside - {feature}):
                entry = imported[len(feature) + 1 :].split(".")[0]
                if entry in public:
                    continue
                for importer in sorted(graph.find_modules_that_directly_import(imported) - inside):
                    lines = [d["line_number"] for d in graph.get_import_details(importer=importer, imported=imported)]
                    violations.append({"importer": importer, "imported": imported, "lines": lines})
            # `from incidents.threats import views` is an import of the package itself.
            for importer in sorted(graph.find_modules_that_directly_import(feature) - inside):
                for detail in graph.get_import_details(importer=importer, imported=feature):
                    names = detail["line_contents"].split(" import ", 1)[-1].replace("(", "").replace(")", "")
                    bad = [n.split(" as ")[0].strip() for n in names.split(",")]
                    bad = [n for n in bad if n and n not in public]
                    if bad:
                        violations.append(
                            {"importer": importer, "imported": f"{feature}.{bad[0]}", "lines": [detail["line_number"]]}
                        )
        return ContractCheck(kept=not violations, metadata={"violations": violations})

    def render_broken_contract(self, check: ContractCheck) -> None:
        public = ", ".join(sorted(str(p) for p in self.public))  # type: ignore[attr-defined]
        for v in check.metadata["violations"]:
            where = ", ".join(f"l.{n}" for n in v["lines"])
            output.print_error(f"{v['importer']} imports {v['imported']} ({where}): only {public} are public")
            output.new_line()
