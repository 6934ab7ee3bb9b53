"""Finding data sets: --data-dir first, checksum-verified, read-only folders handled."""

import os
import shutil

import pytest

from common import data
from common.download import DownloadError
from common.errors import UserError


def test_locate_finds_the_bundled_archive(spam_zip):
    assert data.locate(data.SMS_SPAM, spam_zip.parent) == spam_zip


def test_locate_rejects_a_copy_with_other_bytes(tmp_path, spam_zip):
    (tmp_path / "smsspamcollection.zip").write_bytes(spam_zip.read_bytes()[:-10])
    with pytest.raises(UserError, match="smsspamcollection.zip has sha256 .* delete it"):
        data.locate(data.SMS_SPAM, tmp_path)


def test_locate_missing_data_dir_names_the_flag(tmp_path):
    with pytest.raises(UserError, match="--data-dir .*missing is not a folder"):
        data.locate(data.SMS_SPAM, tmp_path / "missing")


def test_locate_uses_the_cache_folder_copy(tmp_path, spam_zip):
    shutil.copy(spam_zip, data.cache_dir() / spam_zip.name)
    assert data.locate(data.SMS_SPAM, tmp_path) == data.cache_dir() / spam_zip.name


def test_locate_without_download_names_the_file(tmp_path):
    with pytest.raises(UserError, match="smsspamcollection.zip"):
        data.locate(data.SMS_SPAM, tmp_path, allow_download=False)


def test_download_failure_says_where_to_put_a_copy(tmp_path, monkeypatch):
    def refuse(urls, destination, **kwargs):
        raise DownloadError(
            f"could not download {destination.name}; put it at {destination}")

    monkeypatch.setattr(data, "download", refuse)
    with pytest.raises(UserError, match=str(tmp_path / "smsspamcollection.zip")):
        data.locate(data.SMS_SPAM, tmp_path)


def test_read_only_data_dir_falls_back_to_the_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(data.os, "access", lambda path, mode: False)
    assert data.writable_dir(tmp_path) == data.cache_dir()
    assert "read-only" in capsys.readouterr().out


@pytest.mark.parametrize("separator, decimal", [(",", "."), (";", ","), (";", "."), ("\t", ",")])
def test_spreadsheet_csvs_with_semicolons_tabs_and_decimal_commas(tmp_path, separator, decimal):
    """A spreadsheet saved where 1.5 is written 1,5 separates its cells with semicolons."""
    rows = [["month", "t_s", "acc_x", "sales", "activity"],
            ["2020-01", "0.00", "-1.5", "1234.25", "WALKING"],
            ["2020-02", "0.02", "0.75", "99", "SITTING"]]
    path = tmp_path / "sheet.csv"
    path.write_text("".join(separator.join(cell.replace(".", decimal) if cell[-1].isdigit()
                                           and cell[0] != "2" else cell for cell in row) + "\n"
                            for row in rows))
    numbers, text, times = data.read_csv_columns(path, ["acc_x"], text_column="activity",
                                                 time_column="t_s")
    assert numbers.ravel().tolist() == [-1.5, 0.75] and text == ["WALKING", "SITTING"]
    assert times.tolist() == [0.0, 0.02]
    series = data.read_csv_column(path, "sales")
    assert series.tolist() == [1234.25, 99.0]
    assert [f"{month:%Y-%m}" for month in series.index] == ["2020-01", "2020-02"]


def test_a_folder_passed_as_csv_is_one_line(tmp_path):
    with pytest.raises(UserError, match="--csv .*: a folder, not a file; pass the path of a CSV"):
        data.read_csv_column(tmp_path, "1")


def test_an_unreadable_csv_is_one_line(tmp_path):
    locked = tmp_path / "locked.csv"
    locked.write_text("a,b\n1,2\n")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # root reads it all the same
            pytest.skip("this user may read any file")
        with pytest.raises(UserError, match="locked.csv: not readable"):
            data.read_csv_columns(locked, ["a"])
    finally:
        locked.chmod(0o644)
