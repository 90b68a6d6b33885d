"""An evaluation's documents: the signed PDF report and the tables as XLSX and CSV."""
