"""``letterforge diff``: the letters' text compared between git revisions, on temporary
repositories with real commits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import commit_all, copy_example, documented_commands, git, replace_in, run

ESSENTIAL = "essential-services-2020"
USMCA = "usmca-review-2025"
TEMPLATE = "templates/essential-services/letter.en.md.j2"
SENTENCE = "Our members fully support"


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """The example workspace in a git repository with two commits; the second changes a
    sentence of the English template of the essential-services letter."""
    workspace = copy_example(tmp_path / "letters")
    git(workspace, "init", "-q", "-b", "main")
    commit_all(workspace, "The example campaigns")
    replace_in(workspace / TEMPLATE, SENTENCE, "Our member companies fully support")
    commit_all(workspace, "Reword the support paragraph")
    return workspace


def test_diff_shows_what_a_commit_changed_in_each_letter(repository: Path) -> None:
    result = run(repository, "diff", "HEAD~1", "HEAD")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    # Only the English letter changed: the Spanish one and the other campaign did not.
    assert lines[:3] == [
        f"--- HEAD~1:{ESSENTIAL}/en/romo",
        f"+++ HEAD:{ESSENTIAL}/en/romo",
        "@@ -13,7 +13,7 @@",
    ]
    changed = [line for line in lines[3:] if line.startswith(("-", "+"))]
    assert [line[:38] for line in changed] == [
        "-Our members fully support the steps M",
        "+Our member companies fully support th",
    ]
    assert result.stderr == ("1 of 6 letters differs between HEAD~1 and HEAD: 1 changed\n")
    names = run(repository, "diff", "HEAD~1", "HEAD", "--name-only")
    assert names.stdout == f"{ESSENTIAL}/en/romo\n"
    # The repository is as it was: no file, index entry or worktree was added or changed.
    assert git(repository, "status", "--porcelain") == ""
    assert git(repository, "worktree", "list").count("\n") == 1


def test_without_revisions_diff_compares_head_with_the_working_tree(repository: Path) -> None:
    clean = run(repository, "diff")
    assert (clean.exit_code, clean.stdout) == (0, "")
    assert clean.stderr == "no letter differs between HEAD and working tree (6 letters)\n"
    # An uncommitted roster edit shows in that person's letters, in both languages.
    replace_in(
        repository / "recipients/mexico-federal.yaml",
        "Jefe de la Oficina de la Presidencia de la República",
        "Jefe de la Oficina de la Presidencia",
    )
    edited = run(repository, "diff", "--name-only")
    assert edited.exit_code == 1
    assert edited.stdout.splitlines() == [f"{ESSENTIAL}/es-MX/romo"]
    # One revision: that revision against the working tree.
    both = run(repository, "diff", "HEAD~1", "--name-only", "--campaign", ESSENTIAL)
    assert both.stdout.splitlines() == [f"{ESSENTIAL}/en/romo", f"{ESSENTIAL}/es-MX/romo"]


def test_word_diff_marks_the_changed_words(repository: Path) -> None:
    result = run(repository, "diff", "HEAD~1", "HEAD", "--word-diff", "-U0")
    assert result.exit_code == 1
    paragraph = result.stdout.splitlines()[3]
    assert paragraph.startswith("Our [-members-]{+member companies+} fully support the steps")


def test_letters_that_come_and_go_are_added_and_removed(repository: Path) -> None:
    replace_in(
        repository / f"campaigns/{USMCA}.yaml",
        "to: [greer, ebrard, sidhu]",
        "to: [greer, sidhu]",
    )
    result = run(repository, "diff", "--campaign", USMCA)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"--- HEAD:{USMCA}/es-MX/ebrard",
        "+++ /dev/null",
    ]
    assert result.stderr == ("1 of 4 letters differs between HEAD and working tree: 1 removed\n")


def test_narrowing_by_language_and_recipient(repository: Path) -> None:
    replace_in(repository / TEMPLATE, "fully support", "wholly support")
    assert run(repository, "diff", "--lang", "es").exit_code == 0
    assert run(repository, "diff", "--only", "greer").exit_code == 0
    assert run(repository, "diff", "--lang", "en", "--only", "romo").exit_code == 1


def test_a_workspace_in_a_folder_of_the_repository(tmp_path: Path) -> None:
    copy_example(tmp_path / "repo" / "policy" / "letters")
    repository = tmp_path / "repo"
    git(repository, "init", "-q")
    (repository / "README").write_text("not a workspace file\n")
    commit_all(repository, "Letters in a folder")
    workspace = repository / "policy" / "letters"
    replace_in(workspace / TEMPLATE, SENTENCE, "We fully support")
    result = run(workspace, "diff", "--name-only")
    assert (result.exit_code, result.stdout) == (1, f"{ESSENTIAL}/en/romo\n")


def test_a_revision_before_the_workspace_existed_has_no_letters(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    repository.mkdir()
    git(repository, "init", "-q")
    (repository / "README").write_text("letters to come\n")
    commit_all(repository, "Start")
    copy_example(repository)
    commit_all(repository, "The letters")
    result = run(repository, "diff", "HEAD~1", "HEAD", "--name-only")
    assert result.exit_code == 1
    assert result.stderr == "6 of 6 letters differ between HEAD~1 and HEAD: 6 added\n"


def test_what_cannot_be_compared_exits_2_with_one_line(repository: Path, tmp_path: Path) -> None:
    unknown = run(repository, "diff", "no-such-branch")
    assert (unknown.exit_code, unknown.stderr) == (
        2,
        "error: unknown revision 'no-such-branch': name a commit, branch or tag "
        "(git log --oneline lists them)\n",
    )
    not_git = copy_example(tmp_path / "plain")
    outside = run(not_git, "diff")
    assert outside.exit_code == 2
    assert outside.stderr == (
        f"error: {not_git} is not in a git repository: diff compares letters at git revisions\n"
    )
    assert run(repository, "diff", "--campaign", "nothing").stderr == (
        "error: no campaign 'nothing' at HEAD or working tree\n"
    )
    assert run(repository, "diff", "a", "b", "c").exit_code == 2  # a usage error


def test_a_broken_file_names_the_revision_where_it_is(repository: Path) -> None:
    campaign = repository / f"campaigns/{ESSENTIAL}.yaml"
    text = campaign.read_text(encoding="utf-8")
    campaign.write_text(text.replace("date: ", "date: [", 1), encoding="utf-8")
    commit_all(repository, "A broken date")
    campaign.write_text(text, encoding="utf-8")  # fixed in the working tree
    result = run(repository, "diff", "HEAD")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"HEAD:campaigns/{ESSENTIAL}.yaml:")
    assert ": error: " in line
    # And in the working tree, the file is named as it is.
    campaign.write_text(text.replace("date: ", "date: [", 1), encoding="utf-8")
    result = run(repository, "diff", "HEAD~1")
    assert result.stderr.startswith(f"campaigns/{ESSENTIAL}.yaml:")
    assert result.exit_code == 2


README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_examples_run(repository: Path) -> None:
    git(repository, "tag", "v1", "HEAD~1")
    git(repository, "tag", "v2", "HEAD")
    git(repository, "branch", "my-branch")
    replace_in(repository / TEMPLATE, "fully support", "wholly support")
    commands = documented_commands(README, "diff")
    assert len(commands) == 6
    for arguments in commands:
        result = run(repository, *arguments)
        assert result.exit_code in (0, 1), (arguments, result.output)
    # The README's example output is what diff prints, up to where it is cut short.
    shown = README.split("```diff\n", 1)[1].split("```", 1)[0].splitlines()
    printed = run(repository, "diff", "HEAD~1", "HEAD").stdout.splitlines()
    assert printed[:3] == shown[:3]
    changes = [line for line in printed[3:] if line.startswith(("-", "+"))]
    for example, line in zip(shown[3:], changes, strict=True):  # the README leaves out context
        assert line.startswith(example.removesuffix(" …"))


def test_a_recipient_only_one_side_has_is_added_even_when_named(repository: Path) -> None:
    replace_in(
        repository / f"campaigns/{USMCA}.yaml",
        "to: [greer, ebrard, sidhu]",
        "to: [greer, sidhu]",
    )
    commit_all(repository, "Ebrard leaves the campaign")
    result = run(repository, "diff", "HEAD~1", "HEAD", "--only", "ebrard", "--name-only")
    assert (result.exit_code, result.stdout) == (1, f"{USMCA}/es-MX/ebrard\n")
    nobody = run(repository, "diff", "--only", "nobody")
    assert (nobody.exit_code, nobody.stderr) == (
        2,
        "error: --only nobody: no letter at HEAD or working tree matches\n",
    )


def test_a_link_to_another_file_of_the_workspace_is_followed(repository: Path) -> None:
    roster = repository / "recipients/trade-ministers-2025.yaml"
    (repository / "drafts").mkdir()
    roster.rename(repository / "drafts/ministers.yaml")
    roster.symlink_to("../drafts/ministers.yaml")
    commit_all(repository, "The ministers' roster lives in drafts/")
    assert run(repository, "check").exit_code == 0
    result = run(repository, "diff", "HEAD~1", "HEAD")
    assert (result.exit_code, result.stdout) == (0, ""), result.output


def test_a_paragraph_that_looks_like_a_diff_header_is_text(repository: Path) -> None:
    replace_in(repository / TEMPLATE, "Our member companies", "--- one\n\nOur member companies")
    commit_all(repository, "A paragraph of dashes")
    replace_in(repository / TEMPLATE, "--- one", "--- two")
    result = run(repository, "diff", "--word-diff", "-U0")
    assert result.stdout.splitlines()[3] == "--- [-one-]{+two+}"


def test_a_workspace_folder_whose_name_has_spaces(tmp_path: Path) -> None:
    workspace = copy_example(tmp_path / " letters ")
    git(workspace, "init", "-q")
    commit_all(workspace, "Letters")
    result = run(workspace, "diff")
    assert (result.exit_code, result.stderr) == (
        0,
        "no letter differs between HEAD and working tree (6 letters)\n",
    )
