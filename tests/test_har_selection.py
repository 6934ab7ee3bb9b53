"""benchmarks/har_selection.py: candidates train without their held-out subjects and never
see the test split."""

import json

import har_lstm
from benchmarks import har_selection
from conftest import run_main_expecting_error
from test_har import N_TRAIN, write_tiny_har


def test_quick_selection_scores_each_candidate_on_subjects_it_did_not_train_on(tmp_path,
                                                                               monkeypatch):
    folder = write_tiny_har(tmp_path / "extracted")
    seen = []
    original = har_lstm.train

    def spy(model, fit_xy, val_xy, config, run, **kwargs):
        seen.append((len(fit_xy[1]), len(val_xy[1])))
        return original(model, fit_xy, val_xy, config, run, **kwargs)

    monkeypatch.setattr(har_lstm, "train", spy)
    output = tmp_path / "selection.json"
    output.write_text(json.dumps({"candidates": {"earlier": {"summary": {}, "rows": []}}}))
    har_selection.main(["--data-dir", str(folder.parent), "--candidates", "one_network,magnitudes",
                        "--seeds", "1", "--quick", "--output", str(output)])
    results = json.loads(output.read_text())
    assert list(results["candidates"]) == ["earlier", "one_network", "magnitudes"]  # earlier kept
    del results["candidates"]["earlier"]
    subjects = [(r % 6) + 1 for r in range(N_TRAIN)]  # write_tiny_har's training subjects
    for name, candidate in results["candidates"].items():
        [row] = candidate["rows"]
        held_out = row["held_out_subjects"]
        assert len(held_out) == har_selection.HELD_OUT_SUBJECTS and 0 <= row["accuracy"] <= 1
        assert set(held_out) <= set(subjects)  # training subjects only: never a test subject
    expected_val = sum(s in held_out for s in subjects)
    assert seen == [(N_TRAIN - expected_val, expected_val)] * 2


def test_unknown_candidate_is_a_one_line_error(tmp_path, capsys):
    folder = write_tiny_har(tmp_path / "extracted")
    line = run_main_expecting_error(har_selection.main, ["--data-dir", str(folder.parent),
                                                         "--candidates", "nope"], capsys)
    assert "--candidates nope" in line
