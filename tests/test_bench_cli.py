"""`lmr-studio bench --json` prints one JSON object on stdout, whatever libraries print on load."""

import json

import pytest


def test_bench_json_is_the_only_thing_on_stdout(capfd):
    from lmr_studio.cli import main

    assert main(["bench", "--only", "model", "--quick", "--json"]) == 0
    figures = json.loads(capfd.readouterr().out)                 # the Anny/warp banner goes to stderr
    assert figures["lmr_fps"] > 0 and figures["body_forward_fps"] > 0
    assert figures["machine"]["cuda"] in (True, False)


def test_training_speed_is_measured_on_the_cpu_and_on_cuda_only_where_there_is_a_gpu(capfd):
    from lmr_studio.cli import main

    assert main(["bench", "--only", "training", "--quick", "--json"]) == 0
    figures = json.loads(capfd.readouterr().out)
    assert figures["train_step_ms"] > 0
    assert (figures["train_step_ms_cuda"] is not None) == figures["machine"]["cuda"]


def test_an_unknown_group_is_refused(capsys):
    from lmr_studio.cli import main

    with pytest.raises(SystemExit) as err:
        main(["bench", "--only", "nonsense"])
    assert err.value.code == 2
