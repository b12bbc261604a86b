"""LMR network: shapes, the GRU maths, the root-conditioning wiring and the predict API."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lmr_studio.model import KINDS, build_model, predict, predict_stream
from lmr_studio.model.temporal import GroupedGRU
from lmr_studio.parts import PART_JOINTS
from lmr_studio.perception.features import FEATURE_DIM


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.mark.parametrize("kind", KINDS)
def test_output_shapes(kind):
    model = build_model(kind)
    out = model(torch.randn(3, 16, FEATURE_DIM))
    assert out.rot6d.shape == (3, 16, 24, 6)
    assert out.rotmat.shape == (3, 16, 24, 3, 3)
    assert out.betas.shape == (3, 16, 10)
    assert out.cam.shape == (3, 16, 3)
    assert out.part_activity.shape == (3, 16, 6)
    assert torch.isfinite(out.rotmat).all()


def test_grouped_gru_matches_torch_gru():
    """Each group of GroupedGRU is exactly PyTorch's GRU on [phi, extra_g]."""
    torch.manual_seed(0)
    unit = GroupedGRU(phi_dim=5, extra_dims=[3, 4], out_dims=[2, 2], hidden=6)
    phi, extras = torch.randn(2, 7, 5), [torch.randn(2, 7, 3), torch.randn(2, 7, 4)]
    _, hidden, _ = unit(unit.project_phi(phi), extras)
    for g, extra in enumerate(extras):
        ref = torch.nn.GRU(5 + extra.shape[-1], 6, batch_first=True)
        w_phi = unit.phi.weight.view(2, 18, 5)[g]
        with torch.no_grad():
            ref.weight_ih_l0.copy_(torch.cat([w_phi, unit.extra[g].weight], 1))
            ref.bias_ih_l0.copy_(unit.phi.bias.view(2, 18)[g])
            ref.weight_hh_l0.copy_(unit.w_hh[g].T)
            ref.bias_hh_l0.copy_(unit.b_hh[g, 0])
        expected, _ = ref(torch.cat([phi, extra], -1))
        torch.testing.assert_close(hidden[:, :, g], expected, atol=1e-5, rtol=1e-5)


def _part_inputs(model, features):
    """Inputs of the root GRU and of each of the five other part GRUs (last iteration)."""
    seen = {}
    hooks = [model.root.extra[0].register_forward_hook(lambda m, i, o: seen.__setitem__("root", i[0].clone()))]
    for k, lin in enumerate(model.others.extra, start=1):
        hooks.append(lin.register_forward_hook(lambda m, i, o, k=k: seen.__setitem__(k, i[0].clone())))
    with torch.no_grad():
        model(features)
    for hook in hooks:
        hook.remove()
    return seen


def test_root_output_changes_other_parts_inputs():
    torch.manual_seed(0)
    model = build_model("lmr", {"iterations": 1})
    x = torch.randn(2, 8, FEATURE_DIM)
    before = _part_inputs(model, x)
    with torch.no_grad():
        model.root.out[0].bias.add_(0.5)
    after = _part_inputs(model, x)
    assert torch.equal(before["root"], after["root"])  # the root's own input is upstream of its output
    for k in range(1, 6):
        root_slice = slice(-24, None)  # the last 24 inputs are the root's updated 6D pose
        assert not torch.allclose(before[k][..., root_slice], after[k][..., root_slice])
        assert torch.equal(before[k][..., :root_slice.start], after[k][..., :root_slice.start])


@pytest.mark.parametrize("moved", [1, 2, 3, 4, 5])
def test_a_part_gets_no_other_parts_pose(moved):
    """Changing part k's (initial) pose changes part k's input and no other non-root part's."""
    torch.manual_seed(0)
    model = build_model("lmr", {"iterations": 1})
    x = torch.randn(2, 8, FEATURE_DIM)
    before = _part_inputs(model, x)
    with torch.no_grad():
        model.mean_pose[list(PART_JOINTS[moved])] += 0.3
    after = _part_inputs(model, x)
    for k in range(1, 6):
        changed = not torch.equal(before[k], after[k])
        assert changed == (k == moved)
    assert torch.equal(before["root"], after["root"])


def test_predict_runs_one_state_over_the_whole_track():
    """No window restarts: every frame equals one forward pass over the whole track, and a track
    continued in pieces (the GUI's preview) gives the same numbers as the track run whole."""
    torch.manual_seed(0)
    model = build_model("lmr").eval()
    feats = np.random.default_rng(0).normal(size=(45, FEATURE_DIM)).astype(np.float32)
    whole = predict(model, feats)
    assert whole.poses.shape == (45, 24, 3) and whole.betas.shape == (45, 10)
    assert whole.cam.shape == (45, 3) and whole.part_activity.shape == (45, 6)
    assert whole.poses.dtype == np.float32
    with torch.no_grad():
        reference = model(torch.from_numpy(feats)[None])
    np.testing.assert_allclose(whole.cam, reference.cam[0].numpy(), atol=1e-5)
    first, state = predict_stream(model, feats[:7])
    empty, same = predict_stream(model, feats[7:7], state)  # a zero-length piece changes nothing
    assert len(empty) == 0 and same is state
    second, state = predict_stream(model, feats[7:30], state)
    third, state = predict_stream(model, feats[30:], state)
    assert state.frames == 45
    pieces = first.concat(second).concat(third)
    np.testing.assert_allclose(pieces.poses, whole.poses, atol=1e-5)
    np.testing.assert_allclose(pieces.part_activity, whole.part_activity, atol=1e-5)
    assert predict(model, np.zeros((0, FEATURE_DIM), np.float32)).poses.shape == (0, 24, 3)


def test_long_tracks_run_in_chunks_with_the_state_carried():
    """A track longer than one chunk gives the same numbers as a single forward pass."""
    from lmr_studio.model.predict import CHUNK

    torch.manual_seed(1)
    model = build_model("lmr").eval()
    feats = np.random.default_rng(1).normal(size=(CHUNK + 20, FEATURE_DIM)).astype(np.float32)
    with torch.no_grad():
        reference = model(torch.from_numpy(feats)[None])
    np.testing.assert_allclose(predict(model, feats).cam, reference.cam[0].numpy(), atol=1e-4)


def test_streaming_state_carries_across_windows():
    """Streaming one long window equals streaming it in pieces (the state is carried exactly)."""
    torch.manual_seed(0)
    model = build_model("lmr").eval()
    x = torch.randn(1, 32, FEATURE_DIM)
    with torch.no_grad():
        whole = model(x)
        first = model(x[:, :16])
        second = model(x[:, 16:], first.state)
    torch.testing.assert_close(torch.cat([first.rotmat, second.rotmat], 1), whole.rotmat, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(torch.cat([first.part_activity, second.part_activity], 1), whole.part_activity,
                               atol=1e-5, rtol=1e-4)
