"""The Flask service: district risk API, alerts and the planners' page (issues #5-#7; not built yet)."""
