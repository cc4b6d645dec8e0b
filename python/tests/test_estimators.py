"""The scikit-learn estimators: ``LogisticComparison`` (the linfa comparison model),
``featurise``/``Featuriser`` and ``ConflictAbuseScorer`` (the scorer over frames,
fitted through the recipe of ``dashrisk calibrate --data``).

Each is checked against an independent reference: scikit-learn's own
``LogisticRegression`` and ``check_estimator``; the CLI's ``train`` and
``calibrate`` on the same records; and the scorer's own results."""

from __future__ import annotations

import copy
import json
import pickle
import re
import subprocess
import warnings
from pathlib import Path

import pytest

import dashrisk

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.utils import estimator_checks as ec  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight  # noqa: E402


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return dashrisk.synth(4000, random_state=17, as_frame=True, officers=20)


# -- LogisticComparison ------------------------------------------------------


def test_logistic_comparison_passes_check_estimator() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the checks' own SkipTestWarnings
        results = ec.check_estimator(dashrisk.LogisticComparison(), on_fail=None)
    failed = [(r["check_name"], repr(r["exception"])) for r in results if r["status"] == "failed"]
    assert failed == []
    assert [r["check_name"] for r in results if r["status"] == "xfail"] == []
    ran = {r["check_name"] for r in results if r["status"] == "passed"}
    # The checks that matter for a classifier ran, not skipped; among them the class
    # weights check (weights of 1000 and 0.0001), which failed while class weights
    # were applied by repeating rows.
    for name in [
        "check_classifiers_train",
        "check_estimators_pickle",
        "check_fit_idempotent",
        "check_n_features_in_after_fitting",
        "check_classifiers_one_label",
        "check_estimators_nan_inf",
        "check_decision_proba_consistency",
        "check_class_weight_classifiers",
        "check_sample_weight_equivalence_on_dense_data",
        "check_all_zero_sample_weights_error",
    ]:
        assert name in ran, name


def test_logistic_comparison_matches_scikit_learn(frame: pd.DataFrame) -> None:
    X = dashrisk.featurise(frame)
    y = frame["label_abuse"].to_numpy()
    for alpha in (0.5, 4.0):
        ours = dashrisk.LogisticComparison(alpha=alpha, tol=1e-8).fit(X, y)
        ref = LogisticRegression(C=1 / alpha, tol=1e-12, max_iter=10_000).fit(X, y)
        assert np.abs(ours.coef_ - ref.coef_).max() < 1e-3
        assert abs(ours.intercept_[0] - ref.intercept_[0]) < 1e-3
        p = ours.predict_proba(X)[:, 1]
        assert np.abs(p - ref.predict_proba(X)[:, 1]).max() < 1e-4
        assert (ours.predict(X) == ref.predict(X)).mean() > 0.999
    assert ours.n_iter_.shape == (1,) and 1 <= ours.n_iter_[0] <= 1000
    assert ours.classes_.tolist() == [0, 1]


def test_class_weighted_logistic_comparison_matches_scikit_learn(frame: pd.DataFrame) -> None:
    """Real-valued class weights, and "balanced", against scikit-learn's
    LogisticRegression with the same class_weight (the set-up and bounds of the
    unweighted comparison above)."""
    X = dashrisk.featurise(frame)
    y = frame["label_abuse"].to_numpy()
    for class_weight in ({0: 0.3, 1: 2.5}, "balanced"):
        for alpha in (0.5, 4.0):
            ours = dashrisk.LogisticComparison(alpha=alpha, class_weight=class_weight, tol=1e-8).fit(X, y)
            ref = LogisticRegression(C=1 / alpha, class_weight=class_weight, tol=1e-12, max_iter=10_000).fit(X, y)
            assert np.abs(ours.coef_ - ref.coef_).max() < 1e-3, (class_weight, alpha)
            assert abs(ours.intercept_[0] - ref.intercept_[0]) < 1e-3, (class_weight, alpha)
            p = ours.predict_proba(X)[:, 1]
            assert np.abs(p - ref.predict_proba(X)[:, 1]).max() < 1e-4, (class_weight, alpha)
            assert (ours.predict(X) == ref.predict(X)).mean() > 0.999
    # The weights made a difference: the unweighted fit is far from the weighted one.
    plain = dashrisk.LogisticComparison(alpha=4.0, tol=1e-8).fit(X, y)
    weighted = dashrisk.LogisticComparison(alpha=4.0, class_weight={0: 0.3, 1: 2.5}, tol=1e-8).fit(X, y)
    assert np.abs(plain.coef_ - weighted.coef_).max() > 0.05


def test_sample_weights_are_repeated_rows(frame: pd.DataFrame) -> None:
    """An integer sample weight is the row repeated that many times (0: left out),
    against scikit-learn's weighted fit too; class weights multiply with it."""
    X = dashrisk.featurise(frame.head(1500))
    y = frame["label_abuse"].head(1500).to_numpy()
    sw = np.random.default_rng(3).integers(0, 4, size=len(y))
    weighted = dashrisk.LogisticComparison(tol=1e-8).fit(X, y, sample_weight=sw)
    repeated = dashrisk.LogisticComparison(tol=1e-8).fit(X.repeat(sw, axis=0), y.repeat(sw))
    # tol bounds the gradient, not the coefficients: a rarely-seen feature's
    # coefficient is determined only to about tol / its curvature (1.7e-6 here).
    assert np.abs(weighted.coef_ - repeated.coef_).max() < 1e-5
    assert np.abs(weighted.predict_proba(X) - repeated.predict_proba(X)).max() < 1e-6
    ref = LogisticRegression(tol=1e-12, max_iter=10_000).fit(X, y, sample_weight=sw)
    assert np.abs(weighted.predict_proba(X) - ref.predict_proba(X)).max() < 1e-4
    both = dashrisk.LogisticComparison(tol=1e-8, class_weight={0: 2.0, 1: 1.0}).fit(X, y, sample_weight=sw)
    by_hand = dashrisk.LogisticComparison(tol=1e-8).fit(X, y, sample_weight=sw * np.where(y == 0, 2.0, 1.0))
    assert np.abs(both.predict_proba(X) - by_hand.predict_proba(X)).max() < 1e-6
    with pytest.raises(ValueError, match="(?i)negative"):
        dashrisk.LogisticComparison().fit(X, y, sample_weight=-sw)
    with pytest.raises(ValueError, match="weigh 0"):
        dashrisk.LogisticComparison().fit(X, y, sample_weight=np.where(y == 1, 1.0, 0.0))


def test_logistic_comparison_is_the_clis_train(frame: pd.DataFrame, cli: Path, tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    frame.to_csv(data, index=False)
    model = tmp_path / "model.json"
    subprocess.run(
        [str(cli), "train", "--data", str(data), "--label", "label_abuse", "--out", str(model)],
        check=True,
        capture_output=True,
    )
    saved = json.loads(model.read_text())
    ours = dashrisk.LogisticComparison().fit(dashrisk.featurise(frame), frame["label_abuse"])
    assert saved["feature_names"] == list(dashrisk.feature_names_out())
    assert np.abs(ours.coef_[0] - np.asarray(saved["coefficients"])).max() < 1e-9
    assert abs(ours.intercept_[0] - saved["intercept"]) < 1e-9


def test_convergence_warning_not_an_error() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 5))
    y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        m = dashrisk.LogisticComparison(max_iter=1, tol=1e-12).fit(X, y)
    assert m.n_iter_[0] == 1
    assert np.isfinite(m.coef_).all()


def test_class_weights(frame: pd.DataFrame) -> None:
    X = dashrisk.featurise(frame)
    y = frame["label_abuse"].to_numpy()
    plain = dashrisk.LogisticComparison().fit(X, y)
    assert plain.class_weight_ == (1.0, 1.0)
    balanced = dashrisk.LogisticComparison(class_weight="balanced").fit(X, y)
    # scikit-learn's "balanced": n_samples / (n_classes * count), as floats.
    want = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    assert balanced.class_weight_ == (want[0], want[1])
    assert all(type(w) is float for w in balanced.class_weight_)
    rare = int(np.argmin(np.bincount(y)))
    assert balanced.class_weight_[rare] > 1 > balanced.class_weight_[1 - rare]
    # Weighting the rarer class raises its predicted share.
    share = lambda m: (m.predict(X) == rare).mean()  # noqa: E731
    assert share(balanced) > share(plain)
    # The same weights given as a dict: the same fit, exactly.
    explicit = dashrisk.LogisticComparison(class_weight=dict(enumerate(balanced.class_weight_))).fit(X, y)
    assert np.array_equal(explicit.coef_, balanced.coef_)
    assert explicit.class_weight_ == balanced.class_weight_
    # A class left out of the dict weighs 1; weights of 1 are the unweighted fit.
    half = dashrisk.LogisticComparison(class_weight={0: 0.5}).fit(X, y)
    assert half.class_weight_ == (0.5, 1.0)
    ones = dashrisk.LogisticComparison(class_weight={0: 1, 1: 1.0}).fit(X, y)
    assert np.array_equal(ones.coef_, plain.coef_) and np.array_equal(ones.intercept_, plain.intercept_)


@pytest.mark.parametrize(
    ("class_weight", "message"),
    [
        ({0: 0}, r"class_weight\[0\] = 0: class weights must be finite and above 0"),
        ({1: -2.5}, r"class_weight\[1\] = -2.5: class weights must be finite and above 0"),
        ({0: float("nan")}, r"class_weight\[0\] = nan: class weights must be finite"),
        ({1: float("inf")}, r"class_weight\[1\] = inf: class weights must be finite"),
        ({0: "heavy"}, r"class_weight\[0\] = 'heavy' is not a number"),
        ("heavy", r"class_weight: 'heavy' is not allowed; expected None, 'balanced' or a dict"),
        ([1, 2], r"class_weight: \[1, 2\] is not allowed"),
    ],
)
def test_bad_class_weights_are_refused(class_weight: object, message: str) -> None:
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    with pytest.raises(ValueError, match=message):
        dashrisk.LogisticComparison(class_weight=class_weight).fit(X, [0, 1, 0, 1])


def test_a_fitted_model_pickles_and_copies(frame: pd.DataFrame) -> None:
    X = dashrisk.featurise(frame.head(500))
    m = dashrisk.LogisticComparison().fit(X, frame["label_abuse"].head(500))
    for other in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
        assert np.array_equal(other.predict_proba(X), m.predict_proba(X))
        assert np.array_equal(other.n_iter_, m.n_iter_)


# -- featurise and Featuriser ------------------------------------------------


def test_featurise_frames_and_records_agree(frame: pd.DataFrame) -> None:
    records = dashrisk.synth(4000, seed=17, officers=20)
    a = dashrisk.featurise(frame)
    b = dashrisk.featurise(records)
    assert a.shape == (4000, len(dashrisk.feature_names_out())) == (4000, 136)
    assert np.array_equal(a, b)
    names = list(dashrisk.feature_names_out())
    # One-hot per question: exactly one of the four answers for every question the
    # form asks.
    q1 = a[:, [names.index(f"q1={v}") for v in ("yes", "no", "not_known", "declined")]]
    assert set(q1.sum(axis=1)) == {1.0}


def test_featurise_refuses_bad_records_naming_the_row() -> None:
    rows = pd.DataFrame({"q18": ["yes", "no", "maybe"], "id": ["a", "b", "c"]})
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.featurise(rows)
    assert (e.value.code, e.value.field, e.value.row, e.value.record_id) == (
        "invalid_value", "q18", 2, "c",
    )
    with pytest.raises(dashrisk.InputError) as e:
        dashrisk.featurise(pd.DataFrame({"power_imbalence": ["no"]}))
    assert e.value.code == "unknown_field"


def test_pipeline_from_frames(frame: pd.DataFrame) -> None:
    model = make_pipeline(dashrisk.Featuriser(), dashrisk.LogisticComparison())
    scores = cross_val_score(model, frame, frame["label_abuse"], cv=3, scoring="roc_auc")
    assert scores.shape == (3,) and (scores > 0.8).all(), scores
    fitted = model.fit(frame, frame["label_abuse"])
    assert list(fitted[0].get_feature_names_out()) == list(dashrisk.feature_names_out())


def test_a_fitted_pipeline_refuses_a_frame_without_a_column_it_was_fitted_with(
    frame: pd.DataFrame,
) -> None:
    # Left out, `fear` and `q2` would be read as not known on every row, silently
    # moving the model's predictions; the transformer refuses, naming them.
    model = make_pipeline(dashrisk.Featuriser(), dashrisk.LogisticComparison())
    model.fit(frame, frame["label_abuse"])
    cut = frame.head(200).drop(columns=["q2", "fear"])
    with pytest.raises(ValueError, match=r"transformer was fitted with: q2, fear"):
        model.predict_proba(cut)
    # Columns the features do not read may come and go (the id, the labels).
    assert model.predict_proba(frame.head(200).drop(columns=["id", "label_serious_harm"])).shape == (200, 2)
    # The same columns (and extra ones) are fine; an unfitted transformer checks nothing.
    assert model.predict_proba(frame.head(200).assign(extra=1)).shape == (200, 2)
    assert dashrisk.Featuriser().transform(cut).shape == (200, 136)
    # Refitted on records (not a frame), it forgets the columns.
    t = dashrisk.Featuriser().fit(frame).fit(dashrisk.synth(5, seed=1))
    assert not hasattr(t, "feature_names_in_")
    assert t.transform(cut).shape == (200, 136)


# -- ConflictAbuseScorer -----------------------------------------------------


def test_fit_is_the_clis_calibrate(frame: pd.DataFrame, cli: Path, tmp_path: Path) -> None:
    data = tmp_path / "labelled.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "cal.json"
    subprocess.run(
        [str(cli), "calibrate", "--data", str(data), "--label", "label_abuse", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    cli_cal = json.loads(out.read_text())
    est = dashrisk.ConflictAbuseScorer().fit(frame, frame["label_abuse"])
    ours = est.scorer_.calibration()
    # The same fit: the points, the map and the guaranteed conflict threshold. Only
    # the provenance (file name, checksum, date) and the version label differ.
    assert ours["forms"] == cli_cal["forms"]
    assert ours["conflict"] == cli_cal["conflict"]
    assert ours["provenance"]["synthetic"] is True
    assert ours["provenance"]["n"] == cli_cal["provenance"]["n"] == len(frame)
    # And predict_proba is p_abuse under that calibration.
    cal_scorer = dashrisk.Scorer(calibration=out.read_text())
    want = [r["p_abuse"] for r in cal_scorer.assess_rows(frame.head(300).to_dict("records"))]
    assert np.array_equal(est.predict_proba(frame.head(300))[:, 1], np.asarray(want))


def test_classify_is_the_scorers_decision(frame: pd.DataFrame, scorer: dashrisk.Scorer) -> None:
    est = dashrisk.ConflictAbuseScorer(recalibrate=False).fit(frame, frame["label_abuse"])
    results = scorer.assess_rows(frame.to_dict("records"))
    assert list(est.classify(frame)) == [r["classification"] for r in results]
    assert np.array_equal(est.predict_proba(frame)[:, 1], [r["p_abuse"] for r in results])
    # predict is conflict exactly where the decision is parental conflict: never
    # for a safety-gate or unclear case, whatever p_abuse says.
    want = [int(r["classification"] != "parental_conflict") for r in results]
    assert est.predict(frame).tolist() == want
    gated = [
        i
        for i, r in enumerate(results)
        if r["decided_by"] == "safety_gate" and r["p_abuse"] is not None and r["p_abuse"] <= 0.5
    ]
    assert gated, "the frame has safety-gate cases with a low estimate"
    assert (est.predict(frame.iloc[gated]) == 1).all()
    assert set(est.classify(frame)) == {"parental_conflict", "unclear", "domestic_abuse"}


def test_the_scorer_works_in_scikit_learn(frame: pd.DataFrame) -> None:
    y = frame["label_abuse"]
    est = dashrisk.ConflictAbuseScorer()
    c = clone(est)
    assert c.get_params() == est.get_params() and c is not est
    scores = cross_val_score(est, frame, y, cv=3, scoring="roc_auc")
    assert scores.shape == (3,) and (scores > 0.9).all(), scores
    grid = GridSearchCV(
        est, {"method": ["isotonic", "platt"], "recalibrate": [True, False]}, cv=3, scoring="neg_brier_score"
    ).fit(frame, y)
    assert set(grid.cv_results_["param_method"]) == {"isotonic", "platt"}
    assert grid.best_estimator_.scorer_ is not None
    pipe = make_pipeline(dashrisk.ConflictAbuseScorer()).fit(frame, y)
    assert pipe.predict_proba(frame.head(5)).shape == (5, 2)
    # score is the accuracy of predict, the label under the safety rules: an
    # unclear case counts as abuse (it has not had abuse screened out).
    rules = (pipe.named_steps["conflictabusescorer"].classify(frame) != "parental_conflict").astype(int)
    assert pipe.score(frame, y) == pytest.approx(float((rules == y.to_numpy()).mean()))


def test_the_scorer_pickles_and_copies(frame: pd.DataFrame) -> None:
    est = dashrisk.ConflictAbuseScorer().fit(frame, frame["label_abuse"])
    head = frame.head(200)
    for other in (pickle.loads(pickle.dumps(est)), copy.deepcopy(est)):
        assert np.array_equal(other.predict_proba(head), est.predict_proba(head))
        assert list(other.classify(head)) == list(est.classify(head))
    unfitted = pickle.loads(pickle.dumps(dashrisk.ConflictAbuseScorer(method="platt")))
    assert unfitted.get_params()["method"] == "platt"


def test_the_scorer_follows_scikit_learns_rules_for_parameters() -> None:
    est = dashrisk.ConflictAbuseScorer()
    name = type(est).__name__
    ec.check_no_attributes_set_in_init(name, est)
    ec.check_parameters_default_constructible(name, est)
    ec.check_get_params_invariance(name, est)
    ec.check_set_params(name, est)
    with pytest.raises(NotFittedError):
        est.predict_proba(pd.DataFrame({"q18": ["yes"]}))
    with pytest.raises(NotFittedError):
        est.predict(pd.DataFrame({"q18": ["yes"]}))


def test_the_scorer_refuses_what_it_cannot_fit(frame: pd.DataFrame) -> None:
    est = dashrisk.ConflictAbuseScorer()
    with pytest.raises(ValueError, match="one class"):
        est.fit(frame.head(50), np.zeros(50, dtype=int))
    with pytest.raises(ValueError, match="Only binary"):
        est.fit(frame.head(60), np.arange(60) % 3)
    with pytest.raises(ValueError, match="labels for"):
        est.fit(frame.head(50), np.zeros(40, dtype=int))
    bad = frame.head(100).copy()
    bad.loc[bad.index[7], "fear"] = "maybe"
    with pytest.raises(dashrisk.InputError) as e:
        est.fit(bad, bad["label_abuse"])
    assert (e.value.code, e.value.field, e.value.row) == ("invalid_value", "fear", 7)
    assert isinstance(e.value, ValueError)
    renamed = frame.head(100).rename(columns={"power_imbalance": "power_imbalence"})
    with pytest.raises(dashrisk.InputError) as e:
        est.fit(renamed, renamed["label_abuse"])
    assert e.value.code == "unknown_field" and "power_imbalance" in str(e.value)


def test_text_labels_need_pos_label(frame: pd.DataFrame) -> None:
    text = np.where(frame["label_abuse"] == 1, "abuse", "conflict")
    with pytest.raises(ValueError, match="pos_label"):
        dashrisk.ConflictAbuseScorer().fit(frame, text)
    est = dashrisk.ConflictAbuseScorer(pos_label="abuse").fit(frame, text)
    assert est.classes_.tolist() == ["conflict", "abuse"]
    numeric = dashrisk.ConflictAbuseScorer().fit(frame, frame["label_abuse"].to_numpy())
    assert np.array_equal(est.predict_proba(frame.head(200)), numeric.predict_proba(frame.head(200)))
    assert set(est.predict(frame.head(200))) <= {"conflict", "abuse"}
    with pytest.raises(ValueError, match="not a label"):
        dashrisk.ConflictAbuseScorer(pos_label="yes").fit(frame, text)
    with pytest.raises(ValueError, match="method"):
        dashrisk.ConflictAbuseScorer(recalibrate=False, method="sigmoid").fit(frame, frame["label_abuse"])


def test_class_weight_for_a_class_y_lacks_is_refused(frame: pd.DataFrame) -> None:
    X = dashrisk.featurise(frame.head(500))
    with pytest.raises(ValueError, match="not a class"):
        dashrisk.LogisticComparison(class_weight={"abuse": 5}).fit(X, frame["label_abuse"].head(500))


def test_the_scorer_refuses_a_frame_without_a_column_it_was_fitted_with(frame: pd.DataFrame) -> None:
    est = dashrisk.ConflictAbuseScorer(recalibrate=False).fit(frame, frame["label_abuse"])
    with pytest.raises(ValueError, match="q2, fear"):
        est.predict_proba(frame.drop(columns=["q2", "fear"]))
    with pytest.raises(ValueError, match="lacks 1 column"):
        est.classify(frame.drop(columns=["power_imbalance"]))
    # Columns the scorer does not read may come and go.
    assert len(est.classify(frame.drop(columns=["label_serious_harm"]).head(5))) == 5
    # A misspelt column (renamed after fitting) is refused by name, not read as not known.
    with pytest.raises(dashrisk.InputError, match="fear"):
        est.predict_proba(frame.rename(columns={"fear": "feer"}))


def test_a_fit_on_real_ids_is_not_called_synthetic_for_its_label_name(frame: pd.DataFrame) -> None:
    real = frame.head(3000).assign(id=[f"INC-{i}" for i in range(3000)])
    with pytest.warns(UserWarning, match="named like dashrisk.synth's"):
        est = dashrisk.ConflictAbuseScorer().fit(real, real["label_abuse"])
    assert est.scorer_.calibration()["provenance"]["synthetic"] is False
    synth = dashrisk.ConflictAbuseScorer().fit(frame.head(3000), frame["label_abuse"].head(3000))
    assert synth.scorer_.calibration()["provenance"]["synthetic"] is True


def test_fits_are_labelled_by_their_contents_and_tiny_fits_are_refused(frame: pd.DataFrame) -> None:
    # Results name their calibration only by its label: two different fits must not
    # share one (every Python fit was "cal-python").
    a = dashrisk.ConflictAbuseScorer().fit(frame, frame["label_abuse"])
    b = dashrisk.ConflictAbuseScorer(method="platt").fit(frame, frame["label_abuse"])
    la, lb = (e.scorer_.calibration()["version"] for e in (a, b))
    assert re.fullmatch(r"cal-python-[0-9a-f]{8}", la) and la != lb, (la, lb)
    assert a.assess(frame.head(1))[0]["calibration_version"] == la
    # The same fit gets the same label; a label can be given.
    again = dashrisk.ConflictAbuseScorer().fit(frame, frame["label_abuse"])
    assert again.scorer_.calibration()["version"] == la
    named = dashrisk.ConflictAbuseScorer(version="force-x-2026.1").fit(frame, frame["label_abuse"])
    assert named.scorer_.calibration()["version"] == "force-x-2026.1"
    with pytest.raises(ValueError, match="version"):
        dashrisk.ConflictAbuseScorer(version=" ").fit(frame, frame["label_abuse"])
    # A map needs 200 records with 50 of each label: fewer refit nothing.
    with pytest.raises(ValueError, match="too few labelled records to refit any form"):
        dashrisk.ConflictAbuseScorer().fit(frame.head(150), frame["label_abuse"].head(150))
    with pytest.raises(ValueError, match="too few to refit its map"):
        dashrisk.ConflictAbuseScorer(refit="map").fit(frame.head(150), frame["label_abuse"].head(150))
