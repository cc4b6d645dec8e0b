"""Typed records of results: ``TypedDict``s for a result, its reasons and children,
and an error record, with ``Literal`` aliases for every vocabulary of the contract
(classifications, risk levels, pathways, flags, reason codes, error codes, …).

They describe exactly what ``Scorer.assess``, ``assess_many`` and ``assess_rows``
return (the serde form of the Rust result, as the CLI writes it), so that
``mypy --strict`` checks code that reads results::

    from dashrisk.types import AssessmentResult, Classification

    def needs_review(r: AssessmentResult) -> bool:
        c: Classification = r["classification"]
        return c == "unclear" or r["marac_referral"]

The ``Literal`` values are the core's own lists (``dashrisk._native.VOCABULARY``);
a test checks that they agree. A new value is a breaking change, listed in
CHANGELOG.md.
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict

__all__ = [
    "AssessmentResult",
    "Children",
    "ChildLink",
    "Classification",
    "ConflictBlocker",
    "DecisionBasis",
    "ErrorCode",
    "ErrorDetail",
    "ErrorRecord",
    "Flag",
    "MaracCriterion",
    "Pathway",
    "Reason",
    "ReasonCode",
    "RecordingCategory",
    "RiskLevel",
]

Classification = Literal["parental_conflict", "unclear", "domestic_abuse"]
RiskLevel = Literal["standard", "medium", "high"]
DecisionBasis = Literal["safety_gate", "answers_given", "safety_rules", "estimate", "screened_out"]
ConflictBlocker = Literal[
    "safety_gate",
    "gate_item_unanswered",
    "abuse_evidence",
    "earlier_abuse",
    "marac_history",
    "marac_criterion",
    "raised_risk_level",
    "abuse_probability",
]
MaracCriterion = Literal[
    "visible_high_risk",
    "professional_judgement",
    "potential_escalation",
    "repeat_marac",
]
Pathway = Literal[
    "marac",
    "idva",
    "specialist_da_service",
    "victim_support",
    "rpc_support",
    "early_help",
    "childrens_social_care",
    "operation_encompass",
    "management_oversight",
]
RecordingCategory = Literal[
    "domestic_abuse",
    "parental_conflict",
    "domestic_incident_under_review",
]
Flag = Literal[
    "coercive_control",
    "stalking",
    "strangulation",
    "threats_to_kill",
    "weapons",
    "sexual_abuse",
    "child_harm",
    "separation_control_violence",
    "third_party_threat",
]
ChildLink = Literal["in_household", "exposed"]
ReasonCode = Literal[
    "no_estimate",
    "decision_abuse_safety_gate",
    "decision_abuse_answers_given",
    "decision_unclear_safety_rules",
    "decision_unclear_estimate",
    "decision_conflict_screened_out",
    "fear_reported",
    "power_imbalance_reported",
    "harm_marker_reported",
    "abuse_evidence_reported",
    "fear_or_power_not_cleared",
    "harm_not_cleared",
    "abuse_evidence_not_cleared",
    "earlier_abuse_incident",
    "statistical_estimate",
    "high_abuse_probability",
    "intermediate_abuse_probability",
    "low_abuse_probability",
    "fear_and_power_cleared",
    "conflict_pattern",
    "transition_reported",
    "yes_count_band",
    "unanswered_items",
    "high_risk_possible_if_unknowns_yes",
    "professional_judgement_raised",
    "professional_judgement_not_lowering",
    "marac_criterion_met",
    "escalation_unchecked",
    "escalation_met_on_records",
    "repeat_marac_met_on_records",
    "risk_rules_out_conflict",
    "children_in_household",
    "children_not_known",
    "children_exposed",
    "children_linked_by_exposure",
    "high_harm_cluster",
    "unknowns_raise_probability",
    "professional_judgement_needed",
    "marac_history",
    "stalking_follow_up",
    "honour_based_abuse_follow_up",
    "consider_professional_judgement",
    "model_contribution",
]
ErrorCode = Literal[
    "invalid_json",
    "invalid_utf8",
    "empty_input",
    "wrong_type",
    "unknown_field",
    "unknown_question",
    "invalid_value",
    "invalid_count",
    "invalid_date",
    "unknown_instrument",
    "duplicate_field",
    "row_length",
    "too_large",
]


class Reason(TypedDict):
    """One reason: a stable code and its sentence (empty when reasons were asked
    as codes only)."""

    code: ReasonCode
    text: str


class Children(TypedDict):
    """What the result means for the children."""

    in_household: bool | None
    linked: bool | None
    linked_by: list[ChildLink]
    summary: str


class _ResultBase(TypedDict):
    id: str | None
    classification: Classification
    decided_by: DecisionBasis
    conflict_blockers: list[ConflictBlocker]
    p_abuse: float | None
    points: float | None
    risk_level: RiskLevel
    actuarial_level: RiskLevel
    officer_judgement: RiskLevel | None
    yes_count: int
    not_known_count: int
    declined_count: int
    marac_referral: bool
    marac_criteria: list[MaracCriterion]
    flags: list[Flag]
    csc_notification: bool
    school_notification: bool
    pathways: list[Pathway]
    recording_category: RecordingCategory
    children: Children
    reasons: list[Reason]
    instrument: str
    scorer_version: str
    calibration_version: str
    meta: Any


class AssessmentResult(_ResultBase, total=False):
    """One result, as ``Scorer.assess`` returns it. ``passthrough`` is present
    only on results of ``assess_rows`` that had columns outside the contract."""

    passthrough: dict[str, Any]


class ErrorDetail(TypedDict):
    """What was wrong with a record."""

    code: ErrorCode
    field: str
    value: str | None
    message: str


class _ErrorBase(TypedDict):
    line: int
    id: str | None
    error: ErrorDetail


class ErrorRecord(_ErrorBase, total=False):
    """A record of a batch that could not be assessed (``line`` counts from 1)."""

    passthrough: dict[str, Any]
