"""Every designer scenario in processes/scenarios/ runs green, and every procedure ships with scenarios."""
from pathlib import Path

import pytest

from app.scenarios import load_scenario, run_scenario
from config import BASE_DIR

SCENARIOS = sorted((BASE_DIR / "processes" / "scenarios").glob("*.json"))
SETTINGS = {"PROCESSES_DIR": str(BASE_DIR / "processes"), "FORMS_DIR": str(BASE_DIR / "forms")}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_passes(path: Path):
    lines: list[str] = []
    assert run_scenario(load_scenario(path), SETTINGS, lines.append), "\n".join(lines)
    assert not any("✗" in line for line in lines)


@pytest.mark.parametrize("bpmn", sorted((BASE_DIR / "processes").glob("*.bpmn")), ids=lambda p: p.name)
def test_every_procedure_ships_with_scenarios(bpmn: Path):
    assert [p for p in SCENARIOS if p.name.startswith(f"{bpmn.stem}.")], \
        f"add processes/scenarios/{bpmn.stem}.<path>.json for each path of {bpmn.name}"


def test_the_household_registration_scenarios_cover_each_path():
    kinds = {p.name.split(".")[1] for p in SCENARIOS if p.name.startswith("household_business_registration.")}
    assert {"happy_path", "refused_at_reception", "refused_by_leader", "late", "second_supplement_refused"} <= kinds
