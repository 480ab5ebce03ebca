"""``innkeep plugin new NAME``: a ready plugin package with a rule and passing tests."""

from __future__ import annotations

import re
from pathlib import Path

_NAME = re.compile(r"^[a-z][a-z0-9]*([-_][a-z0-9]+)*$")

PYPROJECT = """\
[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "{dist}"
version = "0.1.0"
description = "An Innkeep pricing rule: {rule}."
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["innkeep"]

[project.optional-dependencies]
# pip install -e '.[test]', then run pytest and mypy.
test = ["pytest>=8", "mypy>=1.11"]

# Innkeep finds the rule through this entry point; the name is what INNKEEP_LOAD_PLUGINS lists.
[project.entry-points."innkeep.pricing"]
{rule} = "{module}"

[tool.hatch.build]
# `pip install -e` puts src on the path with a plain .pth file (which mypy reads too).
dev-mode-dirs = ["src"]

[tool.hatch.build.targets.wheel]
packages = ["src/{module}"]

[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.mypy]
strict = true
files = ["src", "tests"]
"""

MODULE = '''\
"""{dist}: an Innkeep pricing rule. Owners turn it on with

    [[rules]]
    type = "{rule}"
    percent = 10
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec

from engine import NightRule, Nights, SettingError, hookimpl, percent_ratio, scale, words_in

#: What a guest reads on each night's line, in the widget's languages (`engine.WORD_LANGUAGES`;
#: ``{{percent}}`` is written each reader's way, "+12.5%" or "+12,5 %"). A language left out
#: reads the English ``note``.
WORDS = {{
    "en": "+{{percent}}%",
    "de": "+{{percent}} %",
    "fr": "+{{percent}} %",
    "es": "+{{percent}} %",
    "it": "+{{percent}}%",
}}


class {cls}Settings(msgspec.Struct, forbid_unknown_fields=True):
    percent: Decimal = Decimal(10)


class {cls}(NightRule[{cls}Settings]):
    """Adds ``percent`` to every night (replace this with your rule)."""

    name = "{rule}"
    stage = "adjust"
    Settings = {cls}Settings

    def setup(self) -> None:
        if self.settings.percent < -100:
            raise SettingError("percent", "cannot lower a price by more than 100 %")
        numerator, denominator = percent_ratio(self.settings.percent)
        self._ratio = (denominator + numerator, denominator)

    def price(self, nights: Nights) -> None:
        for i, amount in enumerate(nights.amounts):
            nights.amounts[i] = scale(amount, *self._ratio)
        if nights.explaining:  # a calendar prices without notes: skip the words
            note = f"+{{self.settings.percent}}%"
            words = words_in(WORDS, self.currency, numbers={{"percent": self.settings.percent}})
            for i in range(len(nights)):
                nights.note(i, note, words)


@hookimpl
def innkeep_register_rules(register: Callable[[type[Any]], None]) -> None:
    """Tell Innkeep about this package's rule types."""
    register({cls})
'''

TEST = '''\
"""Tests of {dist}, priced without a database by `engine.testing`."""

from __future__ import annotations

import {module}
from engine import rule_types
from engine.testing import price, registered
from {module} import {cls}


def test_plugin_is_installed() -> None:
    # Fails until the package is installed (pip install -e '.[test]'): Innkeep finds rules
    # that way.
    assert rule_types()["{rule}"].package == "{dist}"


def test_the_hook_registers_the_rule() -> None:
    # Works before and after installing: an installed plugin is left registered as it is.
    with registered({module}, name="{dist}-under-test"):
        assert rule_types()["{rule}"].rule_type is {cls}


def test_rule_raises_every_night_by_the_percentage() -> None:
    quote = price(
        rules=[{{"type": "{rule}", "percent": 10}}],
        rule_types=[{cls}],
        base_price="100.00",
        currency="EUR",
        check_in="2026-03-02",
        check_out="2026-03-04",
    )
    assert [night.amount for night in quote.nights] == [11000, 11000]
    line = quote.nights[0].lines[-1]
    assert line.rule == "{rule}"
    assert (line.note, line.note_in("de")) == ("+10%", "+10 %")  # each reader's way
'''

README = """\
# {dist}

An Innkeep pricing rule, `{rule}`. Install it next to Innkeep, with its test tools
(`pip install -e '.[test]'`), then add it to a property's rules:

```toml
[[rules]]
type = "{rule}"
percent = 10
```

Run the tests with `pytest` and the type check with `mypy` (strict).
"""

#: What ``innkeep plugin new`` tells the author to run next, in the new folder.
NEXT_STEPS = "pip install -e '.[test]' && pytest && mypy"


def names(name: str) -> dict[str, str]:
    """``holiday-surcharge`` → distribution, module, rule type and class names."""
    short = name.removeprefix("innkeep-").removeprefix("innkeep_")
    if not _NAME.match(short):
        raise ValueError(
            f"plugin name {name!r}: use lower-case letters, digits and '-', "
            "e.g. 'holiday-surcharge'"
        )
    rule = short.replace("-", "_")
    return {
        "dist": f"innkeep-{short.replace('_', '-')}",
        "module": f"innkeep_{rule}",
        "rule": rule,
        "cls": "".join(part.capitalize() for part in rule.split("_")),
    }


def new_plugin(name: str, dest: Path) -> Path:
    """Write a plugin package named after ``name`` into ``dest``; return its folder.

    The package has a pyproject with the ``innkeep.pricing`` entry point and a ``test`` extra,
    one typed rule (``py.typed``), and tests (``test_plugin_is_installed`` among them) that
    pass once it is installed (`NEXT_STEPS`). Refuses to write over an existing folder.
    """
    parts = names(name)
    root = Path(dest) / parts["dist"]
    if root.exists():
        raise FileExistsError(f"{root} already exists; choose another name or --dest")
    package = root / "src" / parts["module"]
    package.mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT.format(**parts), encoding="utf-8")
    (root / "README.md").write_text(README.format(**parts), encoding="utf-8")
    (package / "__init__.py").write_text(MODULE.format(**parts), encoding="utf-8")
    (package / "py.typed").write_text("", encoding="utf-8")
    (root / "tests" / f"test_{parts['rule']}.py").write_text(TEST.format(**parts), encoding="utf-8")
    return root
