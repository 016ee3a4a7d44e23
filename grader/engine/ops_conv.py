"""Convolution and pooling (issue 19), forward and backward side by side.

An image is one column per example, its pixels in row-major order (``x: [16, 1]`` is a 4×4
image), so every node stays features × examples and a dense layer can follow directly
(flattening is the identity). The image's ``width`` is an argument; its height is rows / width.

- ``xcorr2d(x, K, width, stride=1, padding=0)``: cross-correlation (what deep-learning libraries
  call convolution), out[i, j] = Σ_ab xp[i·s + a, j·s + b] K[a, b], xp the zero-padded image;
- ``conv2d(...)``: true convolution, the cross-correlation with the kernel flipped both ways;
- ``xcorr1d(x, k, stride=1, padding=0)``, ``conv1d``: the same on a signal (k a column);
- ``maxpool2d(x, width, size, stride=size)`` (stride 0 or left out: the size): the gradient goes to the window's first maximum
  (row-major, as PyTorch); ``avgpool2d``: shared equally by the window.

The output is flattened row-major too; ∂L/∂K = Σ_ij g[i, j] xp[i·s + a, j·s + b] (the input
correlated with the upstream gradient), ∂L/∂x = the upstream gradient fully convolved with K.
"""
from __future__ import annotations

import numpy as np

from grader.engine.op_kit import Ctx, Op, const, sign
from grader.errors import ConfigError


def _int(c: Ctx, a) -> int:
    value = float(c.backend.to_float(a)[0, 0])
    if not value.is_integer() or value < 0:
        raise ConfigError(f"a size, stride or padding must be a whole number, not {value:g}")
    return int(value)


def _zeros(c: Ctx, shape):
    z = np.full(shape, const(c, 0), dtype=object)
    return z.astype(float) if c.backend.name == "float" else z


def _geometry(c: Ctx, x, width: int, kh: int, kw: int, stride: int, ph: int, pw: int):
    if width < 1 or x.shape[0] % width:
        raise ConfigError(f"an image of {x.shape[0]} pixels is not {width} wide")
    height = x.shape[0] // width
    oh, ow = (height + 2 * ph - kh) // stride + 1, (width + 2 * pw - kw) // stride + 1
    if stride < 1 or oh < 1 or ow < 1:
        raise ConfigError(f"a {kh}×{kw} window with stride {stride} does not fit a {height}×{width} image")
    return height, oh, ow


def _windows(stride: int, oh: int, ow: int, kh: int, kw: int):
    """(a, b, the slices of the padded image that kernel entry (a, b) meets)."""
    for a in range(kh):
        for b in range(kw):
            yield a, b, (slice(a, a + stride * (oh - 1) + 1, stride), slice(b, b + stride * (ow - 1) + 1, stride))


def _padded(c: Ctx, x, height: int, width: int, ph: int, pw: int):
    xp = _zeros(c, (height + 2 * ph, width + 2 * pw, x.shape[1]))
    xp[ph:ph + height, pw:pw + width, :] = x.reshape(height, width, x.shape[1])
    return xp


def _xcorr(c: Ctx, x, K, width: int, stride: int, ph: int, pw: int):
    kh, kw = K.shape
    height, oh, ow = _geometry(c, x, width, kh, kw, stride, ph, pw)
    xp = _padded(c, x, height, width, ph, pw)
    out = _zeros(c, (oh, ow, x.shape[1]))
    for a, b, window in _windows(stride, oh, ow, kh, kw):
        out = out + xp[window] * K[a, b]
    return out.reshape(oh * ow, x.shape[1])


def _xcorr_grad(c: Ctx, g, x, K, width: int, stride: int, ph: int, pw: int):
    kh, kw = K.shape
    height, oh, ow = _geometry(c, x, width, kh, kw, stride, ph, pw)
    xp = _padded(c, x, height, width, ph, pw)
    g3 = g.reshape(oh, ow, x.shape[1])
    gxp, gK = _zeros(c, xp.shape), _zeros(c, K.shape)
    for a, b, window in _windows(stride, oh, ow, kh, kw):
        gxp[window] = gxp[window] + g3 * K[a, b]
        gK[a, b] = (g3 * xp[window]).sum()
    return gxp[ph:ph + height, pw:pw + width, :].reshape(x.shape), gK


def _flip(K):
    return K[::-1, ::-1]


def _two_d(flipped: bool) -> Op:
    def forward(c, x, K, width, stride, padding):
        p = _int(c, padding)
        return _xcorr(c, x, _flip(K) if flipped else K, _int(c, width), _int(c, stride), p, p)

    def backward(c, g, out, x, K, width, stride, padding):
        p = _int(c, padding)
        gx, gK = _xcorr_grad(c, g, x, _flip(K) if flipped else K, _int(c, width), _int(c, stride), p, p)
        return gx, _flip(gK) if flipped else gK, None, None, None

    name = "conv2d" if flipped else "xcorr2d"
    what = "true 2-D convolution (kernel flipped)" if flipped else "2-D cross-correlation (a CNN's 'convolution')"
    return Op(name, 5, forward, backward, f"{what} of an image (a column, row-major) with kernel K", ("1", "0"))


def _one_d(flipped: bool) -> Op:
    def forward(c, x, k, stride, padding):
        K = k.T[:, ::-1] if flipped else k.T
        return _xcorr(c, x, K, x.shape[0], _int(c, stride), 0, _int(c, padding))

    def backward(c, g, out, x, k, stride, padding):
        K = k.T[:, ::-1] if flipped else k.T
        gx, gK = _xcorr_grad(c, g, x, K, x.shape[0], _int(c, stride), 0, _int(c, padding))
        return gx, (gK[:, ::-1] if flipped else gK).T, None, None

    name = "conv1d" if flipped else "xcorr1d"
    what = "true 1-D convolution (kernel reversed)" if flipped else "1-D cross-correlation"
    return Op(name, 4, forward, backward, f"{what} of a signal (a column) with kernel k (a column)", ("1", "0"))


def _pool_geometry(c: Ctx, x, width, size, stride):
    w, k, s = _int(c, width), _int(c, size), _int(c, stride)
    s = s or k  # stride 0 (the default) is the window size: windows side by side
    height, oh, ow = _geometry(c, x, w, k, k, s, 0, 0)
    return x.reshape(height, w, x.shape[1]), k, s, oh, ow


def _max_positions(c: Ctx, x3, k, s, oh, ow):
    """Per output pixel and example, the (row, col) of the window's first maximum."""
    best = x3[0:s * (oh - 1) + 1:s, 0:s * (ow - 1) + 1:s, :]
    where = np.zeros(best.shape + (2,), dtype=int)
    for a, b, window in _windows(s, oh, ow, k, k):
        better = sign(c, x3[window] - best) > 0  # strictly: ties keep the first
        best = np.where(better, x3[window], best)
        where[better] = (a, b)
    return best, where


def _maxpool(c, x, width, size, stride):
    x3, k, s, oh, ow = _pool_geometry(c, x, width, size, stride)
    return _max_positions(c, x3, k, s, oh, ow)[0].reshape(oh * ow, x.shape[1])


def _maxpool_grad(c, g, out, x, width, size, stride):
    x3, k, s, oh, ow = _pool_geometry(c, x, width, size, stride)
    _, where = _max_positions(c, x3, k, s, oh, ow)
    gx = _zeros(c, x3.shape)
    g3 = g.reshape(oh, ow, x.shape[1])
    for i in range(oh):
        for j in range(ow):
            for e in range(x.shape[1]):
                a, b = where[i, j, e]
                gx[i * s + a, j * s + b, e] = gx[i * s + a, j * s + b, e] + g3[i, j, e]
    return gx.reshape(x.shape), None, None, None


def _avgpool(c, x, width, size, stride):
    x3, k, s, oh, ow = _pool_geometry(c, x, width, size, stride)
    out = _zeros(c, (oh, ow, x.shape[1]))
    for _, _, window in _windows(s, oh, ow, k, k):
        out = out + x3[window]
    return (out * const(c, f"1/{k * k}")).reshape(oh * ow, x.shape[1])


def _avgpool_grad(c, g, out, x, width, size, stride):
    x3, k, s, oh, ow = _pool_geometry(c, x, width, size, stride)
    share = g.reshape(oh, ow, x.shape[1]) * const(c, f"1/{k * k}")
    gx = _zeros(c, x3.shape)
    for _, _, window in _windows(s, oh, ow, k, k):
        gx[window] = gx[window] + share
    return gx.reshape(x.shape), None, None, None


CONV_OPS = [
    _two_d(False), _two_d(True), _one_d(False), _one_d(True),
    Op("maxpool2d", 4, _maxpool, _maxpool_grad, "max over size×size windows of an image (a column, row-major)",
       ("0",)),
    Op("avgpool2d", 4, _avgpool, _avgpool_grad, "mean over size×size windows of an image (a column, row-major)",
       ("0",)),
]


def unflipped_input_gradient(op: Op) -> Op:
    """``xcorr2d``/``conv2d`` whose ∂L/∂x correlates g with the kernel as it is, not flipped (a
    misconception: the input gradient is the full *convolution* of g with K)."""
    def backward(c, g, out, x, K, width, stride, padding):
        p = _int(c, padding)
        used = K if op.name == "conv2d" else _flip(K)
        gx = _xcorr_grad(c, g, x, used, _int(c, width), _int(c, stride), p, p)[0]
        return (gx,) + op.backward(c, g, out, x, K, width, stride, padding)[1:]
    return Op(op.name, op.arity, op.forward, backward, op.doc, op.defaults)


def maxpool_ties(c: Ctx, x, width, size, stride):
    """Per window offset, the window's maximum minus that entry (1 at the maximum's own place):
    an exact 0 is a tie for the maximum, max pooling's kink (the gradient goes to the first)."""
    x3, k, s, oh, ow = _pool_geometry(c, x, width, size, stride)
    best, where = _max_positions(c, x3, k, s, oh, ow)
    return [np.where((where[..., 0] == a) & (where[..., 1] == b), const(c, 1), best - x3[window])
            for a, b, window in _windows(s, oh, ow, k, k)]
