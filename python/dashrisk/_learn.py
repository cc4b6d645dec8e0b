"""scikit-learn estimators: the linfa comparison model (``LogisticComparison``), the
comparison model's features (``featurise``, ``Featuriser``) and the scorer as an
estimator over frames (``ConflictAbuseScorer``).

numpy and scikit-learn are needed here only; ``import dashrisk`` does not import
them (``dashrisk.LogisticComparison`` loads this module on first use).

Both estimators follow scikit-learn's conventions: parameters are stored as given
in ``__init__``, fitted state ends in ``_``, ``classes_`` holds the two labels with
the positive class at index 1, and everything pickles, deep-copies and clones.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from dashrisk import _native
from dashrisk._batch import (
    _batch,
    _default,
    _frame_column,
    _frame_columns,
    _is_frame,
    _is_synth_id,
    _raise_first,
)
from dashrisk._native import Scorer
from dashrisk.types import AssessmentResult

__all__ = [
    "ConflictAbuseScorer",
    "Featuriser",
    "LogisticComparison",
    "feature_names_out",
    "featurise",
]

_NOT_BINARY = "Only binary classification is supported."


def feature_names_out() -> np.ndarray:
    """The comparison model's feature names (feature set ``dashrisk-features/1``,
    136 columns), in column order, as scikit-learn's ``get_feature_names_out``
    returns them: ``q1=yes``, ``q1=no``, …, ``screen.fear=yes``, …,
    ``context.prior_incidents_12m``, ``context.prior_incidents_12m=not_known``.
    The encoding is documented in docs/model-card-learn.md."""
    names: np.ndarray = np.asarray(_native.feature_names(), dtype=object)
    return names


def featurise(data: Any, scorer: Scorer | None = None) -> np.ndarray:
    """The comparison model's features for every record: an ``(n, 136)`` float64
    array whose columns are :func:`feature_names_out`.

    ``data`` is a pandas DataFrame in the flat layout (the columns of
    ``assess_dataframe``; nested ``json_normalize`` names are read too) or a list of
    records in the JSON input contract. Questions left out are *not known*, as
    everywhere. A bad record raises ``InputError`` with its ``row`` (0-based),
    ``code``, ``field`` and ``value``; a misspelt contract column raises before any
    row is read.

    >>> import dashrisk
    >>> X = dashrisk.featurise([{"answers": {"q1": "yes"}}])
    >>> X.shape, list(dashrisk.feature_names_out()[:2]), X[0, :2].tolist()
    ((1, 136), ['q1=yes', 'q1=no'], [1.0, 0.0])
    """
    items, rows, _ = _batch(data)
    blob, n, errors = _native.featurise_batch(scorer or _default(), items, rows)
    _raise_first(errors)
    return np.frombuffer(blob, dtype=np.float64).reshape(n, len(_native.feature_names())).copy()


def _feature_columns() -> set[str]:
    """The flat columns the comparison model's features read (``q1``…``q27``,
    ``fear``, …, ``prior_incidents_12m``) and ``instrument``."""
    out = {"instrument"}
    for name in _native.feature_names():
        field = name.split("=")[0]
        if field.startswith("screen.recent_transitions"):
            field = "screen.recent_transitions"
        out.add(field.split(".", 1)[1] if field.startswith(("screen.", "context.")) else field)
    return out


def _refuse_missing_columns(
    fitted: Any, X: Any, rows: bool, what: str, only: set[str] | None = None
) -> None:
    """Raises ``ValueError`` when the frame ``X`` lacks a contract column that was
    among ``fitted`` (the frame's columns at fit), and among ``only`` if given: its
    answers would be read as not known on every row. Columns outside the contract
    are not checked."""
    if fitted is None or not rows:
        return
    have = set(_frame_columns(X))
    missing = [
        c
        for c in _native.read_columns([str(c) for c in fitted])
        if c not in have and (only is None or c in only)
    ]
    if missing:
        raise ValueError(
            f"X lacks {len(missing)} column(s) the {what} was fitted with: "
            f"{', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}; their answers would be "
            "read as not known. Give the same columns as at fit (empty cells are not known)"
        )


class Featuriser(TransformerMixin, BaseEstimator):
    """:func:`featurise` as a scikit-learn transformer, for a ``Pipeline`` from
    records to :class:`LogisticComparison`. ``fit`` learns nothing about the
    records; on a frame it notes the columns, so that ``transform`` refuses a frame
    without a column the features read (``id`` and other columns may come and go).

    >>> import dashrisk
    >>> from sklearn.pipeline import make_pipeline
    >>> df = dashrisk.synth(400, random_state=2, as_frame=True)
    >>> model = make_pipeline(dashrisk.Featuriser(), dashrisk.LogisticComparison())
    >>> model = model.fit(df, df["label_abuse"])
    >>> model.predict_proba(df.head(2)).shape
    (2, 2)
    """

    def fit(self, X: Any, y: Any = None) -> Featuriser:
        """Learns nothing about the records; on a frame it notes the columns, so
        that :meth:`transform` refuses a frame that lacks a contract column seen
        here (its answers would be read as not known on every row, silently moving
        the model's predictions). Returns ``self``."""
        self.n_features_out_ = len(_native.feature_names())
        if _is_frame(X):
            self.feature_names_in_ = np.asarray(_frame_columns(X), dtype=object)
            self.n_features_in_ = len(self.feature_names_in_)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_, self.n_features_in_
        return self

    def transform(self, X: Any) -> np.ndarray:
        """:func:`featurise` of ``X``. After :meth:`fit` on a frame, a frame that
        lacks a contract column the fit saw raises ``ValueError``."""
        _refuse_missing_columns(
            getattr(self, "feature_names_in_", None), X, _is_frame(X), "transformer", _feature_columns()
        )
        return featurise(X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """:func:`feature_names_out`."""
        return feature_names_out()

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.dict = True
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags


def _binary_targets(y: Any) -> tuple[np.ndarray, np.ndarray]:
    """``classes_`` and the boolean "is the positive class" per row."""
    check_classification_targets(y)
    kind = type_of_target(y)
    classes, idx = np.unique(y, return_inverse=True)
    if kind != "binary" and len(classes) != 1:
        raise ValueError(f"{_NOT_BINARY} y has {len(classes)} classes.")
    if len(classes) < 2:
        raise ValueError(
            f"y has only one class ({classes[0]!r}); a classifier needs samples of "
            "at least 2 classes"
        )
    return classes, idx.astype(bool)


def _abuse_targets(y: np.ndarray, pos_label: Any) -> tuple[np.ndarray, np.ndarray]:
    """``classes_`` (the abuse label last) and "is abuse" per row, for the scorer.

    Labels 0/1 or booleans need nothing more: 1 (``True``) is abuse. Any other
    labels must say which one is abuse with ``pos_label``: sorting text labels
    would otherwise make, say, ``"conflict"`` the positive class and fit
    ``p_abuse`` to the wrong outcome."""
    classes, positive = _binary_targets(y)
    if pos_label is None:
        values = set(classes.tolist())
        if values <= {0, 1} or values <= {False, True}:
            return classes, positive
        raise ValueError(
            f"y has the labels {classes.tolist()}: say which one means domestic abuse "
            "with pos_label=… (0/1 and boolean labels need nothing: 1 is abuse)"
        )
    if pos_label not in set(classes.tolist()):
        raise ValueError(f"pos_label {pos_label!r} is not a label of y; the labels are {classes.tolist()}")
    other = next(c for c in classes.tolist() if c != pos_label)
    ordered = np.asarray([other, pos_label], dtype=classes.dtype)
    return ordered, np.asarray(y) == pos_label


_CLASS_WEIGHT_FORMS = "None, 'balanced' or a dict {class: weight}"


def _class_weights(class_weight: Any, classes: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    """The weights of ``classes_[0]`` and ``classes_[1]``, as scikit-learn applies
    ``class_weight``: ``None`` is 1 for both; ``"balanced"`` is
    ``n_samples / (n_classes * count)`` per class; a dict gives a weight per class
    (1 for a class it leaves out). Weights must be finite and above 0."""
    if class_weight is None:
        return (1.0, 1.0)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                f"class_weight: {class_weight!r} is not allowed; expected {_CLASS_WEIGHT_FORMS}"
            )
        n_positive = int(np.count_nonzero(positive))
        counts = (len(positive) - n_positive, n_positive)
        return (len(positive) / (2 * counts[0]), len(positive) / (2 * counts[1]))
    if isinstance(class_weight, Mapping):
        known = classes.tolist()
        unknown = [k for k in class_weight if k not in set(known)]
        if unknown:
            raise ValueError(
                f"class_weight: {unknown[0]!r} is not a class of y; the classes are {known}"
            )
        out = []
        for c in known:
            w = class_weight.get(c, 1.0)
            try:
                value = float(w)
            except (TypeError, ValueError):
                raise ValueError(f"class_weight[{c!r}] = {w!r} is not a number") from None
            if not (math.isfinite(value) and value > 0):
                raise ValueError(
                    f"class_weight[{c!r}] = {w!r}: class weights must be finite and above 0"
                )
            out.append(value)
        return (out[0], out[1])
    raise ValueError(
        f"class_weight: {class_weight!r} is not allowed; expected {_CLASS_WEIGHT_FORMS}"
    )


class LogisticComparison(ClassifierMixin, BaseEstimator):
    """The comparison model of dashrisk-learn as a scikit-learn classifier: an
    L2-penalised logistic regression fitted by linfa-logistic's L-BFGS, the same
    fit as ``dashrisk train``. For comparison with the scorer only.

    The objective is the summed log-loss plus ``alpha / 2 · |coef|²`` (intercept not
    penalised): scikit-learn's ``LogisticRegression(C=1 / alpha)``. ``tol`` bounds
    the L2 norm of the gradient of the mean (weighted) objective. ``class_weight``
    is as scikit-learn's: ``None``, ``"balanced"`` (``n_samples / (2 · count)`` per
    class) or ``{class: weight}`` with weights finite and above 0, whole or not.
    Each row's log-loss is multiplied by its class's weight (passed to the solver as
    sample weights), so the fit is scikit-learn's with the same ``class_weight``;
    ``class_weight_`` holds the weights applied to ``classes_[0]`` and
    ``classes_[1]``. A fit that stops at ``max_iter`` returns its last iterate with
    a ``ConvergenceWarning``, as scikit-learn does.

    Takes any numeric ``X`` (use :func:`featurise` or :class:`Featuriser` for
    records) and two classes in ``y``; ``classes_[1]`` is the positive class.

    >>> import numpy as np
    >>> import dashrisk
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    >>> m = dashrisk.LogisticComparison().fit(X, ["no", "no", "yes", "no", "yes", "yes"])
    >>> m.classes_.tolist(), m.coef_.shape, bool(m.coef_[0, 0] > 0)
    (['no', 'yes'], (1, 1), True)
    """

    def __init__(
        self,
        alpha: float = 1.0,
        class_weight: Any = None,
        max_iter: int = 1000,
        tol: float = 1e-4,
    ) -> None:
        self.alpha = alpha
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticComparison:
        """Fits on numeric ``X`` (n_samples, n_features) and binary ``y``.

        ``sample_weight`` (one finite weight of 0 or more per row, as in
        scikit-learn) multiplies each row's log-loss, as repeating the row would
        (and so does ``class_weight``: the two multiply)."""
        X, y = validate_data(self, X, y, dtype=np.float64, order="C")
        classes, positive = _binary_targets(y)
        weights = _class_weights(self.class_weight, classes, positive)
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 1):
            raise ValueError(f"max_iter: {self.max_iter!r}; expected a whole number of 1 or more")
        X = np.ascontiguousarray(X, dtype=np.float64)
        per_row = np.where(positive, weights[1], weights[0]).astype(np.float64)
        if sample_weight is not None:
            sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
            if not np.isfinite(sw).all():
                raise ValueError("sample_weight: every weight must be finite")
            per_row = per_row * sw
            if not (per_row[positive].sum() > 0 and per_row[~positive].sum() > 0):
                raise ValueError(
                    "sample_weight: the rows of each class must not all weigh 0 "
                    "(a classifier needs samples of both classes)"
                )
            # A row that weighs 0 is a row left out (the solver takes only
            # weights above 0).
            keep = per_row > 0
            if not keep.all():
                X, positive, per_row = np.ascontiguousarray(X[keep]), positive[keep], per_row[keep]
        # Every weight 1: no sample weights, the unweighted fit itself.
        sample_weight = None if (per_row == 1.0).all() else per_row.tobytes()
        out = _native.logistic_fit(
            X.tobytes(),
            X.shape[0],
            X.shape[1],
            positive.tolist(),
            float(self.alpha),
            int(self.max_iter),
            float(self.tol),
            sample_weight,
        )
        if out["warning"]:
            warnings.warn(out["warning"], ConvergenceWarning, stacklevel=2)
        self.classes_ = classes
        self.coef_ = np.asarray(out["coef"], dtype=np.float64).reshape(1, -1)
        self.intercept_ = np.asarray([out["intercept"]], dtype=np.float64)
        self.n_iter_ = np.asarray([out["n_iter"]], dtype=np.int32)
        self.class_weight_ = weights
        self.gradient_norm_ = float(out["gradient_norm"])
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The log-odds of the positive class, one per row."""
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.asarray(X @ self.coef_[0] + self.intercept_[0], dtype=np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        """``[P(classes_[0]), P(classes_[1])]`` per row."""
        z = self.decision_function(X)
        p = np.empty_like(z)
        pos = z >= 0
        p[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        e = np.exp(z[~pos])
        p[~pos] = e / (1.0 + e)
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """``classes_[1]`` where the log-odds are above 0, else ``classes_[0]``."""
        check_is_fitted(self)
        labels: np.ndarray = self.classes_[(self.decision_function(X) > 0).astype(int)]
        return labels

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


_CLASSIFICATIONS = ("parental_conflict", "unclear", "domestic_abuse")


class ConflictAbuseScorer(ClassifierMixin, BaseEstimator):
    """The dashrisk scorer as a scikit-learn classifier over records.

    ``X`` is a pandas DataFrame in the flat layout (the columns of
    ``assess_dataframe``) or a list of records in the JSON input contract; ``y``
    holds two classes, the positive one (abuse) being ``classes_[1]``.

    - ``fit(X, y)`` recalibrates the scorer on the labelled records through the
      recipe of ``dashrisk calibrate --data`` (points where there are enough
      records, else the map, else nothing, decided per form; then the conflict
      threshold with its guarantee), on top of ``calibration`` (the shipped one by
      default). With
      ``recalibrate=False`` it keeps the calibration as it is and only records
      ``classes_``: the scorer as shipped, for comparison.
    - ``predict_proba(X)[:, 1]`` is ``p_abuse``, the calibrated estimate.
    - ``predict(X)`` is the binary label under the safety rules (so that
      scikit-learn's default scoring works): ``classes_[0]`` (conflict) only where
      :meth:`classify` gives ``parental_conflict``, ``classes_[1]`` otherwise, an
      ``unclear`` case included. :meth:`classify` gives the three-way
      classification.

    Labels 0/1 or booleans need nothing more (1 is abuse); with other labels,
    ``pos_label`` names the one that means abuse, and ``classes_`` puts it last.

    ``policy``, ``calibration`` and ``instruments`` are as for ``Scorer``
    (JSON text or dicts); ``refit`` (``None``, ``"points"``, ``"map"``),
    ``method`` (``"isotonic"``, ``"platt"``) and ``max_abuse_as_conflict`` are
    the options of ``dashrisk calibrate``. ``version`` labels the fitted
    calibration (``calibration_version`` in every result); by default it is
    ``cal-python-`` and 8 hex digits of the fit's contents, so that two fits never
    share a label. A fit needs at least 200 records of a form with 50 of each
    label; a form with fewer keeps its points and map (the warning says which).

    >>> import dashrisk
    >>> df = dashrisk.synth(3000, random_state=4, as_frame=True)
    >>> est = dashrisk.ConflictAbuseScorer().fit(df, df["label_abuse"])
    >>> est.classes_.tolist(), est.predict_proba(df.head(3)).shape
    ([0, 1], (3, 2))
    >>> sorted(set(est.classify(df)))
    ['domestic_abuse', 'parental_conflict', 'unclear']
    """

    def __init__(
        self,
        policy: Any = None,
        calibration: Any = None,
        instruments: Any = None,
        recalibrate: bool = True,
        refit: str | None = None,
        method: str = "isotonic",
        max_abuse_as_conflict: float = 0.005,
        pos_label: Any = None,
        version: str | None = None,
    ) -> None:
        self.policy = policy
        self.calibration = calibration
        self.instruments = instruments
        self.recalibrate = recalibrate
        self.refit = refit
        self.method = method
        self.max_abuse_as_conflict = max_abuse_as_conflict
        self.pos_label = pos_label
        self.version = version

    def _base(self) -> Scorer:
        return Scorer(self.policy, self.calibration, self.instruments)

    def fit(self, X: Any, y: Any) -> ConflictAbuseScorer:
        """Recalibrates on the labelled records ``X`` with labels ``y``."""
        if y is None:
            raise ValueError(
                "ConflictAbuseScorer requires y to be passed, but the target y is None"
            )
        y_given = y
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y must be one label per record, found shape {y.shape}")
        items, rows, _ = _batch(X)
        if len(items) != len(y):
            raise ValueError(f"{len(y)} labels for {len(items)} records; expected one label per record")
        classes, positive = _abuse_targets(y, self.pos_label)
        if self.refit not in (None, "points", "map"):
            raise ValueError(f"refit: {self.refit!r} is not allowed; expected None, 'points' or 'map'")
        if self.version is not None and not (isinstance(self.version, str) and self.version.strip()):
            raise ValueError(f"version: {self.version!r} is not allowed; expected None or a non-empty label")
        if self.method not in ("isotonic", "platt"):
            raise ValueError(f"method: {self.method!r} is not allowed; expected 'isotonic' or 'platt'")
        base = self._base()
        self.note_: str | None = None
        if self.recalibrate:
            synthetic = _synthetic(X, items, rows, y_given)
            scorer, note = _native.recalibrate(
                base,
                items,
                positive.tolist(),
                rows,
                self.refit,
                self.method,
                float(self.max_abuse_as_conflict),
                self.version,
                synthetic,
            )
            self.note_ = note
            if note:
                warnings.warn(note, UserWarning, stacklevel=2)
        else:
            scorer = base
        self.scorer_ = scorer
        self.classes_ = classes
        if rows:
            self.feature_names_in_ = np.asarray(_frame_columns(X), dtype=object)
            self.n_features_in_ = len(self.feature_names_in_)
        return self

    def _results(self, X: Any) -> list[AssessmentResult]:
        check_is_fitted(self, "scorer_")
        items, rows, _ = _batch(X)
        self._check_columns(X, rows)
        out = self.scorer_.assess_rows(items) if rows else self.scorer_.assess_many(items)
        _raise_first([r for r in out if "error" in r])
        return [r for r in out if "error" not in r]

    def _check_columns(self, X: Any, rows: bool) -> None:
        """Refuses a frame that lacks a contract column the estimator was fitted
        with: its answers would be read as not known, silently moving every
        result (a column left out, or renamed, after fitting)."""
        _refuse_missing_columns(getattr(self, "feature_names_in_", None), X, rows, "estimator")

    def predict_proba(self, X: Any) -> np.ndarray:
        """``[1 - p_abuse, p_abuse]`` per record. A record whose form has no
        estimate (a custom form without fitted points) raises ``ValueError``."""
        results = self._results(X)
        p = np.empty(len(results), dtype=np.float64)
        for i, r in enumerate(results):
            if r["p_abuse"] is None:
                raise ValueError(
                    f"row {i}: form {r['instrument']!r} has no statistical estimate "
                    "(no fitted points); fit on labelled records of that form"
                )
            p[i] = r["p_abuse"]
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """The binary label under the safety rules: the negative (conflict) class
        only where :meth:`classify` gives ``parental_conflict``, the positive
        (abuse) class otherwise. An ``unclear`` case has not had abuse screened
        out, and a safety-gate case is abuse whatever ``p_abuse`` says, so neither
        is ever predicted as conflict. ``predict_proba`` stays ``p_abuse``; for
        the label of a probability threshold use ``predict_proba(X)[:, 1] > t``."""
        conflict = self.classify(X) == "parental_conflict"
        labels: np.ndarray = self.classes_[(~conflict).astype(int)]
        return labels

    def classify(self, X: Any) -> np.ndarray:
        """The three-way classification under the safety rules, per record:
        ``parental_conflict``, ``unclear`` or ``domestic_abuse``."""
        out: np.ndarray = np.asarray(
            [r["classification"] for r in self._results(X)], dtype=object
        )
        return out

    def assess(self, X: Any) -> list[AssessmentResult]:
        """The whole result per record (reasons, pathways, notifications), from
        the fitted scorer."""
        return self._results(X)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.input_tags.two_d_array = False
        tags.input_tags.dict = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        return tags


def _synthetic(X: Any, items: list[Any], rows: bool, y: Any) -> bool:
    """Whether labelled records are ``dashrisk.synth`` output, as the CLI decides
    it: its ids (``syn-0000001``) on every record. The label's name does not
    decide it (a force may well name its column ``label_abuse``); a synth-like
    name on other ids is warned about."""
    if rows:
        ids = _frame_column(X, "id") if "id" in _frame_columns(X) else []
    else:
        ids = [r.get("id") if isinstance(r, Mapping) else None for r in items]
    synthetic = bool(ids) and all(_is_synth_id(i) for i in ids)
    name = getattr(y, "name", None)
    if not synthetic and name in ("label_abuse", "label_serious_harm"):
        warnings.warn(
            f"the label {name!r} is named like dashrisk.synth's, but not every id is a synth "
            "id (syn-0000001): the calibration records its data as real",
            UserWarning,
            stacklevel=3,
        )
    return synthetic
