"""The GitHub Actions workflow ``init`` writes, and what it installs (``init --install SPEC``).

The package may not be on PyPI (a fork, a release not published yet), so the workflow installs what SPEC names:
this version from PyPI by default, a Git URL (``git+https://github.com/OWNER/REPO@TAG``) or a wheel (a path
in the repository, or an https URL). SPEC ends up in YAML and, through an environment variable, in a shell
command, so only a narrow alphabet is accepted (no quote, space, ``$``, ``{`` or backtick: nothing a shell or
GitHub's ``${{ }}`` expressions could act on), and it is written as a single-quoted YAML string.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from dailypapers import __version__
from dailypapers.errors import DailyPapersError
from dailypapers.files import discard, file_errors, publish, stage

PLACEHOLDER = "@DAILYPAPERS_INSTALL@"
WORKFLOW = Path(".github/workflows/dailypapers.yml")  # where ``init`` writes it, under its folder
_SPECIFIER = r"(?:===?|~=|!=|<=?|>=?)[A-Za-z0-9.*+!_-]+"
_REQUIREMENT = re.compile(rf"dailypapers(?:\[[a-z0-9,_-]+\])?(?:{_SPECIFIER}(?:,{_SPECIFIER})*)?")
_URL_PATH = r"[A-Za-z0-9._~%/+-]+"
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?"
_GIT = re.compile(rf"(?:dailypapers ?@ ?)?git\+https://{_HOST}/{_URL_PATH}(?:@[A-Za-z0-9._/+-]+)?")
_WHEEL_URL = re.compile(rf"(?:dailypapers ?@ ?)?https://{_HOST}/{_URL_PATH}\.whl")
_WHEEL_PATH = re.compile(r"(?:\./)?(?:[A-Za-z0-9._+-]+/)*[A-Za-z0-9._+-]+\.whl")
_WHEEL_NAME = re.compile(r"dailypapers-[A-Za-z0-9._+!-]+\.whl")


def default_install() -> str:
    """This version from PyPI: a new release never changes a page unannounced."""
    return f"dailypapers=={__version__}"


def check_install(spec: str) -> str:
    """``spec`` if the workflow can install it safely, else ValueError saying what is accepted."""
    if _REQUIREMENT.fullmatch(spec) or _GIT.fullmatch(spec):
        return spec
    if _WHEEL_URL.fullmatch(spec) or _WHEEL_PATH.fullmatch(spec):
        name = spec.rsplit("/", 1)[-1]
        if _WHEEL_NAME.fullmatch(name) and ".." not in spec.split("/"):
            return spec
    raise ValueError(
        f"{spec!r} is not something the workflow can install; expected 'dailypapers==VERSION', a Git URL such as "
        "'git+https://github.com/OWNER/REPO@TAG', or a wheel (dist/dailypapers-VERSION-py3-none-any.whl, inside "
        "the repository, or an https URL)"
    )


def render_workflow(install: str | None = None) -> str:
    """The workflow, installing ``install`` (checked) or this version from PyPI."""
    spec = check_install(default_install() if install is None else install)
    template = files("dailypapers").joinpath("data/workflow.yml").read_text(encoding="utf-8")
    return template.replace(PLACEHOLDER, _yaml_quoted(spec))


def _yaml_quoted(text: str) -> str:
    """A single-quoted YAML scalar: nothing inside is special but ``'``, written twice."""
    return "'" + text.replace("'", "''") + "'"


def config_template() -> str:
    """The commented ``dailypapers.toml`` that ``init`` writes."""
    return files("dailypapers").joinpath("data/dailypapers.toml").read_text(encoding="utf-8")


def write_all(written: dict[Path, str]) -> None:
    """Every file staged first, then renamed: a destination that cannot be written leaves neither file, no
    temporary file, and one error naming the path (a file where a folder goes, a folder where a file goes)."""
    staged: dict[Path, Path] = {}
    try:
        with file_errors():
            for path, text in written.items():
                staged[path] = stage(path, text)
            publish(staged)
    except DailyPapersError:
        discard(staged)
        raise
