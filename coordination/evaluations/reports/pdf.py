# PLACEHOLDER (evalflow): replaced by evalreport's file at merge
"""The evaluation's PDF report (EVAL_CONTRACT.md): a placeholder answering a minimal valid PDF."""

from __future__ import annotations

from collections.abc import Sequence

from coordination.models import ActionItem, Evaluation, EvaluationFinding


def evaluation_pdf(
    *,
    evaluation: Evaluation,
    findings: Sequence[EvaluationFinding],
    actions: Sequence[ActionItem],
    previous_actions: Sequence[ActionItem],
    language: str,
) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out
