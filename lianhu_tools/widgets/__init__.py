"""Thin ipywidgets adapters over the package's pure functions, for JupyterLab and Voilà: the pairing panel
and policy comparison (`pairing`), the plan editor (`plans`), the leadership dashboard (`dashboard`)."""
