"""Finding pricing plugins: the pluggy manager and the registry of rule types.

Loading is lazy and happens once, on first use. Entry points in the group
``innkeep.pricing`` are loaded, restricted by ``INNKEEP_LOAD_PLUGINS`` (a comma list of
distribution or entry-point names; empty means none). ``INNKEEP_TRACE_PLUGINS=1`` prints
every hook call to stderr. The built-in rules are an entry point like any other (so the
engine never imports them): run Innkeep from an installed distribution, or, from a bare source
tree, register them yourself with ``get_plugin_manager().register(plugins, name="builtin")``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping, Sequence
from importlib import metadata
from types import ModuleType
from typing import Any

import msgspec
import pluggy

from engine import hookspecs
from engine.errors import RuleTypeConflict
from engine.inputs import RuleInput
from engine.rules import STAGES, NightRule, RestrictionRule, Rule, StayRule

GROUP = "innkeep.pricing"
PROJECT = "innkeep"


class RuleTypeInfo(msgspec.Struct, frozen=True):
    """An installed rule type and where it comes from."""

    rule_type: type[Rule[Any]]
    package: str
    version: str
    plugin: str

    @property
    def name(self) -> str:
        """The name owners write as ``type``."""
        return self.rule_type.name


class _Origin(msgspec.Struct, frozen=True):
    package: str
    version: str


_lock = threading.Lock()
_manager: pluggy.PluginManager | None = None
_origins: dict[str, _Origin] = {}
_registry_key: tuple[tuple[str, int], ...] | None = None
_registry: dict[str, RuleTypeInfo] = {}


def _allowed() -> set[str] | None:
    raw = os.environ.get("INNKEEP_LOAD_PLUGINS")
    if raw is None:
        return None
    return {name.strip() for name in raw.split(",") if name.strip()}


def _trace(manager: pluggy.PluginManager) -> None:
    def before(hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
        plugins = ", ".join(impl.plugin_name for impl in hook_impls)
        print(f"innkeep: calling {hook_name}({', '.join(kwargs)}) on [{plugins}]", file=sys.stderr)

    def after(
        outcome: Any, hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> None:
        print(f"innkeep: {hook_name} done", file=sys.stderr)

    manager.add_hookcall_monitoring(before, after)


def _load_entry_points(manager: pluggy.PluginManager) -> None:
    allowed = _allowed()
    for entry_point in sorted(metadata.entry_points(group=GROUP), key=lambda ep: ep.name):
        dist = entry_point.dist
        package = dist.metadata["Name"] if dist is not None else entry_point.module
        version = dist.version if dist is not None else "unknown"
        if allowed is not None and not ({entry_point.name, package} & allowed):
            continue
        if manager.has_plugin(entry_point.name) or manager.is_blocked(entry_point.name):
            continue
        manager.register(entry_point.load(), name=entry_point.name)
        _origins[entry_point.name] = _Origin(package=package, version=version)


def get_plugin_manager() -> pluggy.PluginManager:
    """The one plugin manager, created and loaded from entry points on first call."""
    global _manager
    if _manager is not None:
        return _manager
    with _lock:
        if _manager is None:
            manager = pluggy.PluginManager(PROJECT)
            manager.add_hookspecs(hookspecs)
            if os.environ.get("INNKEEP_TRACE_PLUGINS") == "1":
                _trace(manager)
            _load_entry_points(manager)
            _manager = manager
    return _manager


def plugins_loaded() -> bool:
    """Whether plugins have been loaded yet (they load on first use, never on import)."""
    return _manager is not None


def reset_plugin_manager() -> None:
    """Forget the loaded plugins; the next call loads them again (for tests and tools)."""
    global _manager, _registry_key
    with _lock:
        _manager = None
        _registry_key = None
        _registry.clear()
        _origins.clear()


def plugin_origin(plugin_name: str, plugin: object) -> tuple[str, str]:
    """``(package, version)`` of a registered plugin, for error messages and listings."""
    origin = _origins.get(plugin_name)
    if origin is not None:
        return origin.package, origin.version
    module = plugin if isinstance(plugin, ModuleType) else type(plugin)
    return getattr(module, "__name__", plugin_name), "unregistered"


def _check_rule_type(rule_type: object, plugin_name: str) -> type[Rule[Any]]:
    if not (
        isinstance(rule_type, type)
        and issubclass(rule_type, NightRule | StayRule | RestrictionRule)
        and isinstance(getattr(rule_type, "name", None), str)
        and getattr(rule_type, "stage", None) in STAGES
        and issubclass(rule_type.Settings, msgspec.Struct)
    ):
        raise TypeError(
            f"plugin {plugin_name!r} registered {rule_type!r}: a rule type is a subclass of "
            f"NightRule, StayRule or RestrictionRule with a name, a stage in {STAGES} "
            "and a Settings Struct"
        )
    inputs = getattr(rule_type, "inputs", ())
    if not isinstance(inputs, tuple) or not all(isinstance(i, RuleInput) for i in inputs):
        raise TypeError(
            f"plugin {plugin_name!r}: rule type {rule_type.name!r} declares inputs that are "
            "not a tuple of engine.RuleInput"
        )
    night = rule_type.stage in ("base", "adjust", "clamp", "round")
    if night != issubclass(rule_type, NightRule) or (rule_type.stage == "restrict") != issubclass(
        rule_type, RestrictionRule
    ):
        raise TypeError(
            f"plugin {plugin_name!r}: rule type {rule_type.name!r} has stage "
            f"{rule_type.stage!r}, which does not match its base class"
        )
    return rule_type


def rule_types() -> Mapping[str, RuleTypeInfo]:
    """Every installed rule type by name. Recomputed when plugins are (un)registered.

    Each plugin's ``innkeep_register_rules`` is called on its own so that every rule type is
    known with its package; the result is keyed by name, so registration order never matters.
    """
    global _registry_key
    manager = get_plugin_manager()
    plugins = sorted(
        (name, plugin) for name, plugin in manager.list_name_plugin() if plugin is not None
    )
    key = tuple((name, id(plugin)) for name, plugin in plugins)
    with _lock:
        if key == _registry_key:
            return dict(_registry)
    found: dict[str, RuleTypeInfo] = {}
    for plugin_name, plugin in plugins:
        others = [other for name, other in plugins if name != plugin_name]
        package, version = plugin_origin(plugin_name, plugin)

        def register(
            rule_type: type[Any],
            plugin_name: str = plugin_name,
            package: str = package,
            version: str = version,
        ) -> None:
            checked = _check_rule_type(rule_type, plugin_name)
            clash = found.get(checked.name)
            if clash is not None and clash.rule_type is not checked:
                raise RuleTypeConflict(
                    f"rule type {checked.name!r} is registered by both {clash.package} "
                    f"and {package}: uninstall one, or restrict INNKEEP_LOAD_PLUGINS"
                )
            found[checked.name] = RuleTypeInfo(checked, package, version, plugin_name)

        caller = manager.subset_hook_caller("innkeep_register_rules", remove_plugins=others)
        caller(register=register)
    with _lock:
        _registry.clear()
        _registry.update(sorted(found.items()))
        _registry_key = key
        return dict(_registry)


def _left_out() -> list[str]:
    """Installed entry points (with their package) that ``INNKEEP_LOAD_PLUGINS`` leaves out."""
    allowed = _allowed()
    if allowed is None:
        return []
    names = []
    for entry_point in metadata.entry_points(group=GROUP):
        package = entry_point.dist.metadata["Name"] if entry_point.dist else entry_point.module
        if not ({entry_point.name, package} & allowed):
            names.append(f"{entry_point.name} ({package})")
    return sorted(set(names))


def why_not_loaded(type_name: str) -> str:
    """Why no loaded plugin provides rule type ``type_name``, in an owner's words."""
    left_out = _left_out()
    if left_out:
        listed = os.environ.get("INNKEEP_LOAD_PLUGINS", "")
        return (
            f"rule type {type_name!r} is not loaded: INNKEEP_LOAD_PLUGINS={listed!r} leaves out "
            f"the installed plugins {', '.join(left_out)}; add the one that provides it"
        )
    known = ", ".join(sorted(rule_types())) or "none"
    return (
        f"rule type {type_name!r} is not loaded: no installed plugin provides it (was its "
        f"package uninstalled?); `innkeep plugins` lists the loaded types: {known}"
    )
