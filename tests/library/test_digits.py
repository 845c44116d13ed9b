"""``dd.data.digits``: the vendored UCI handwritten digits, split by class into three parts."""

import gzip
import hashlib
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

import descend as dd
from descend import data

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "descend" / "_data"
FILE = DATA / "digits.csv.gz"
# the test set's class counts on the UCI page of the data set (digits 0 to 9)
UCI_TEST_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
SPLITS = [(0.6, 0.2, 0.2), (0.5, 0.25, 0.25), (0.7, 0.15, 0.15), (1 / 3, 1 / 3, 1 / 3),
          (0.8, 0.1, 0.1), (0.9, 0.05, 0.05), (0.2, 0.3, 0.5)]


def raw_rows() -> np.ndarray:
    """The file read here, apart from the library's loader: (1797, 65) ints."""
    with gzip.open(FILE, "rt", encoding="ascii") as f:
        return np.loadtxt(f, delimiter=",", dtype=np.int64)


RAW = raw_rows()
ROW_OF = {row[:64].tobytes(): i for i, row in enumerate(RAW)}


def row_indices(part, *, scale=True) -> np.ndarray:
    """The raw row of each image of a part (every image of the file is distinct)."""
    pixels = np.rint(part.images * (16 if scale else 1)).astype(np.int64).reshape(-1, 64)
    return np.array([ROW_OF[p.tobytes()] for p in pixels], dtype=np.int64)


# ---------------------------------------------------------------- the file and its records


def test_the_file_is_the_uci_test_set():
    assert RAW.shape == (1797, 65)
    assert RAW[:, :64].min() == 0 and RAW[:, :64].max() == 16
    assert np.bincount(RAW[:, 64]).tolist() == UCI_TEST_COUNTS
    assert len(ROW_OF) == 1797, "two images of the file are equal; row_indices needs them distinct"


def test_the_sha256_of_the_file_matches_its_readme_and_the_library():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    recorded = re.findall(r"\*\*sha256:\*\* `([0-9a-f]{64})`", readme)
    assert recorded == [hashlib.sha256(FILE.read_bytes()).hexdigest()]
    assert data.DIGITS_SHA256 == recorded[0]


def test_the_readme_gives_source_licence_and_citation():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for needed in ("archive.ics.uci.edu/dataset/80", "CC BY 4.0", "10.24432/C50P49", "Alpaydin",
                   "Kaynak", "scikit-learn 1.9.1", f"{FILE.stat().st_size:,} bytes"):
        assert needed in text, f"_data/README.md does not say {needed!r}"


def test_pyproject_ships_the_file_and_its_readme_in_the_package():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = pyproject["tool"]["setuptools"]["package-data"]["descend"]
    assert "_data/digits.csv.gz" in shipped and "_data/README.md" in shipped


def test_the_loader_reads_the_file_once_and_read_only():
    rows = data._digits_rows()
    np.testing.assert_array_equal(rows, RAW)
    assert rows is data._digits_rows()
    assert not rows.flags.writeable


def test_a_changed_file_is_refused():
    raw = FILE.read_bytes()
    assert data._parse_digits(raw).shape == (1797, 65)
    changed = gzip.compress(gzip.decompress(raw).replace(b"0,0,5,13", b"0,0,5,14", 1))
    with pytest.raises(RuntimeError, match="sha256 .* not 09f66e6d.*damaged or was changed"):
        data._parse_digits(changed)


# ---------------------------------------------------------------- the parts


def test_shapes_types_totals_and_pixel_range():
    parts = dd.data.digits()
    assert isinstance(parts, dd.data.Digits) and parts._fields == ("train", "val", "test")
    for part in parts:
        assert isinstance(part, dd.data.LabelledImages)
        n = len(part.labels)
        assert part.images.shape == (n, 8, 8) and part.images.dtype == np.float64
        assert part.labels.shape == (n,) and part.labels.dtype == np.int64
        assert set(np.unique(part.labels)) == set(range(10))
        assert part.images.min() == 0.0 and part.images.max() == 1.0
        np.testing.assert_array_equal(part.images * 16, np.rint(part.images * 16))   # steps of 1/16
    assert sum(len(p.labels) for p in parts) == 1797
    labels = np.concatenate([p.labels for p in parts])
    assert np.bincount(labels).tolist() == UCI_TEST_COUNTS


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("seed", [0, 1, 17])
def test_each_class_is_split_within_one_of_its_fractions(split, seed):
    parts = dd.data.digits(split=split, seed=seed)
    counts = np.array([np.bincount(p.labels, minlength=10) for p in parts])      # (3, 10)
    n_c = np.array(UCI_TEST_COUNTS)
    np.testing.assert_array_equal(counts.sum(axis=0), n_c)
    assert np.all(np.abs(counts - np.outer(split, n_c)) <= 1), counts - np.outer(split, n_c)


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("seed", [0, 5])
def test_the_parts_are_disjoint_cover_the_file_and_keep_each_label(split, seed):
    parts = dd.data.digits(split=split, seed=seed)
    rows = [row_indices(p) for p in parts]
    np.testing.assert_array_equal(np.sort(np.concatenate(rows)), np.arange(1797))
    for part, index in zip(parts, rows):
        np.testing.assert_array_equal(part.labels, RAW[index, 64])
        np.testing.assert_array_equal(part.images, RAW[index, :64].reshape(-1, 8, 8) / 16)


def test_the_same_seed_gives_the_same_parts_and_another_seed_others():
    a, b, c = dd.data.digits(seed=3), dd.data.digits(seed=3), dd.data.digits(seed=4)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa.images, pb.images)
        np.testing.assert_array_equal(pa.labels, pb.labels)
    for pa, pc in zip(a, c):
        assert len(pa.labels) == len(pc.labels)
        assert set(row_indices(pa)) != set(row_indices(pc))


def test_each_part_is_shuffled_not_sorted_by_class():
    for part in dd.data.digits(seed=0):
        changes = np.count_nonzero(np.diff(part.labels))
        assert changes > 0.8 * len(part.labels), changes          # sorted by class would give 9
        assert not np.all(np.diff(row_indices(part)) > 0)           # nor in the file's order


def test_scale_off_keeps_the_counts_and_the_same_split():
    scaled, counts = dd.data.digits(seed=2), dd.data.digits(seed=2, scale=False)
    for a, b in zip(scaled, counts):
        np.testing.assert_array_equal(b.images, a.images * 16)
        np.testing.assert_array_equal(b.labels, a.labels)
        assert b.images.dtype == np.float64 and b.images.max() == 16.0
        np.testing.assert_array_equal(row_indices(b, scale=False), row_indices(a))


def test_callers_get_copies_and_cannot_change_the_data():
    first = dd.data.digits(seed=0)
    keep = [(p.images.copy(), p.labels.copy()) for p in first]
    for part in first:
        part.images[:] = -1.0
        part.labels[:] = 99
    for (images, labels), part in zip(keep, dd.data.digits(seed=0)):
        np.testing.assert_array_equal(part.images, images)
        np.testing.assert_array_equal(part.labels, labels)
    np.testing.assert_array_equal(data._digits_rows(), RAW)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"split": (0.6, 0.4)}, ValueError, r"split must be three fractions \(train, val, test\).*got 2 of them"),
    ({"split": (0.25, 0.25, 0.25, 0.25)}, ValueError, r"split must be three fractions.*got 4 of them"),
    ({"split": "abc"}, TypeError, r"split must be three fractions"),
    ({"split": 0.6}, TypeError, r"split must be three fractions.*got float 0.6"),
    ({"split": (0.6, "0.2", 0.2)}, TypeError, r"split\[1\] must be a real number"),
    ({"split": (0.6, 0.4, 0.0)}, ValueError, r"split\[2\] must lie in \(0, 1\)"),
    ({"split": (1.2, -0.1, -0.1)}, ValueError, r"split\[0\] must lie in \(0, 1\)"),
    ({"split": (0.6, 0.2, float("nan"))}, ValueError, r"split\[2\] must be a finite number"),
    ({"split": (0.6, 0.2, 0.3)}, ValueError, r"split must sum to 1, got \(0.6, 0.2, 0.3\) \(sum 1.1\)"),
    ({"split": (0.998, 0.001, 0.001)}, ValueError, r"leaves the val and test part empty"),
    ({"seed": -1}, ValueError, r"seed must be an integer ≥ 0"),
    ({"seed": 1.5}, TypeError, r"seed must be an integer"),
    ({"seed": True}, TypeError, r"seed must be an integer"),
    ({"scale": 1}, TypeError, r"scale must be True or False, got int 1"),
    ({"scale": "yes"}, TypeError, r"scale must be True or False"),
])
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        dd.data.digits(**kwargs)


def test_arguments_are_keyword_only_and_numpy_values_work():
    with pytest.raises(TypeError):
        dd.data.digits((0.6, 0.2, 0.2))
    a = dd.data.digits(split=np.array([0.6, 0.2, 0.2]), seed=np.int64(1), scale=np.bool_(True))
    b = dd.data.digits(seed=1)
    for pa, pb in zip(a, b):
        np.testing.assert_array_equal(pa.images, pb.images)
