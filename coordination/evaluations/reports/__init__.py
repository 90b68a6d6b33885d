"""An evaluation as files: the signed PDF report (`pdf`) and its tables as XLSX and CSV
(`exports`), all drawn from `presenters.figures`, so that they say what the page says."""
