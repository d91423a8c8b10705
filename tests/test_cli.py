import shutil
import subprocess

from conftest import ROOT, run_cli


def test_help_speaks_to_editors():
    result = run_cli("--help")
    assert result.returncode == 0
    for word in ("build", "check", "new", "serve", "exit status"):
        assert word in result.stdout
    build_help = run_cli("build", "--help").stdout
    assert "--base-url" in build_help and "--drafts" in build_help and "--output" in build_help


def test_usage_mistakes_exit_2():
    assert run_cli("biuld").returncode == 2
    assert run_cli("new", "actor", "Someone").returncode == 2  # no --kind
    assert run_cli("build", "--site").returncode == 2


def test_missing_site_is_a_content_error_without_traceback(tmp_path):
    result = run_cli("build", "--site", str(tmp_path))
    assert result.returncode == 1
    assert "site.yaml: error: this folder has no site.yaml" in result.stderr
    assert "Traceback" not in result.stderr


def test_new_article_and_actor_scaffold_files_that_check(site):
    root = site()
    made = run_cli("new", "article", "Ångström says: yes!", "--site", str(root))
    assert made.returncode == 0, made.stderr
    path = root / "content/articles/angstrom-says-yes.md"
    assert path.exists() and 'title: "Ångström says: yes!"' in path.read_text()
    made = run_cli("new", "actor", "Zoë Ångström", "--kind", "person", "--site", str(root))
    assert made.returncode == 0, made.stderr
    assert (root / "content/actors/zoe-angstrom.yaml").exists()
    checked = run_cli("check", "--site", str(root), "--drafts")
    assert checked.returncode == 0, checked.stderr
    again = run_cli("new", "actor", "Zoë Ångström", "--kind", "person", "--site", str(root))
    assert again.returncode == 2 and "already exists" in again.stderr
    unnamed = run_cli("new", "actor", "习近平", "--kind", "person", "--site", str(root))
    assert unnamed.returncode == 2 and "--slug" in unnamed.stderr


def test_console_script_is_installed():
    script = shutil.which("explainer", path=str(ROOT / ".venv" / "bin"))
    assert script, "make build installs the explainer command into .venv/bin"
    result = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("explainer ")


def test_a_bug_in_the_generator_is_one_line_and_exit_status_3(monkeypatch, capsys, tmp_path):
    from generator import cli

    def broken(*args, **kwargs):
        raise RuntimeError("something the generator did not expect")

    monkeypatch.setattr(cli, "build", broken)
    monkeypatch.delenv("EXPLAINER_TRACEBACK", raising=False)
    assert cli.main(["build", "--site", str(tmp_path)]) == cli.EXIT_BUG
    err = capsys.readouterr().err
    assert err.startswith("error: the generator failed: RuntimeError: something the generator did not expect (at ")
    assert "Traceback" not in err and "EXPLAINER_TRACEBACK=1" in err


def test_an_error_in_the_generators_own_code_called_by_a_template_is_a_bug_not_a_template_error(monkeypatch, capsys):
    from generator import cli, render

    made = {}  # a helper whose code is the generator's own, as render.py's are
    exec(compile("def broken(self, date):\n    raise RuntimeError(\"a helper of the generator's failed\")\n",
                 render.__file__, "exec"), made)
    monkeypatch.setattr(render.Renderer, "time_tag", made["broken"])
    assert cli.main(["check", "--site", str(ROOT / "tests/invalid/_base")]) == cli.EXIT_BUG
    assert "error: the generator failed: RuntimeError: a helper of the generator's failed" in capsys.readouterr().err
