"""The dataset gateway: a query on a registered dataset, decided and logged before any row leaves.

    caller -> QueryBody (columns + simple filter, never SQL) -> the columns' data categories become
    the Request's `data` -> decide -> [allow/allow_redacted] parameterised SELECT -> keep the
    columns the decision allows -> redact every text cell for every category not allowed ->
    ledger entry = the decision entry + `dataset` + `released` {digest, rows, columns} -> answer.

Fail closed at each step: any decision but allow/allow_redacted releases no rows; a filter on a
column whose category is not allowed releases no rows (filtering would reveal it); if the fetch or
the redaction fails, or the ledger append fails or times out, the caller gets an error and no row.
The digest in the ledger is `sha256:` over the canonical JSON of exactly the `rows` answered.

Datasets are registered in TOML (`Settings.datasets`), see `load_datasets` and docs/gateway.md.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import decimal
import logging
import os
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictStr, ValidationError

from sanctuary.canonical import digest
from sanctuary.errors import InputError, SanctuaryError, did_you_mean
from sanctuary.inventory import Condition, Source, SourceError, open_source
from sanctuary.jsonio import request_error
from sanctuary.ledger import entry_for_decision
from sanctuary.ledger.entries import keyed_hash
from sanctuary.model import (
    Context,
    DataCategory,
    Decision,
    LegalProcess,
    PurposeCategory,
    Request,
    Requester,
    Responder,
    Subject,
    construct,
)
from sanctuary.protect import RedactionError, column_policy, get_operator, redact_text
from sanctuary.service.core import DecisionTimeout, NotFound, Service
from sanctuary.service.identity import Identity

log = logging.getLogger("sanctuary.service")
CATEGORIES: frozenset[str] = frozenset(get_args(DataCategory))
RELEASING = ("allow", "allow_redacted")
UNRECOGNISED = "other"  # a column no mapping, name or value names: decided as `other`
SAMPLE_ROWS = 200  # rows read (never released) to classify unmapped columns by their values
CONFIG_KEYS = {
    "url", "url_env", "table", "columns", "jurisdiction", "responder", "max_rows", "operator",
    "description", "order_by",
}  # fmt: skip


class DatasetUnavailable(SanctuaryError):
    code = "dataset_unavailable"
    http_status = 503


class DatasetConfigError(InputError):
    code = "invalid_dataset_config"


# -- configuration ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DatasetConfig:
    name: str
    url: str
    table: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # explicit column -> category
    jurisdiction: str | None = None
    responder: Responder | None = None
    max_rows: int = 1_000
    operator: str = "label"
    order_by: tuple[str, ...] = ()
    description: str = ""


def load_datasets(path: Path) -> dict[str, DatasetConfig]:
    """`[datasets.NAME]` tables of a TOML file; unknown keys and categories are refused."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise DatasetConfigError(f"cannot read the datasets: {err}", location=str(path)) from None
    tables = data.get("datasets", {})
    if not isinstance(tables, dict):
        raise DatasetConfigError("`datasets` must be a table", location=str(path))
    return {name: _config(name, raw, f"{path}: datasets.{name}") for name, raw in tables.items()}


def _config(name: str, raw: Any, where: str) -> DatasetConfig:
    if not isinstance(raw, dict):
        raise DatasetConfigError("a dataset is a table", location=where)
    for key in raw:
        if key not in CONFIG_KEYS:
            raise DatasetConfigError(
                f"unknown key `{key}`", location=where, help=did_you_mean(key, CONFIG_KEYS)
            )
    url = raw.get("url") or (os.environ.get(raw["url_env"]) if raw.get("url_env") else None)
    if not isinstance(url, str) or not url:
        raise DatasetConfigError("a dataset needs `url` (or `url_env`)", location=where)
    columns = raw.get("columns", {})
    for column, category in columns.items():
        if category not in CATEGORIES:
            raise DatasetConfigError(
                f"unknown data category `{category}` for column `{column}`",
                location=f"{where}.columns",
                help=did_you_mean(str(category), CATEGORIES),
            )
    try:
        responder = Responder.model_validate(raw["responder"]) if "responder" in raw else None
        get_operator(str(raw.get("operator", "label")))
    except ValidationError as err:
        raise DatasetConfigError(str(request_error(err, "responder")), location=where) from None
    except SanctuaryError as err:
        raise DatasetConfigError(err.message, location=f"{where}.operator") from None
    return DatasetConfig(
        name=name,
        url=url,
        table=raw.get("table"),
        columns=dict(columns),
        jurisdiction=raw.get("jurisdiction"),
        responder=responder,
        max_rows=int(raw.get("max_rows", 1_000)),
        operator=str(raw.get("operator", "label")),
        order_by=tuple(raw.get("order_by", ())),
        description=str(raw.get("description", "")),
    )


# -- opened datasets ----------------------------------------------------------------------------
@dataclass
class Dataset:
    """A dataset whose source is open and whose columns each have a category."""

    config: DatasetConfig
    source: Source
    table: str
    categories: dict[str, str]  # column -> category (never None: see UNRECOGNISED)
    basis: dict[str, str]  # column -> "mapping" | "column_policy" | "unrecognised"

    @classmethod
    def open(cls, config: DatasetConfig) -> Dataset:
        source = open_source(config.url)
        try:
            tables = source.tables()
            table = config.table or (tables[0] if len(tables) == 1 else None)
            if table is None:
                raise DatasetConfigError(
                    "the source holds several tables: set `table`", location=config.name
                )
            types = source.columns(table)
            for column in [*config.columns, *config.order_by]:
                if column not in types:
                    raise DatasetConfigError(
                        f"no column `{column}` in `{table}`", location=f"datasets.{config.name}"
                    )
            unmapped = [c for c in types if c not in config.columns]
            policy: dict[str, str | None] = {}
            if unmapped:
                sample = source.sample(table, SAMPLE_ROWS)
                policy = column_policy(
                    {c: types[c] for c in unmapped}, {c: sample[c] for c in unmapped}
                )
        except BaseException:
            source.close()
            raise
        categories, basis = {}, {}
        for column in types:
            if column in config.columns:
                categories[column], basis[column] = config.columns[column], "mapping"
            elif policy.get(column):
                categories[column], basis[column] = str(policy[column]), "column_policy"
            else:
                categories[column], basis[column] = UNRECOGNISED, "unrecognised"
        return cls(config, source, table, categories, basis)


class Gateway:
    """The registered datasets, opened on first use and kept open."""

    def __init__(self, configs: dict[str, DatasetConfig]) -> None:
        self.configs = configs
        self._open: dict[str, Dataset] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: str | Path | None) -> Gateway:
        return cls(load_datasets(Path(path)) if path else {})

    def dataset(self, name: str) -> Dataset:
        config = self.configs.get(name)
        if config is None:
            raise NotFound(f"no registered dataset `{name}`")
        with self._lock:
            if name not in self._open:
                try:
                    self._open[name] = Dataset.open(config)
                except SanctuaryError as err:
                    # The caller asked nothing wrong: the city's configuration or source is broken.
                    # Say so without paths or server names; operators see the code in the log.
                    log.error("dataset %s cannot be opened: %s", name, err.code)
                    raise DatasetUnavailable(f"dataset `{name}` cannot be opened") from None
            return self._open[name]

    def close(self) -> None:
        with self._lock:
            for dataset in self._open.values():
                dataset.source.close()
            self._open.clear()


# -- the query ----------------------------------------------------------------------------------
Scalar = StrictStr | int | float | bool


class Filter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    column: StrictStr
    op: Literal["eq", "ne", "lt", "le", "gt", "ge", "in"] = "eq"
    value: Annotated[list[Scalar], Field(min_length=1, max_length=1_000)] | Scalar


class QueryBody(BaseModel):
    """What a caller may send: the Request's fields (less `data`), columns, a filter, a limit."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: StrictStr | None = None
    time: AwareDatetime | None = None
    jurisdiction: StrictStr | None = None  # default: the dataset's
    responder: Responder | None = None  # default: the dataset's
    requester: Requester
    purpose: StrictStr
    purpose_category: PurposeCategory | None = None
    legal_process: LegalProcess | None = None
    subject: Subject | None = None
    context: Context = Field(default_factory=Context)
    columns: Annotated[list[StrictStr], Field(min_length=1)]
    filter: list[Filter] = Field(default_factory=list, max_length=20)
    limit: Annotated[int, Field(ge=1)] | None = None


def parse_body(obj: Any) -> QueryBody:
    if not isinstance(obj, dict):
        raise InputError("the body is a JSON object", location="body")
    try:
        return QueryBody.model_validate(obj)
    except ValidationError as err:
        raise request_error(err, "") from None


def build_request(dataset: Dataset, body: QueryBody) -> Request:
    """The Request the query amounts to: its `data` are the categories of every column it reads
    (selected or filtered: a filter reveals its column too)."""
    known = dataset.categories
    for where, name in [
        *((f"columns[{i}]", c) for i, c in enumerate(body.columns)),
        *((f"filter[{i}].column", f.column) for i, f in enumerate(body.filter)),
    ]:
        if name not in known:
            raise InputError(
                f"no column `{name}` in dataset `{dataset.config.name}`",
                location=where,
                help=did_you_mean(name, known),
            )
    for i, cond in enumerate(body.filter):
        if (cond.op == "in") != isinstance(cond.value, list):
            raise InputError("`in` takes a list, the other operators one value",
                             location=f"filter[{i}].value")  # fmt: skip
    jurisdiction = body.jurisdiction or dataset.config.jurisdiction
    responder = body.responder or dataset.config.responder
    if jurisdiction is None or responder is None:
        missing = "jurisdiction" if jurisdiction is None else "responder"
        raise InputError(f"missing field `{missing}` (the dataset sets no default)",
                         location=missing)  # fmt: skip
    data = sorted({known[c] for c in [*body.columns, *(f.column for f in body.filter)]})
    fields = body.model_dump(exclude={"columns", "filter", "limit", "jurisdiction", "responder"},
                             exclude_none=True)  # fmt: skip
    fields.update(jurisdiction=jurisdiction, responder=responder.model_dump(exclude_none=True),
                  action="disclose_information", data=data)  # fmt: skip
    try:
        return Request.model_validate(fields)
    except ValidationError as err:
        raise request_error(err, "") from None


def cleared(decision: Decision) -> frozenset[str]:
    """Categories that may leave in clear: allowed, not withheld, not under a redact obligation."""
    if decision.decision not in RELEASING:
        return frozenset()
    redact = {c for o in decision.obligations if o.type == "redact" for c in o.categories or ()}
    return frozenset(decision.allowed_data) - set(decision.withheld_data) - redact


@dataclass
class Release:
    columns: list[str]
    rows: list[dict[str, Any]]
    counts: dict[str, int]

    def summary(self) -> dict[str, Any]:
        return {"digest": digest(self.rows), "rows": len(self.rows), "columns": self.columns}


NOTHING = Release([], [], {})


def json_value(value: Any) -> Any:
    """A value with one canonical JSON form: floats and decimals become decimal strings (canonical
    JSON refuses floats), dates ISO 8601, bytes base64."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return str(value)


def fetch_and_redact(dataset: Dataset, body: QueryBody, allowed: frozenset[str]) -> Release:
    """Read the released columns only, then redact every text cell for what is not cleared."""
    columns = [c for c in dict.fromkeys(body.columns) if dataset.categories[c] in allowed]
    if not columns:
        return NOTHING
    limit = min(body.limit or dataset.config.max_rows, dataset.config.max_rows)
    where = [Condition(f.column, f.op, f.value) for f in body.filter]
    order = list(dataset.config.order_by)
    raw = dataset.source.select(dataset.table, columns, where, limit, order)
    protect = CATEGORIES - allowed
    operator = get_operator(dataset.config.operator)
    counts: dict[str, int] = {}
    rows = []
    for record in raw:
        row = {}
        for name, value in zip(columns, record, strict=True):
            cell = json_value(value)
            if isinstance(cell, str):
                result = redact_text(cell, operator, protect)
                cell = result.text
                for category, n in result.counts.items():
                    counts[category] = counts.get(category, 0) + n
            row[name] = cell
        rows.append(row)
    return Release(columns, rows, dict(sorted(counts.items())))


async def query(
    service: Service, gateway: Gateway, identity: Identity, name: str, payload: Any
) -> dict[str, Any]:
    """Decide, fetch and redact, log the decision with the digest of the release, then answer."""
    body = parse_body(payload)
    dataset = await asyncio.to_thread(gateway.dataset, name)  # the first use opens and samples
    request = service.bind(identity, build_request(dataset, body))
    decision = service.engine.decide(request)
    allowed = cleared(decision)
    filtered = [dataset.categories[f.column] for f in body.filter]
    release: Release = NOTHING
    failure: SanctuaryError | None = None
    if allowed and all(c in allowed for c in filtered):
        try:
            release = await asyncio.wait_for(
                asyncio.to_thread(fetch_and_redact, dataset, body, allowed), service.timeout
            )
        except (SourceError, TimeoutError):
            failure = DatasetUnavailable(f"dataset `{name}` could not be read; nothing was shared")
        except Exception as err:  # redaction or anything else: fail closed, say nothing of data
            failure = (
                err
                if isinstance(err, RedactionError)
                else RedactionError(f"redaction failed ({type(err).__name__})")
            )
    recorded = await _record(service, identity, request, decision, dataset, body, release, failure)
    if failure is not None:
        raise failure
    return {
        "dataset": name,
        "decision": recorded.to_json_dict(),
        "columns": release.columns,
        "withheld_columns": [c for c in dict.fromkeys(body.columns) if c not in release.columns],
        "rows": release.rows,
        "released": release.summary(),
        "redactions": release.counts,
    }


async def _record(
    service: Service,
    identity: Identity,
    request: Request,
    decision: Decision,
    dataset: Dataset,
    body: QueryBody,
    release: Release,
    failure: SanctuaryError | None,
) -> Decision:
    """Append the decision entry extended with `dataset` and `released` (docs/gateway.md)."""
    hash_key = service.ledger.hash_key
    entry = entry_for_decision(request, decision, hash_key=hash_key)
    entry["key_id"] = identity.key_id
    entry["dataset"] = {
        "name": dataset.config.name,
        "filter_columns": sorted({f.column for f in body.filter}),
        # filter values may be personal (a name): recorded only as a keyed hash
        "query_hash": keyed_hash(hash_key, body.model_dump(
            mode="json", include={"columns", "filter", "limit"})),
    }  # fmt: skip
    entry["released"] = release.summary()
    if failure is not None:
        entry["released"]["failed"] = failure.code
    body_json = decision.to_json_dict()
    row = (decision.request_id, identity.agency, identity.key_id, decision.decision, body_json)
    try:
        receipt = await asyncio.wait_for(
            service.recorder.record(entry, row, escalated=decision.decision == "escalate"),
            timeout=service.timeout,
        )
    except TimeoutError:
        raise DecisionTimeout(
            "the decision could not be recorded in time; nothing was shared",
            help="retry; the call is safe to repeat",
        ) from None
    service.metrics.decided(decision.decision)
    return construct(Decision, **{**decision.__dict__, "ledger": receipt})
