"""Load the TOML config and the secrets once, validate them, and freeze the result.

Every error names the file, the key path and the problem, and is a ConfigError (exit 2).
Secrets come only from the environment or a .env file and are held as SecretStr, so they
never reach a log line or a repr.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from dotenv.parser import parse_stream
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)

from bot.config_network import ProxySpec, parse_proxy
from bot.config_refs import ChannelRef, parse_channel_ref
from bot.digest.build import DEFAULT_MAX_ITEMS
from bot.digest.schedule import parse_schedule
from bot.errors import ConfigError

DEFAULT_CONFIG = Path("config/tgmon.toml")
DEFAULT_ENV = Path(".env")
#: The file name of a config in the platform's config folder (written by `tgmon init`).
CONFIG_NAME = "tgmon.toml"
#: A config or .env file is a page of text; anything larger is the wrong file (or /dev/zero).
MAX_FILE_BYTES = 4_000_000
_GROUP_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {name!r}; use an IANA name such as 'Asia/Almaty'"
        ) from None
    return name


def _check_schedule(text: str) -> str:
    parse_schedule(text)
    return text


def _check_ref(raw: str | int) -> str:
    return parse_channel_ref(raw).canonical


def _check_chat(raw: str | int) -> str:
    # A digest can go to a user (positive id), a basic group (negative) or a channel (-100…).
    text = str(raw).strip()
    if re.fullmatch(r"-?\d{1,19}", text):
        return text
    return _check_ref(text)


def _check_group_name(name: str) -> str:
    if not _GROUP_NAME.fullmatch(name):
        raise ValueError(
            f"{name!r}: a group name is 1-32 lowercase letters, digits, '-' or '_', "
            "so that bot commands can name it"
        )
    return name


Timezone = Annotated[str, AfterValidator(_check_timezone)]
ChannelRefText = Annotated[str | int, AfterValidator(_check_ref)]
GroupName = Annotated[str, AfterValidator(_check_group_name)]
ChatRefText = Annotated[str | int, AfterValidator(_check_chat)]


class StorageConfig(_Model):
    #: In a config file, relative paths are taken from that file's folder (load_config).
    path: Annotated[Path, Field(strict=False)] = Path("data/tgmon.sqlite3")
    #: Sent digest and alert parts, old windows and arrival numbers are pruned after this
    #: many days (posts and their versions are never pruned).
    outbox_retention_days: Annotated[int, Field(ge=1, le=3650)] = 30


class LoggingConfig(_Model):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    #: auto = text on a terminal, JSON lines otherwise (containers, journald).
    format: Literal["auto", "text", "json"] = "auto"


class ChannelConfig(_Model):
    ref: ChannelRefText
    labels: list[str] = []
    #: Posts to read back on first sight of the channel; None = collector.default_backfill.
    backfill: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    #: Read by the timer only, without joining (for the 500-channel membership limit).
    poll_only: bool = False

    @property
    def parsed(self) -> ChannelRef:
        return parse_channel_ref(self.ref)


class CollectorConfig(_Model):
    default_backfill: Annotated[int, Field(ge=0, le=1_000_000)] = 200
    catchup_interval_seconds: Annotated[int, Field(ge=10)] = 300
    reconcile_posts: Annotated[int, Field(ge=0, le=10_000)] = 200
    reconcile_days: Annotated[int, Field(ge=0, le=365)] = 3
    #: Flood waits up to this many seconds are slept through; longer ones park the request.
    flood_sleep_threshold: Annotated[int, Field(ge=0, le=3600)] = 60


class AnalysisConfig(_Model):
    language_backend: Literal["auto", "langdetect"] = "auto"
    #: Worker processes for big imports and long catch-ups; 0 analyses in a thread. Unset:
    #: a core each, up to 4. Either way no more than the available memory holds.
    workers: Annotated[int, Field(ge=0, le=32)] | None = None
    #: Let a short post the detectors are unsure of lean to its channel's languages
    #: (bot/analysis/channel_prior.py); false keeps every stored language context-free.
    channel_prior: bool = True


class KeywordGroup(_Model):
    terms: list[str]
    exclude: list[str] = []
    #: ISO 639-1 codes the group applies to; empty = every language.
    languages: list[str] = []
    #: Send matching posts to subscribers at once (batched) instead of waiting for a digest.
    alert: bool = False
    #: Kazakh posts: match derived words (қазақстандық for Қазақстан) for every term, as a
    #: trailing * does for one term.
    derived: bool = False

    @model_validator(mode="after")
    def _terms_are_usable(self) -> KeywordGroup:
        if not any(t.strip() for t in self.terms):
            raise ValueError("the group has no terms; add at least one to 'terms'")
        seen: dict[str, str] = {}
        for field_name, terms in (("terms", self.terms), ("exclude", self.exclude)):
            for term in terms:
                _check_term(term)
                key = term.strip().casefold()
                if key in seen:
                    raise ValueError(f"{field_name}: duplicate term {term!r} (also in {seen[key]})")
                seen[key] = field_name
        return self


def _check_term(term: str) -> None:
    text = term.strip()
    if not text:
        raise ValueError("empty term")
    if len(text) >= 2 and text.startswith("/") and text.endswith("/"):
        # The same compile and slowness probe as the matcher's, at every config load, so
        # that import, reanalyze and run refuse what `tgmon check` refuses. Imported here:
        # only configs with /regex/ terms pay for it.
        from bot.analysis.terms import compile_regex, regex_is_slow

        if regex_is_slow(compile_regex(text[1:-1])):
            raise ValueError(
                f"regex {text!r} takes over 50 ms on a 2,000-character probe (nested repeats "
                "such as (a+)+ backtrack without end); rewrite it, or use words or a \"phrase\""
            )


class BotConfig(_Model):
    admins: list[int] = []
    #: Users who may subscribe; empty = admins only.
    allowed_users: list[int] = []
    timezone: Timezone = "UTC"
    #: Seconds to gather alert posts before sending them as one message.
    alert_batch_seconds: Annotated[int, Field(ge=0, le=600)] = 5
    #: The digest definition that subscribers follow.
    subscriber_digest: str | None = None
    #: Commands one user may send in any minute; more are answered "slow down".
    commands_per_minute: Annotated[int, Field(ge=1, le=1000)] = 10
    #: Commands answered at once (each may read the archive); the rest wait their turn.
    max_command_tasks: Annotated[int, Field(ge=1, le=64)] = 4


class DigestConfig(_Model):
    schedule: Annotated[str, AfterValidator(_check_schedule)]
    timezone: Timezone = "UTC"
    chats: list[ChatRefText] = []
    #: Keyword groups included; empty = every group.
    groups: list[GroupName] = []
    #: What an empty digest does: skip it, or say "nothing new".
    empty: Literal["skip", "notice"] = "skip"
    #: Items shown at most; the rest are counted in an "…and N more" line.
    max_items: Annotated[int, Field(ge=1, le=5000)] = DEFAULT_MAX_ITEMS


def _check_proxy(url: str) -> str:
    parse_proxy(url)
    return url


class NetworkConfig(_Model):
    # socks5://[user@]host:port, http://[user@]host:port or mtproxy://host:port
    proxy: Annotated[str, AfterValidator(_check_proxy)] | None = None
    # 127.0.0.1 port for /healthz, /readyz and /metrics; 0 keeps the listener off.
    health_port: Annotated[int, Field(ge=0, le=65535)] = 0
    # A file touched every second while the event loop runs (container HEALTHCHECK).
    heartbeat_file: Annotated[Path, Field(strict=False)] | None = None

    @property
    def proxy_spec(self) -> ProxySpec | None:
        return parse_proxy(self.proxy) if self.proxy else None


class DisplayConfig(_Model):
    #: The zone the CLI shows times in and reads dates in; unset: [bot].timezone.
    timezone: Timezone | None = None


class Config(_Model):
    storage: StorageConfig = StorageConfig()
    logging: LoggingConfig = LoggingConfig()
    collector: CollectorConfig = CollectorConfig()
    analysis: AnalysisConfig = AnalysisConfig()
    channels: list[ChannelConfig] = []
    keywords: dict[GroupName, KeywordGroup] = Field(default_factory=dict)
    bot: BotConfig = BotConfig()
    digests: dict[GroupName, DigestConfig] = Field(default_factory=dict)
    network: NetworkConfig = NetworkConfig()
    display: DisplayConfig = DisplayConfig()

    @model_validator(mode="after")
    def _cross_checks(self) -> Config:
        first_seen: dict[str, int] = {}
        for index, channel in enumerate(self.channels):
            key = channel.parsed.key
            if key in first_seen:
                also = f"also channels[{first_seen[key]}]"
                message = f"duplicate channel {channel.ref} ({also})"
                raise _PathError(("channels", index, "ref"), message)
            first_seen[key] = index
        for name, digest in self.digests.items():
            for group in digest.groups:
                if group not in self.keywords:
                    raise _PathError(("digests", name, "groups"),
                                     f"unknown keyword group {group!r}")
        if self.bot.subscriber_digest and self.bot.subscriber_digest not in self.digests:
            raise _PathError(("bot", "subscriber_digest"),
                             f"no digest named {self.bot.subscriber_digest!r} in [digests]")
        return self


class _PathError(ValueError):
    """A cross-field problem that knows the key path it belongs to."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path


# ---------------------------------------------------------------- secrets

SECRET_HELP = {
    "TGMON_API_ID": "your app's api_id: https://my.telegram.org → API development tools",
    "TGMON_API_HASH": "the api_hash shown beside the api_id on https://my.telegram.org",
    "TGMON_BOT_TOKEN": "a bot token from @BotFather (/newbot)",
}


class Secrets(_Model):
    api_id: int | None = None
    api_hash: SecretStr | None = None
    bot_token: SecretStr | None = None
    proxy_password: SecretStr | None = None
    mtproxy_secret: SecretStr | None = None
    session: Annotated[Path, Field(strict=False)] = Path("data/tgmon.session")
    source: str = "environment"

    def session_file(self, kind: str = "user") -> Path:
        """Where a client's session lives; the bot's sits beside the user's."""
        base = self.session
        if kind == "bot":
            base = base.with_name(base.stem + "-bot" + base.suffix)
        return base if base.suffix == ".session" else base.with_name(base.name + ".session")

    def require(self, *names: str) -> None:
        """Raise a ConfigError that lists every missing secret and where to get it."""
        missing = [n for n in names if getattr(self, n.removeprefix("TGMON_").lower()) is None]
        if not missing:
            return
        lines = [f"{self.source}: missing {', '.join(missing)}"]
        lines += [f"  {name}: {SECRET_HELP[name]}" for name in missing]
        lines.append("Put them in .env (see .env.example) or the environment.")
        lines.append("`tgmon demo` runs the whole offline pipeline with no credentials.")
        raise ConfigError("\n".join(lines))


def load_secrets(
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    config_file: Path | None = None,
) -> Secrets:
    """Read secrets from the environment, falling back to a .env file.

    The file is --env-file, else .env in the working directory, else the .env beside the
    config file (where `tgmon init` puts it). A relative TGMON_SESSION written in the file is
    taken from the file's folder.
    """
    env = dict(os.environ if environ is None else environ)
    if env_file is not None and not env_file.is_file():
        if env_file.exists():
            raise ConfigError(f"{env_file}: not a regular file; --env-file takes a .env file")
        raise ConfigError(f"{env_file}: file not found")
    path = env_file or _env_beside(config_file)
    source = "environment"
    if path is not None:
        file_values = {k: v for k, v in _read_env(path).items() if v is not None}
        session = file_values.get("TGMON_SESSION", "").strip()
        if session and "TGMON_SESSION" not in env:
            file_values["TGMON_SESSION"] = str(_beside(path, Path(session)))
        env = {**file_values, **env}
        source = f"{path} and the environment"
    raw_id = env.get("TGMON_API_ID", "").strip()
    if raw_id and not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 10
                       and 0 < int(raw_id) < 2**31):
        raise ConfigError(f"{source}: TGMON_API_ID: must be a number, as my.telegram.org "
                          "shows it (1 to 2147483647)")
    def secret(name: str) -> SecretStr | None:
        value = env.get(name, "").strip()
        return SecretStr(value) if value else None
    return Secrets(
        api_id=int(raw_id) if raw_id else None,
        api_hash=secret("TGMON_API_HASH"),
        bot_token=secret("TGMON_BOT_TOKEN"),
        proxy_password=secret("TGMON_PROXY_PASSWORD"),
        mtproxy_secret=secret("TGMON_MTPROXY_SECRET"),
        session=Path(env.get("TGMON_SESSION", "").strip() or "data/tgmon.session"),
        source=source,
    )


def _env_beside(config_file: Path | None) -> Path | None:
    candidates = [DEFAULT_ENV]
    if config_file is not None:
        candidates.append(config_file.parent / DEFAULT_ENV)
    return next((c for c in candidates if c.is_file()), None)


def _beside(anchor_file: Path, path: Path) -> Path:
    """Take a relative ``path`` from ``anchor_file``'s folder, tidied (config/../data → data).

    ``~`` is the user's home, as in a shell: taken literally, ``~/tgmon.sqlite3`` made a
    folder named ``~`` beside the config and an archive nobody would look for in it.
    """
    path = path.expanduser()
    if path.is_absolute():
        return path
    return Path(os.path.normpath(anchor_file.parent / path))
def _read_env(path: Path) -> dict[str, str | None]:
    """Parse a .env file, naming the line that python-dotenv would only log and skip."""
    text = _read_text(path, "secrets file")
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise ConfigError(
                f"{path}: line {binding.original.line}: not NAME=value (an unclosed quote "
                "swallows the lines after it); fix or remove that line"
            )
    return dotenv_values(stream=io.StringIO(text))


def _read_text(path: Path, what: str) -> str:
    """Read a small UTF-8 text file (a BOM is allowed); ConfigError for anything else."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: file not found (`tgmon init` writes a commented one, or pass --config)"
        ) from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: a folder, not a {what}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(
            f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB; a {what} is a page of text, "
            "is this the right file?"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(f"{path}: UTF-16 text; save the {what} as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


# ---------------------------------------------------------------- loading

def user_config_file() -> Path:
    """The platform's config file for tgmon (~/.config/tgmon/tgmon.toml on Linux)."""
    from platformdirs import user_config_path

    return user_config_path("tgmon", appauthor=False) / CONFIG_NAME


def discover_config() -> Path | None:
    """The config file in use without --config: $TGMON_CONFIG, else config/tgmon.toml in
    the working directory, else the platform's config file; None when there is none."""
    # Empty is unset: Compose passes `TGMON_CONFIG: ${TGMON_CONFIG}` as "" when the host has
    # none, which as a path is the working directory.
    if os.environ.get("TGMON_CONFIG", "").strip():
        return Path(os.environ["TGMON_CONFIG"])
    return next((p for p in (DEFAULT_CONFIG, user_config_file()) if p.is_file()), None)


def config_path(path: Path | None = None) -> Path:
    """The config file to use: --config, else the discovered one, else config/tgmon.toml."""
    return path or discover_config() or DEFAULT_CONFIG


def load_config(path: Path | None = None) -> Config:
    """Read and validate a config file; raise ConfigError naming file, key and problem.

    A relative storage.path is taken from the config file's folder, so every command finds
    the same archive from whatever folder it is run.
    """
    path = config_path(path)
    text = _read_text(path, "config file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}{_lookalike_hint(text, exc)}") from None
    except RecursionError:
        raise ConfigError(
            f"{path}: invalid config: arrays or tables nested hundreds deep; "
            "tgmon's config is at most three levels deep"
        ) from None
    config = validate_config(data, source=str(path))
    storage = config.storage.model_copy(update={"path": _beside(path, config.storage.path)})
    network = config.network
    if network.heartbeat_file is not None:
        network = network.model_copy(
            update={"heartbeat_file": _beside(path, network.heartbeat_file)})
    return config.model_copy(update={"storage": storage, "network": network})


def _lookalike_hint(text: str, exc: tomllib.TOMLDecodeError) -> str:
    # Bare keys are ASCII; a Cyrillic "о" in [stоrage] reads as a syntax error, not a typo.
    found = re.search(r"at line (\d+)", str(exc))
    lines = text.splitlines()
    if not found or not 0 < int(found[1]) <= len(lines):
        return ""
    line = lines[int(found[1]) - 1].split("=", 1)[0]
    odd = next((c for c in line if not c.isascii() and c.isalpha()), None)
    if odd is None:
        return ""
    name = unicodedata.name(odd, "a non-ASCII letter")
    return f"; the key holds {odd!r} ({name}): keys are plain ASCII letters"


def validate_config(data: Mapping[str, Any], *, source: str) -> Config:
    """Validate an already-parsed mapping; errors are prefixed with ``source``."""
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(source, err, data) for err in exc.errors())) from None
    except _PathError as exc:
        raise ConfigError(f"{source}: {_key_path(exc.path)}: {exc}") from None


def _describe(source: str, err: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    loc: tuple[str | int, ...] = tuple(p for p in err["loc"] if not _is_union_tag(p))
    ctx_error = err.get("ctx", {}).get("error")
    if isinstance(ctx_error, _PathError):
        return f"{source}: {_key_path(ctx_error.path)}: {ctx_error}"
    if err["type"] == "extra_forbidden":
        message = "unknown key" + _suggestion(loc, data)
    elif isinstance(ctx_error, Exception):
        message = str(ctx_error)
    else:
        message = err["msg"].removeprefix("Value error, ")
        given = err.get("input")
        if err["type"].endswith("_type") and not isinstance(given, (dict, list)):
            message += f" (got {type(given).__name__} {given!r})"
    return f"{source}: {_key_path(loc) or '(top level)'}: {message}"


def _is_union_tag(part: str | int) -> bool:
    # pydantic adds the branch type to the location of union errors: int, str, function-after[...]
    return isinstance(part, str) and (part in {"int", "str"} or "[" in part)


def _key_path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _suggestion(loc: Sequence[str | int], data: Mapping[str, Any]) -> str:
    model: type[BaseModel] | None = Config
    for part in loc[:-1]:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        model = _inner_model(field.annotation) if field else None
    if model is None:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; known keys: {', '.join(model.model_fields)}"


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found:
            return found
    return None
