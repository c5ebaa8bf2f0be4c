"""The project's own files agree with each other: one dependency list, a README generated from the schema."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from lianhu_tools.docs import readme_with_reference

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name, wanted", [("environment.yml", {"notebook"}), ("environment-dev.yml", {"all"})])
def test_environment_files_install_the_package_with_its_extras(name, wanted):
    """Planners get what running needs (no tests, benches or solvers to build); developers get everything."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert python == "python=3.11" and ">=3.11" in project["requires-python"]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert len(pip) == 1, f"dependencies belong in pyproject.toml, not {name}"
    extras = set(re.fullmatch(r"-e \.\[(.+)\]", pip[0]).group(1).split(","))
    assert extras == wanted and extras <= set(project["optional-dependencies"])
    declared = set(project["optional-dependencies"]["all"][0].split("[")[1].rstrip("]").split(","))
    assert declared == set(project["optional-dependencies"]) - {"all"}


def test_readme_field_reference_is_generated_from_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme == readme_with_reference(readme), "run: lianhu fields --update-readme README.md"


def test_readme_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_example_policy_file_is_the_defaults():
    from lianhu_tools.policy import DEFAULT_POLICY, load_policy

    assert load_policy(ROOT / "data" / "policy.yaml").settings == DEFAULT_POLICY
