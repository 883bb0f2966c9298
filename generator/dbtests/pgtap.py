"""A suite as a pgTAP file: one transaction, a plan, one `is`/`matches` per check, rolled back."""

from __future__ import annotations

from ..templating import environment
from .model import Suite


def helper_sql() -> str:
    """The functions the checks call (the probes, and the one every act runs through), made in the test's own
    transaction."""
    env = environment()
    return (
        env.get_template("dbtests/helper.sql.j2").render()
        + "\n"
        + env.get_template("dbtests/functions.sql.j2").render()
    )


def render(suite: Suite) -> str:
    return (
        environment()
        .get_template("dbtests/file.sql.j2")
        .render(
            module=suite.module,
            source=suite.source,
            structure=suite.structure,
            tenancy=suite.role is not None,
            fixture=suite.fixture,
            behaviour=suite.behaviour,
            role=suite.role or "",
            count=len(suite.checks),
            helper=helper_sql(),
            setup=suite.setup,
            checks=suite.checks,
        )
    )
