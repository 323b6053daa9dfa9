"""Designer test scenarios: a dossier driven through a deployed procedure step by step, with a scenario clock.

A JSON file next to the diagram (``processes/scenarios/<procedure>.<path>.json``) files a dossier, completes
tasks through their Camunda Forms, advances the clock (firing due timers) and checks status, ready tasks,
variables, events and the due date. ``flask procedures test [SCENARIO…]`` runs them (:mod:`.cli`); the format
is :mod:`.format`, the steps :mod:`.actions`, the checks :mod:`.expectations`, the loop :mod:`.runner`.
"""
from .format import Scenario, ScenarioFormatError, Step, load_scenario, parse_scenario
from .runner import run_paths, run_scenario

__all__ = ["Scenario", "ScenarioFormatError", "Step", "load_scenario", "parse_scenario", "run_paths",
           "run_scenario"]
