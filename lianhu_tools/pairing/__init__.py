"""Pairing (结对): units → villages (`villages`), cadres → households (`households`), work-team rotation
(`rotation`), each stated as a transportation problem (`problem`, `levels`), solved exactly (`network`, or the
PuLP `model` with the planner's `rules`, through `solve`), explained (`prices`, `explain`, `explain_villages`),
compared across policies (`compare`), summarised (`summary`) and written out (`output`)."""
