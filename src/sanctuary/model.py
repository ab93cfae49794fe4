"""The public contract (spec/request.md): Request in, Decision out.

Unknown fields are refused everywhere (a typo must not silently change a decision), times must carry
a zone, booleans must be booleans. The vocabularies below mirror ``vocab/terms.yaml``; a test keeps
the two in step.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    field_validator,
)

ResponderKind = Literal["law_enforcement", "jail", "other_department"]
Action = Literal[
    "disclose_information", "system_access", "assist", "facility_access", "use_of_facility",
    "detain", "transfer_custody", "notify_release", "interview", "inquire_status", "arrest",
    "joint_operation", "enter_agreement",
]  # fmt: skip
DataCategory = Literal[
    "immigration_status", "citizenship", "place_of_birth", "national_ids", "home_address",
    "work_address", "contact_info", "release_date", "custody_status", "booking_record",
    "criminal_history", "court_dates", "alpr_reads", "vehicle_records", "drivers_license", "photo",
    "biometrics", "utility_records", "benefits_records", "school_records", "health_records",
    "tax_records", "employment_records", "incident_report", "aggregate_statistics", "other",
]  # fmt: skip
LegalProcessType = Literal[
    "none", "judicial_warrant", "judicial_probable_cause_determination", "court_order",
    "grand_jury_subpoena", "judicial_subpoena", "administrative_warrant", "detainer",
    "administrative_subpoena", "notification_request", "transfer_request", "other",
]  # fmt: skip
PurposeCategory = Literal[
    "civil_immigration_enforcement", "criminal_immigration_enforcement", "criminal_investigation",
    "task_force", "victim_services", "public_safety_emergency", "records_request", "statistical",
    "other", "unknown",
]  # fmt: skip
ConvictionClass = Literal[
    "serious_felony", "violent_felony", "felony_state_prison", "listed_felony",
    "wobbler_misdemeanor", "sex_offender_registrant", "federal_aggravated_felony",
    "federal_felony_warrant", "misdemeanor", "infraction",
]  # fmt: skip
DecisionValue = Literal["allow", "allow_redacted", "deny", "escalate"]
ObligationType = Literal[
    "record", "redact", "report", "counsel_review", "written_consent", "notify_subject",
    "notify_counsel",
]  # fmt: skip
Effect = Literal["allow", "allow_redacted", "deny", "escalate", "obligate"]
M = TypeVar("M", bound=BaseModel)

JURISDICTION_RE = re.compile(r"^[a-z]{2}(-[a-z]{2})?(/[a-z0-9]+(-[a-z0-9]+)*)*$")
STATE_RE = re.compile(r"^[A-Z]{2}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Responder(_Strict):
    department: StrictStr | None = None
    kind: ResponderKind


class Requester(_Strict):
    agency: StrictStr = Field(min_length=1)
    name: StrictStr | None = None
    on_behalf_of: StrictStr | None = None
    state: Annotated[StrictStr, Field(pattern=STATE_RE.pattern)] | None = None
    agreements: list[Literal["287g"]] = Field(default_factory=list)
    members: list[StrictStr] = Field(default_factory=list)


class LegalProcess(_Strict):
    type: LegalProcessType | None = None
    form: StrictStr | None = None
    signed_by_judge: StrictBool | None = None
    issued_by: StrictStr | None = None
    date: dt.date | None = None
    names_subject: StrictBool | None = None


class Conviction(_Strict):
    code: StrictStr | None = None
    class_: ConvictionClass | None = Field(default=None, alias="class")
    date: dt.date | None = None
    held_to_answer: StrictBool = False
    prop47_reduced: StrictBool = False

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Consent(_Strict):
    to: StrictStr | None = None
    written: StrictBool = True


class Subject(_Strict):
    in_custody: StrictBool | None = None
    victim_or_witness: StrictBool | None = None
    consent: Consent | None = None
    sex_offender_registrant: StrictBool | None = None
    convictions: list[Conviction] = Field(default_factory=list)


class Context(_Strict):
    information_publicly_available: StrictBool = False
    exigent_circumstances: StrictBool = False
    recipient_attests_no_immigration_use: StrictBool = False
    discovered_during_unrelated_activity: StrictBool = False
    case_number: StrictStr | None = None


class Request(_Strict):
    """A question put to Sanctuary: may the city give or do this, for this requester and purpose?"""

    id: StrictStr | None = None
    time: AwareDatetime | None = None
    jurisdiction: StrictStr
    responder: Responder
    requester: Requester
    action: Action
    purpose: StrictStr
    purpose_category: PurposeCategory | None = None
    legal_process: LegalProcess | None = None
    data: list[DataCategory] = Field(default_factory=list)
    subject: Subject | None = None
    context: Context = Field(default_factory=Context)

    @field_validator("jurisdiction")
    @classmethod
    def _jurisdiction_shape(cls, value: str) -> str:
        if not JURISDICTION_RE.match(value):
            raise ValueError("a jurisdiction is a lower-case path such as `us-ca/los-angeles`")
        return value


class Obligation(_Strict):
    type: ObligationType
    to: str | None = None
    categories: list[str] | None = None
    note: str | None = None


class Reason(_Strict):
    rule: str
    citation: str
    effect: Effect
    summary: str
    pack: str
    status: Literal["verified", "secondary", "unverified"] = "verified"
    data: list[str] | None = None
    error: str | None = None


class ExceptionOutcome(_Strict):
    rule: str
    exception: str
    citation: str
    applied: bool
    why: str


class Evidence(_Strict):
    text: str
    start: int
    end: int
    signal: str


class PurposeAssessment(_Strict):
    declared: PurposeCategory | None
    assessed: PurposeCategory
    governing: PurposeCategory
    score: float
    evidence: list[Evidence] = Field(default_factory=list)


class PackRef(_Strict):
    id: str
    version: str


class Receipt(_Strict):
    index: int
    leaf_hash: str
    tree_size: int
    checkpoint: str | None = None


class Decision(_Strict):
    """What Sanctuary decided, and why."""

    request_id: str
    decision: DecisionValue
    # Tuples, not lists: a decision is a frozen record, and the engine hands the same tuples of
    # shared parts to every decision with the same outcome (copying five lists was a tenth of a
    # memoised decision). In JSON and in the schema they are arrays, as lists are.
    allowed_data: tuple[str, ...] = ()
    withheld_data: tuple[str, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    reasons: tuple[Reason, ...]
    exceptions: tuple[ExceptionOutcome, ...] = ()
    purpose_assessment: PurposeAssessment
    packs: tuple[PackRef, ...]
    at: AwareDatetime
    ledger: Receipt | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def construct(cls: type[M], **values: Any) -> M:
    """Build an already-valid model without validating it again.

    The engine assembles decisions from parts it has itself checked (rules from loaded packs,
    vocabulary values); re-validating them would cost more than the whole decision. pydantic's own
    ``model_construct`` spends ~5 µs per object on defaults and bookkeeping, so this sets the same
    four attributes it sets, and callers pass every field. A test checks that a constructed decision
    survives ``model_validate`` unchanged.
    """
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj
