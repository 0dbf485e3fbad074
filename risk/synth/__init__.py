"""The synthetic scenario: the embedded default the demo runs on (see ``docs/synthetic.md``)."""

from risk.synth.process import Effects
from risk.synth.scenario import OUTPUT_FILES, generate

__all__ = ["OUTPUT_FILES", "Effects", "generate"]
