"""The Jinja sandbox pages are rendered in: environments, their loaders, and running a
template within its time and size bounds.

Built-in templates ship in the package; a file of the same name in the vault's
``templates_dir`` replaces one, and can extend the original as ``builtin/<name>``.

``TemplateConfig`` is a named tuple, not a dataclass: a class made at import in a fifth of
the time (docs/performance.md, "Imports that cost what the build uses").
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePath
from typing import Any, NamedTuple

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from vaultnet.config import Config, Tier
from vaultnet.containment import link_on_the_way
from vaultnet.dates import Birthday, Duration
from vaultnet.errors import TemplateError, VaultnetError
from vaultnet.insights.insights import TEMPLATE_TYPES as INSIGHT_TYPES
from vaultnet.model.followups import FollowUp
from vaultnet.model.network import (
    Digest,
    Interaction,
    Network,
    Person,
    Ref,
    TierGroup,
    config_key,
)
from vaultnet.model.person import content_key
from vaultnet.render import sandbox
from vaultnet.render.builtin import builtin_templates_dir
from vaultnet.render.filters import filters, markdown_link_filters
from vaultnet.source.notes import Position
from vaultnet.state.fragments import FragmentCache
from vaultnet.state.valuekey import ValueKeys
from vaultnet.version import VERSION

_MAX_RANGE = sandbox.MAX_COUNT
_MAX_POWER_BITS = 100_000


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = 0.0
        self.template = ""

    def start(self, template: str) -> None:
        self.template = template
        self.end = time.monotonic() + self.seconds

    def check(self) -> None:
        if self.end and time.monotonic() > self.end:
            raise TemplateError(
                f"template {self.template} took longer than {self.seconds:g} s to render; "
                "stopped (raise render_timeout_s if it is meant to)"
            )


class TemplateConfig(NamedTuple):
    """The configuration as templates see it: values only, no paths to the file system."""

    vault_name: str
    output_dir: str
    people_dirs: tuple[str, ...]
    log_headings: tuple[str, ...]
    horizon_days: int
    tiers: tuple[Tier, ...]
    dormant_after: Duration
    followups_rows: int

    @classmethod
    def of(cls, config: Config) -> TemplateConfig:
        return cls(
            config.vault.name,
            config.output_dir,
            config.people_dirs,
            config.log_headings,
            config.horizon_days,
            config.tiers,
            config.dormant_after,
            config.followups_rows,
        )


# Plain value types of the model: every public attribute is data, so the sandbox's
# per-access checks can be skipped (they dominate rendering of large tables).
_PLAIN_TYPES: frozenset[type] = frozenset(
    {
        Person,
        Ref,
        Interaction,
        TierGroup,
        Digest,
        Tier,
        Duration,
        Birthday,
        FollowUp,
        Position,
        TemplateConfig,
        dt.date,
        LoopContext,  # loop.last and loop.index: public names only, like the rest
    }
    | INSIGHT_TYPES
)
# Values a template must never reach: they lead to the file system or to raw config.
_HIDDEN_TYPES = (PurePath, Config, Network)


class _Environment(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with a time bound checked on every attribute access and call,
    and size bounds (sandbox.py) checked before each step that could make too much.

    ``*`` and ``**`` are checked before they run: one ``'x' * 10**12`` would take all the
    memory (or, folded while compiling, crash) long before any deadline check came.
    """

    deadline: _Deadline
    page_limit: int
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = sandbox.BoundedCodeGenerator

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.deadline.check()
        if operator == "*":
            sandbox.check_repeat(left, right)
        elif operator == "+":
            sandbox.check_sum(left, right)
        elif operator == "%":
            sandbox.check_percent(left, right)
        elif (
            operator == "**"
            and isinstance(left, int)
            and isinstance(right, int)
            and abs(left) > 1
            and right * max(abs(left).bit_length(), 1) > _MAX_POWER_BITS
        ):
            raise TemplateError(f"{left} ** {right} is too large a number")
        return super().call_binop(context, operator, left, right)

    def joined(self, parts: Iterable[Any], escape: bool = False) -> str:
        """``a ~ b`` (compiled by sandbox.BoundedCodeGenerator)."""
        self.deadline.check()
        return sandbox.joined(parts, escape)

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.deadline.check()
        if type(obj) in _PLAIN_TYPES and attribute[:1] != "_":
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                return self.undefined(obj=obj, name=attribute)
        else:
            value = super().getattr(obj, attribute)
        if isinstance(value, _HIDDEN_TYPES):
            return self.unsafe_undefined(obj, attribute)
        return value

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.deadline.check()
        return super().getitem(obj, argument)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        self.deadline.check()
        sandbox.check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


_EnvironmentKey = tuple[Config, dt.date, tuple[str, ...] | None]


class Environments:
    """The environments of one renderer (a build, or a watcher's many), for reuse: each
    template is compiled once, and Jinja reloads a template whose file changed. A template
    added to or removed from ``templates_dir`` changes which file a name stands for, which
    Jinja's own check cannot see: that makes a new environment.
    """

    KEPT = 4  # environments kept at most (a watcher running for days makes one a day)

    def __init__(self) -> None:
        self.kept: dict[_EnvironmentKey, jinja2.Environment] = {}

    def get(self, config: Config, today: dt.date) -> jinja2.Environment:
        """The environment for ``config`` and ``today``, made when first asked for."""
        listing = _listing(config.vault / config.templates_dir)
        key = (config, today, listing)
        env = self.kept.get(key)
        if env is None:
            for other in self.kept.values():
                other.fragments.clear()  # type: ignore[attr-defined]  # another day's rows
            if len(self.kept) >= self.KEPT:
                self.kept.clear()
            env = self.kept[key] = _new_environment(config, today, listing is not None)
        return env


def make_environment(config: Config, today: dt.date) -> jinja2.Environment:
    """A new sandboxed environment with user overrides, filters and globals for ``today``
    (for one use: a renderer keeps its own, see Environments)."""
    listing = _listing(config.vault / config.templates_dir)
    return _new_environment(config, today, listing is not None)


_COMPILE_RULES = 9  # raise when the sandbox's intercepted operators or FragmentCache change


def _listing(folder: Path) -> tuple[str, ...] | None:
    """Every file under ``folder`` (relative paths, sorted); None when it is not a folder."""
    if not folder.is_dir():
        return None
    found = []
    for root, _dirs, files in os.walk(folder):
        found += [os.path.relpath(os.path.join(root, name), folder) for name in files]
    return tuple(sorted(found))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled built-in and user templates, kept in the user's own cache folder.

    Never inside the vault: a vault may come from someone else, and compiled code loaded
    from it would run. Jinja keys each entry by the template's source, so an edited
    template is compiled again.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    # Compiled code bakes in the sandbox's rules (which operators it checks) and what the
    # cache tag compiles to, and Jinja keys it by the template's source alone: a folder per
    # version and per set of rules, so no template runs as compiled under other ones.
    folder = os.path.join(base, "vaultnet", f"templates-{VERSION}-{_COMPILE_RULES}")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return jinja2.FileSystemBytecodeCache(folder)


class _VaultTemplates(jinja2.FileSystemLoader):
    """The vault's ``templates_dir``: a template (or a folder on the way to it, or the
    folder itself) that is a link is refused, so that no ``include`` or ``extends``, nor a
    page's own template, reads a file from outside the templates folder."""

    def __init__(self, vault: Path, folder: str) -> None:
        super().__init__(str(vault / folder))
        self.vault = vault
        self.folder = folder

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        from jinja2.loaders import split_template_path

        relative = "/".join((self.folder, *split_template_path(template)))
        link = link_on_the_way(self.vault, relative)
        if link is not None:
            raise TemplateError(
                f"is a symbolic link; template {template} is read only from inside "
                f"{self.folder}, never through a link. Put the file itself there",
                link,
            )
        return super().get_source(environment, template)


def _new_environment(config: Config, today: dt.date, user_templates: bool) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(str(builtin_templates_dir()))
    loaders: list[jinja2.BaseLoader] = []
    if user_templates:
        loaders.append(_VaultTemplates(config.vault, config.templates_dir))
    loaders.append(builtin)
    loader = jinja2.PrefixLoader({"builtin": builtin}, delimiter="/")
    env = _Environment(
        loader=jinja2.ChoiceLoader([loader, *loaders]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_bytecode_cache(),
        extensions=[FragmentCache],
    )
    # A row of a value is a function of the value, its block, the day and the
    # configuration (filters and links follow them): the last two are in every value's key.
    context = content_key(today.isoformat(), config_key(config))
    env.fragments.keys = ValueKeys(context)  # type: ignore[attr-defined]
    deadline = _Deadline(config.render_timeout_s)
    env.deadline = deadline
    env.page_limit = config.max_page_kb * 1024

    def bounded_range(*args: int) -> Iterator[int]:
        numbers = range(*args)
        if len(numbers) > _MAX_RANGE:
            raise TemplateError(f"range() of {len(numbers)} items is above {_MAX_RANGE}")
        for count, number in enumerate(numbers):
            if count % 1000 == 0:
                deadline.check()
            yield number

    env.globals["range"] = bounded_range
    env.globals.pop("lipsum", None)  # lipsum(10**9) would run with no deadline check
    env.filters.update(sandbox.bounded_filters(env.filters))
    env.filters.update(filters(today))
    if config.markdown_links:  # Obsidian's "Use [[Wikilinks]]" is off: write as it would
        env.filters.update(markdown_link_filters(config.link_format))
    return env


def render_template(
    env: jinja2.Environment,
    name: str,
    context: dict[str, Any],
    vault: Path | None = None,
    head: str = "",
) -> str:
    try:
        return _run_template(env, name, context, head)
    except TemplateError as exc:
        if exc.path:
            exc.path = _shown_template(exc.path, vault)
        raise


def _shown_template(path: str, vault: Path | None) -> str:
    """A template's file as the user knows it: vault-relative, or ``builtin/<name>``."""
    candidate = Path(path)
    if vault is not None and candidate.is_absolute():
        if candidate.is_relative_to(vault):
            return candidate.relative_to(vault).as_posix()
        if candidate.is_relative_to(builtin_templates_dir()):
            return "builtin/" + candidate.relative_to(builtin_templates_dir()).as_posix()
    return path


def _run_template(
    env: jinja2.Environment, name: str, context: dict[str, Any], head: str = ""
) -> str:
    """The template rendered with ``context``, after ``head``."""
    deadline: _Deadline = env.deadline  # type: ignore[attr-defined]
    try:
        deadline.start(name)  # compiling folds constants: 'x'|center(10**9) runs here
        template = env.get_template(name)
        deadline.template = template.filename or name
        # Joined as render() joins, the head first (a watcher's page is a few large pieces:
        # no copy of the whole page after), counting the size as it grows.
        pieces = template.root_render_func(template.new_context(context))
        try:
            limit: int = env.page_limit  # type: ignore[attr-defined]
            text = sandbox.bounded_text(pieces, head, limit, deadline.template)
        except Exception:
            env.handle_exception()  # as render() does: template lines in the traceback
        deadline.check()  # one slow step (a filter, say) has no check of its own inside it
        return text
    except TemplateError as exc:
        if exc.path is None and "took longer" not in exc.message:
            exc.path, exc.line = _template_line(exc, name)  # a range() or * refused
        raise
    except SecurityError as exc:
        raise TemplateError(f"unsafe template {name}: {exc}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            f"{exc.message}", exc.filename or exc.name or name, exc.lineno
        ) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{exc.message}", *_template_line(exc, name)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template not found: {exc.name}") from None
    except MemoryError:
        raise TemplateError(f"template {name} ran out of memory; stopped") from None
    except VaultnetError:
        raise
    except Exception as exc:  # 1/0, '{}'.format(), truncate(-5): the template's fault
        raise TemplateError(f"{type(exc).__name__}: {exc}", *_template_line(exc, name)) from None
    finally:
        deadline.end = 0.0


def _template_line(exc: BaseException, name: str) -> tuple[str, int | None]:
    """The template file and line an exception was raised at, from its traceback."""
    tb = exc.__traceback__
    found: tuple[str, int | None] = (name, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None or filename.endswith(".j2"):
            lineno = tb.tb_lineno
            if template is not None:
                lineno = template.get_corresponding_lineno(tb.tb_lineno)
                filename = template.filename or filename
            found = (filename, lineno)
        tb = tb.tb_next
    return found
