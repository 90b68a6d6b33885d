"""An evaluation as files: the signed PDF report (`pdf`) and its tables as XLSX and CSV
(`exports`), all drawn from `presenters.figures`, so that they say what the page says."""

import sys
import types

# On import ReportLab reads ~/.reportlab_settings and ~/.reportlab_mods unless modules named
# reportlab_settings and reportlab_mods can be imported: empty ones here, so that a signed
# report never depends on the home directory of whoever runs the server or the worker (and a
# fresh clone behaves like this machine). ReportLab's defaults are what we use.
for _name in ("reportlab_settings", "reportlab_mods"):
    sys.modules.setdefault(_name, types.ModuleType(_name))
