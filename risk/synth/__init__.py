"""The synthetic scenario: the embedded default the demo runs on (see ``docs/synthetic.md``)."""

from risk.synth.load import INGEST_ORDER, ingest_scenario
from risk.synth.process import Effects
from risk.synth.scenario import OUTPUT_FILES, generate

__all__ = ["INGEST_ORDER", "OUTPUT_FILES", "Effects", "generate", "ingest_scenario"]
