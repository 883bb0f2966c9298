"""A clone without the reference document (`../shared/reference/`): the tests that
compare with it are skipped, saying why, and every other test of their files passes."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from reference_sql import REFERENCE_NAME

TESTS = Path(__file__).resolve().parent
# Every test that reads the reference document, and no other.
NEEDS_REFERENCE = {
    "test_harness.py::test_reference_sql_is_runnable_text",
    "test_harness.py::test_reference_applies_on_standins",
    "test_harness.py::test_reference_as_written_fails_without_enum_reordering",
    "test_harness.py::test_same_build_gives_same_dump",
    "test_harness.py::test_missing_index_is_reported_by_name",
    "test_harness.py::test_comment_differences_can_be_ignored",
    "test_harness.py::test_ignore_comments_still_sees_other_differences",
    "test_harness.py::test_atomicity_check_accepts_a_transactional_script",
    "test_harness.py::test_atomicity_check_rejects_a_script_without_its_own_transaction",
    "test_parity.py::test_generated_migration_builds_the_reference_schema",
    "test_parity.py::test_parity_check_sees_a_one_word_difference",
}


def test_without_the_reference_exactly_its_tests_skip_with_the_reason(pg_admin_url, tmp_path):
    missing = tmp_path / "nowhere" / REFERENCE_NAME
    report = tmp_path / "report.xml"
    env = {**os.environ, "SCHEMAGEN_REFERENCE": str(missing), "SCHEMAGEN_TEST_DATABASE_URL": pg_admin_url}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n0",  # in this worker: the suite's own workers already share the machine
            f"--junit-xml={report}",
            "test_harness.py",
            "test_parity.py",
        ],
        cwd=TESTS,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    skipped, ran = {}, set()
    for case in ET.parse(report).getroot().iter("testcase"):
        test = f"{case.get('classname', '').rsplit('.', 1)[-1]}.py::{case.get('name')}"
        skip = case.find("skipped")
        if skip is None:
            ran.add(test)
        else:
            skipped[test] = skip.get("message", "")
    assert set(skipped) == NEEDS_REFERENCE
    for message in skipped.values():
        assert f"needs the reference document {REFERENCE_NAME}, not found at {missing}" in message
    assert ran, "the other tests of these files ran"
