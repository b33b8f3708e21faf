"""Several cities in one batch, locally and on a dask.distributed cluster: the same bytes.

A real LocalCluster with two worker processes (one thread each) runs the same jobs as the local
process pool; the reports of both cities must be byte-identical to the local ones. The sample
city is copied first, so that edits to the project's data during the test cannot change it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixtures_city import make_city as make_mini_city
from fixtures_city import with_project_notebooks

from conftest import ROOT
from sozialraum.config import load_config
from sozialraum.publish.batch import run_batches
from sozialraum.synthetic import make_city

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    root = tmp_path_factory.mktemp("staedte")
    # the mini city (events, two units) and a synthetic one: two cities, one cluster
    mini = make_mini_city(root / "musterstadt", config=with_project_notebooks)
    mini = mini.rename(mini.with_name("musterstadt.toml"))
    synth = make_city(root / "synthetisch", areas=12, units=2, seed=7)
    shutil.copytree(ROOT / "notebooks", root / "synthetisch" / "notebooks")
    return [load_config(mini), load_config(synth)]


def _files(year_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(year_dir.iterdir()) if p.is_file()}


def _pages(results) -> dict[str, dict[str, bytes]]:
    return {r.out_dir.parent.name: _files(r.out_dir) for r in results}


def test_two_cities_on_a_local_cluster_give_the_local_bytes(cities, tmp_path, monkeypatch):
    from distributed import LocalCluster

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    local = run_batches(cities, out=tmp_path / "lokal", jobs=2, progress=False)
    assert all(r.render.ok for r in local), [f.message for r in local for f in r.render.failed]
    # one folder per city under --out, named after its config
    assert [r.out_dir.parent.name for r in local] == ["musterstadt", "stadt"]
    assert len(local[0].render.done) == 3 and len(local[1].render.done) == 3

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = run_batches(
            cities,
            out=tmp_path / "cluster",
            executor="dask",
            scheduler=cluster.scheduler_address,
            progress=False,
        )
        workers = len(cluster.workers)
    assert workers == 2
    assert all(r.render.ok for r in remote), [f.message for r in remote for f in r.render.failed]
    assert [len(r.render.done) for r in remote] == [3, 3]
    here, there = _pages(local), _pages(remote)
    assert here.keys() == there.keys() == {"musterstadt", "stadt"}
    for city in here:
        assert here[city].keys() == there[city].keys()
        assert "index.html" in here[city] and "gesamtstadt.html" in here[city]
        for name, data in here[city].items():
            assert data == there[city][name], f"{city}/{name}"


def test_dask_without_a_scheduler_is_refused(cities):
    with pytest.raises(ValueError, match="--scheduler"):
        run_batches(cities, executor="dask")
