"""The leadership dashboard widget: filters (period, county, township, village) over `figures.dashboard`,
the charts drawn as one figure. The same widget runs in JupyterLab and, code hidden, under Voilà
(`lianhu dashboard`); `write_html` saves it as one static page for those who only get files. A redraw that
fails (a store gone, a fault) shows visitors a short message; the detail goes to the server's log, not the page.
"""

from __future__ import annotations

import html
import logging
import sys
import time
from pathlib import Path

import ipywidgets as w
import plotly.graph_objects as go
from IPython.display import display

from ..errors import DASHBOARD_ERROR_MESSAGE
from ..figures.dashboard import DashboardData
from ..figures.theme import combined
from ..store import aggregates
from ..periods import period_label
from ..policy import Policy
from ..report import write_dashboard_page
from ..rosters import Rosters


class Dashboard:
    """Filters and what they show; `figures` holds the charts last drawn, `data` what they are drawn from."""

    def __init__(self, store, rosters: Rosters | None = None, assessments: dict[str, int] | None = None,
                 policy: Policy | None = None):
        self._read = lambda: DashboardData(store, rosters, assessments, policy)
        self.data = self._read()
        self.rosters = self.data.rosters
        self.period = w.Dropdown(options=[(period_label(p), p) for p in self.data.periods],
                                 value=self.data.default_period, description="期别")
        self.county = w.Dropdown(options=self.data.counties, description="县区")
        self.township = w.Dropdown(options=[("全部", "")], description="乡镇")
        self.village = w.Dropdown(options=[("全部", "")], description="村")
        self.headline = w.HTML()
        self.chart = w.Output()  # the charts, drawn as one figure (`figures.theme.combined`)
        self.rankings = w.HTML()
        self.figures: dict[str, go.Figure] = {}
        self.combined: go.Figure | None = None  # the figures as panels of one plot, as drawn
        self.seconds = 0.0
        self._busy = False
        for control in (self.period, self.county, self.township, self.village):
            control.observe(self._changed, "value")
        self.render()

    def _changed(self, change) -> None:
        """A filter changed: offer the parts of the area chosen (none for the whole city), then redraw once."""
        if self._busy:
            return
        try:
            self._busy = True
            try:
                self._read_again_if_changed()
                if change.owner is self.county:
                    self.township.options = self.data.parts_of(self.county.value, "township")
                if change.owner in (self.county, self.township):
                    self.village.options = self.data.parts_of(self.township.value, "village")
            finally:
                self._busy = False
            self.render()
        except Exception:  # in a kernel, ipywidgets would send the traceback to the page
            _server_log().exception("dashboard redraw failed (period %r, area %r)", self.period.value, self.area())
            self.show_error()

    def _read_again_if_changed(self) -> None:
        """The store read again if it was written since (records imported, an assessment run, pairings accepted):
        a page kept open, or drawn before a visitor came, shows what the store holds now."""
        if aggregates.written_last(self.data.store) == self.data.written:
            return
        self.data = self._read()
        self.rosters = self.data.rosters
        periods = [(period_label(p), p) for p in self.data.periods]
        if periods != list(self.period.options):
            chosen = self.period.value
            self.period.options = periods
            self.period.value = chosen if chosen in self.data.periods else self.data.default_period
        if self.data.counties != list(self.county.options):  # rosters saved again: counties may come or go
            chosen = self.county.value
            self.county.options = self.data.counties
            self.county.value = chosen if chosen in dict(self.data.counties).values() else ""
            self.township.options = self.data.parts_of(self.county.value, "township")
            self.village.options = self.data.parts_of(self.township.value, "village")

    def show_error(self) -> None:
        """The short message in place of the headline, charts and rankings."""
        self.headline.value = f"<h3 class='dashboard-error' style='color:#b23a48'>{html.escape(DASHBOARD_ERROR_MESSAGE)}</h3>"
        self.rankings.value = ""
        self.figures, self.combined = {}, None
        if _in_kernel():
            self.chart.clear_output()

    def area(self) -> tuple[str, int]:
        """The selected area's code prefix and the code digits of its parts (county 6, township 9, village 12)."""
        for control, digits in ((self.village, 12), (self.township, 12), (self.county, 9)):
            if control.value:
                return control.value, digits
        return "", 6

    def render(self) -> None:
        """Draw the selected area and period."""
        started = time.perf_counter()
        view = self.data.view(*self.area(), self.period.value)
        self.figures = view.figures
        self.headline.value, self.rankings.value = view.headline, view.rankings
        self.combined = combined(view.figures) if view.figures else None
        if _in_kernel():  # elsewhere (tests) an Output would only print the figure's text
            self.chart.clear_output(wait=True)
            if self.combined:
                with self.chart:
                    self.combined.show(renderer="plotly_mimetype")  # JupyterLab and Voilà draw it
        self.seconds = time.perf_counter() - started

    def describe(self) -> str:
        return self.data.describe()

    def widget(self) -> w.Widget:
        return w.VBox([w.HBox([self.period, self.county]), w.HBox([self.township, self.village]),
                       self.headline, self.chart, self.rankings])

    def _ipython_display_(self) -> None:
        display(self.widget())

    def write_html(self, path: str | Path) -> Path:
        """The period chosen as one static page (see `report.write_dashboard_page`)."""
        return write_dashboard_page(self.data, self.period.value, path)


def _server_log() -> logging.Logger:
    """This module's log, on the process's own stderr: in a kernel, the log of the server that started it."""
    log = logging.getLogger(__name__)
    if not log.handlers:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[lianhu dashboard] %(levelname)s | %(message)s"))
        log.addHandler(handler)
        log.propagate = False  # the root log's handlers may write to sys.stderr, which a kernel sends to the page
    return log


def _in_kernel() -> bool:
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None
