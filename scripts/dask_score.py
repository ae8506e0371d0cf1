#!/usr/bin/env python3
"""Score a partitioned dataset (a folder of CSV partitions) on Dask distributed with a model Residual exported as ONNX.

    python3 scripts/dask_score.py --model model.onnx --input parts/ --out scores/ --workers 2
    python3 scripts/dask_score.py --model model.onnx --input /shared/parts --out /shared/scores --scheduler tcp://host:8786

Each partition `parts/NAME.csv` (a header row naming the model's input columns; other columns are ignored) gives
`scores/NAME.scores.csv` with the columns `row` (the value of --id-column, else the row's 0-based index in its
partition), `score` (the row score the app computes) and `flagged` (score >= the threshold in force when the model was
exported; empty when it had none). The throughput (rows/s) is printed at the end; --json prints it as one JSON object.

The model is read once here and sent to every worker. The partitions and the output folder must be reachable from the
workers under the same paths (a shared filesystem on a real cluster).

Evaluation: Debian has no Python onnxruntime, so each worker evaluates the graph with numpy: a small evaluator for
exactly the operators Residual's exporter emits (src-main/core/export/onnx.ts), refusing any other operator with a
message. On a real cluster, install onnxruntime on the workers (`pip install onnxruntime`) and pass --runtime
onnxruntime: the same file is then run by onnxruntime.InferenceSession, with the same inputs and outputs.
"""

import argparse
import csv
import glob
import hashlib
import json
import math
import os
import sys
import time

import numpy as np

# The operators Residual's ONNX export emits (src-main/core/export/onnx.ts), by domain.
SUPPORTED = {
    '': {
        'Abs', 'Add', 'Cast', 'Concat', 'Div', 'Elu', 'Equal', 'Exp', 'Gemm', 'GreaterOrEqual', 'IsNaN', 'LeakyRelu',
        'Log', 'MatMul', 'Max', 'Min', 'Mul', 'ReduceSum', 'Relu', 'Sigmoid', 'Sign', 'Sub', 'Tanh', 'Unsqueeze', 'Where',
        # The convolutional autoencoder (src-main/core/export/onnx-conv.ts): the image grid, convolutions, pooling, up-sampling.
        'Conv', 'Gather', 'MaxPool', 'Pad', 'Reshape', 'Resize', 'Transpose',
    },
    # TreeEnsembleRegressor: an IsolationForest (src-main/core/export/onnx-family.ts).
    'ai.onnx.ml': {'LabelEncoder', 'TreeEnsembleRegressor'},
}

# TensorProto.DataType -> numpy, for the types the graph uses.
NP_TYPES = {1: np.float32, 6: np.int32, 7: np.int64, 9: np.bool_, 10: np.float16, 11: np.float64, 8: np.object_}


class ModelError(Exception):
    """A model this recipe cannot evaluate, or a partition it cannot read: the message says which and what to do."""


class NumpyModel:
    """A Residual ONNX model evaluated with numpy, node by node in the file's (topological) order."""

    def __init__(self, data, source='model.onnx'):
        import onnx
        from onnx import helper, numpy_helper

        try:
            model = onnx.load_from_string(data)
        except Exception as e:  # noqa: BLE001 - any parse failure is reported the same way
            raise ModelError(f'{source}: not an ONNX model ({e}). Export one with `residual export-model`.') from e
        props = {p.key: p.value for p in model.metadata_props}
        if props.get('residual_export') != 'model':
            raise ModelError(f'{source}: not an ONNX model that Residual exported (no residual_export metadata); this recipe evaluates only those.')
        for imp in model.opset_import:
            if imp.domain not in SUPPORTED:
                raise ModelError(f'{source}: uses the operator set "{imp.domain}", which this numpy evaluator does not know; run it with onnxruntime (--runtime onnxruntime).')
        graph = model.graph
        self.meta = props
        self.columns = json.loads(props['columns'])
        self.threshold = float(props['threshold']) if props.get('threshold') else None
        self.inputs = [(i.name, i.type.tensor_type.elem_type) for i in graph.input]
        self.outputs = [o.name for o in graph.output]
        self.consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.nodes = []
        for n in graph.node:
            if n.op_type not in SUPPORTED.get(n.domain, ()):
                where = f'{n.domain}.' if n.domain else ''
                raise ModelError(
                    f'{source}: node "{n.name}" is the operator {where}{n.op_type}, which this numpy evaluator does not implement '
                    f'(it knows only the operators Residual exports: {", ".join(sorted(SUPPORTED[""]))}, {", ".join("ai.onnx.ml." + o for o in sorted(SUPPORTED["ai.onnx.ml"]))}). '
                    'Run the model with onnxruntime instead (--runtime onnxruntime).'
                )
            attrs = {}
            for a in n.attribute:
                v = helper.get_attribute_value(a)
                if isinstance(v, bytes):
                    v = v.decode('utf-8')
                elif isinstance(v, list) and v and isinstance(v[0], bytes):
                    v = [s.decode('utf-8') for s in v]
                attrs[a.name] = v
            self.nodes.append((n.op_type, list(n.input), list(n.output), attrs, n.name))

    def run(self, feeds):
        env = dict(self.consts)
        env.update(feeds)
        with np.errstate(over='ignore', invalid='ignore', divide='ignore'):
            for op, ins, outs, attrs, name in self.nodes:
                args = [env[i] if i else None for i in ins]
                env[outs[0]] = _OPS[op](args, attrs)
        return {o: env[o] for o in self.outputs}


def _binary(f):
    return lambda a, _: f(a[0], a[1])


def _unary(f):
    return lambda a, _: f(a[0])


def _cast(a, attrs):
    to = attrs['to']
    if to not in NP_TYPES:
        raise ModelError(f'Cast to ONNX type {to} is not implemented by this numpy evaluator; run the model with onnxruntime.')
    return a[0].astype(NP_TYPES[to])


def _unsqueeze(a, _):
    x, axes = a[0], [int(v) for v in np.asarray(a[1]).ravel()]
    rank = x.ndim + len(axes)
    for ax in sorted(v + rank if v < 0 else v for v in axes):
        x = np.expand_dims(x, ax)
    return x


def _reduce_sum(a, attrs):
    x = a[0]
    axes = None if len(a) < 2 or a[1] is None or np.asarray(a[1]).size == 0 else tuple(int(v) for v in np.asarray(a[1]).ravel())
    if axes is None and attrs.get('noop_with_empty_axes', 0):
        return x
    return np.sum(x, axis=axes, keepdims=bool(attrs.get('keepdims', 1))).astype(x.dtype)


def _gemm(a, attrs):
    A, B = a[0], a[1]
    if attrs.get('transA', 0):
        A = A.T
    if attrs.get('transB', 0):
        B = B.T
    y = np.matmul(A, B)
    alpha = attrs.get('alpha', 1.0)
    if alpha != 1.0:
        y = y * np.asarray(alpha, dtype=y.dtype)
    if len(a) > 2 and a[2] is not None:
        beta = attrs.get('beta', 1.0)
        y = y + (a[2] if beta == 1.0 else a[2] * np.asarray(beta, dtype=a[2].dtype))
    return y


def _label_encoder(a, attrs):
    if 'keys_strings' not in attrs or 'values_int64s' not in attrs:
        raise ModelError('LabelEncoder with keys or values other than strings → int64 is not implemented by this numpy evaluator; run the model with onnxruntime.')
    table = dict(zip(attrs['keys_strings'], attrs['values_int64s']))
    default = int(attrs.get('default_int64', -1))
    x = a[0]
    if x.size == 0:
        return np.zeros(x.shape, dtype=np.int64)
    uniq, inverse = np.unique(x.astype(str), return_inverse=True)
    codes = np.array([table.get(str(u), default) for u in uniq], dtype=np.int64)
    return codes[inverse].reshape(x.shape)


def _div(a, _):
    x, y = a[0], a[1]
    if np.issubdtype(x.dtype, np.integer):
        return np.trunc(x / y).astype(x.dtype)
    return np.divide(x, y)


def _unsupported(op, what):
    return ModelError(f'{op} with {what} is not implemented by this numpy evaluator (it evaluates the {op} nodes Residual exports); run the model with onnxruntime.')


def _conv(a, attrs):
    """2-D convolution (cross-correlation, as ONNX's Conv) of NCHW input by OIHW weights, stride 1, explicit pads."""
    x, w = a[0], a[1]
    b = a[2] if len(a) > 2 else None
    if x.ndim != 4 or attrs.get('group', 1) != 1 or attrs.get('auto_pad', 'NOTSET') != 'NOTSET' \
            or any(v != 1 for v in attrs.get('strides', [1, 1])) or any(v != 1 for v in attrs.get('dilations', [1, 1])):
        raise _unsupported('Conv', 'groups, strides, dilations, automatic padding or other than 2 spatial axes')
    top, left, bottom, right = attrs.get('pads', [0, 0, 0, 0])
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    kh, kw = w.shape[2], w.shape[3]
    ho, wo = xp.shape[2] - kh + 1, xp.shape[3] - kw + 1
    # Channel-last while accumulating: each window offset is one matrix product [n, h, w, cin] x [cin, cout].
    y = np.zeros((x.shape[0], ho, wo, w.shape[0]), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            y += np.tensordot(xp[:, :, i:i + ho, j:j + wo], w[:, :, i, j], axes=([1], [1]))
    if b is not None:
        y += b
    return np.ascontiguousarray(y.transpose(0, 3, 1, 2))


def _max_pool(a, attrs):
    """Max pooling of NCHW input over windows equal to the strides (no overlap), no padding; a ragged edge is dropped."""
    x = a[0]
    kernel = list(attrs['kernel_shape'])
    if x.ndim != 4 or list(attrs.get('strides', [1, 1])) != kernel or any(attrs.get('pads', [0, 0, 0, 0])) \
            or attrs.get('ceil_mode', 0) or any(v != 1 for v in attrs.get('dilations', [1, 1])) or attrs.get('auto_pad', 'NOTSET') != 'NOTSET':
        raise _unsupported('MaxPool', 'strides other than its window, padding, dilations or ceil_mode')
    kh, kw = kernel
    n, c, h, w = x.shape
    ho, wo = h // kh, w // kw
    return x[:, :, :ho * kh, :wo * kw].reshape(n, c, ho, kh, wo, kw).max(axis=(3, 5))


def _resize(a, attrs):
    """Nearest-neighbour up-sampling by whole factors (asymmetric coordinates, floor): each value repeated."""
    x = a[0]
    scales = a[2] if len(a) > 2 and a[2] is not None and a[2].size else None
    if attrs.get('mode', 'nearest') != 'nearest' or attrs.get('coordinate_transformation_mode', 'half_pixel') != 'asymmetric' \
            or attrs.get('nearest_mode', 'round_prefer_floor') != 'floor' or scales is None or (len(a) > 3 and a[3] is not None):
        raise _unsupported('Resize', 'a mode other than nearest (asymmetric, floor) by scales')
    if len(scales) != x.ndim or any(s < 1 or s != int(s) for s in scales):
        raise _unsupported('Resize', f'scales {list(scales)} (only whole factors of at least 1)')
    for axis, s in enumerate(scales):
        if s != 1:
            x = np.repeat(x, int(s), axis=axis)
    return x


def _reshape(a, attrs):
    x, shape = a[0], [int(v) for v in np.asarray(a[1]).ravel()]
    if not attrs.get('allowzero', 0):
        shape = [x.shape[i] if v == 0 else v for i, v in enumerate(shape)]
    return x.reshape(shape)


def _pad(a, attrs):
    if attrs.get('mode', 'constant') != 'constant':
        raise _unsupported('Pad', f'mode {attrs["mode"]}')
    x, pads = a[0], [int(v) for v in np.asarray(a[1]).ravel()]
    value = a[2] if len(a) > 2 and a[2] is not None else 0
    r = x.ndim
    return np.pad(x, [(pads[i], pads[i + r]) for i in range(r)], mode='constant', constant_values=value)


def _tree_ensemble_regressor(a, attrs):
    """ai.onnx.ml TreeEnsembleRegressor with BRANCH_LEQ splits (x <= value goes to the true branch), summed or averaged."""
    modes = attrs['nodes_modes']
    if attrs.get('post_transform', 'NONE') != 'NONE' or attrs.get('aggregate_function', 'SUM') not in ('SUM', 'AVERAGE') \
            or set(modes) - {'BRANCH_LEQ', 'LEAF'} or any(attrs.get('nodes_missing_value_tracks_true', [])):
        raise ModelError('TreeEnsembleRegressor with a post_transform, an aggregate other than SUM/AVERAGE, split modes other than '
                         'BRANCH_LEQ or missing-value tracking is not implemented by this numpy evaluator; run the model with onnxruntime.')
    x = np.asarray(a[0])
    x = x.reshape(x.shape[0], -1)
    n = x.shape[0]
    n_targets = int(attrs['n_targets'])
    tree_of = np.asarray(attrs['nodes_treeids'], dtype=np.int64)
    node_id = np.asarray(attrs['nodes_nodeids'], dtype=np.int64)
    feature = np.asarray(attrs['nodes_featureids'], dtype=np.int64)
    # The split values are float32 in the file; x <= value compares them as such.
    value = np.asarray(attrs['nodes_values'], dtype=np.float32).astype(np.float64)
    leaf = np.asarray([m == 'LEAF' for m in modes])
    true_id = np.asarray(attrs['nodes_truenodeids'], dtype=np.int64)
    false_id = np.asarray(attrs['nodes_falsenodeids'], dtype=np.int64)
    t_tree = np.asarray(attrs['target_treeids'], dtype=np.int64)
    t_node = np.asarray(attrs['target_nodeids'], dtype=np.int64)
    t_id = np.asarray(attrs['target_ids'], dtype=np.int64)
    t_weight = np.asarray(attrs['target_weights'], dtype=np.float32).astype(np.float64)
    xv = x.astype(np.float64)
    out = np.zeros((n, n_targets), dtype=np.float64)
    trees = np.unique(tree_of)
    rows = np.arange(n)
    for t in trees:
        at = np.nonzero(tree_of == t)[0]
        # Node id -> position within this tree's arrays.
        pos = np.full(int(node_id[at].max()) + 1, -1, dtype=np.int64)
        pos[node_id[at]] = np.arange(len(at))
        f, v, lf = feature[at], value[at], leaf[at]
        left, right = pos[np.where(lf, 0, true_id[at])], pos[np.where(lf, 0, false_id[at])]
        children = set(left[~lf].tolist()) | set(right[~lf].tolist())
        roots = [i for i in range(len(at)) if i not in children]
        if len(roots) != 1:
            raise ModelError(f'TreeEnsembleRegressor tree {t} has {len(roots)} roots; the file is damaged.')
        cur = np.full(n, roots[0], dtype=np.int64)
        for _ in range(len(at)):
            inner = ~lf[cur]
            if not inner.any():
                break
            go_left = xv[rows, f[cur]] <= v[cur]
            cur = np.where(inner, np.where(go_left, left[cur], right[cur]), cur)
        weights = np.zeros((len(at), n_targets), dtype=np.float64)
        mine = t_tree == t
        np.add.at(weights, (pos[t_node[mine]], t_id[mine]), t_weight[mine])
        out += weights[cur]
    if attrs.get('aggregate_function', 'SUM') == 'AVERAGE':
        out /= max(1, len(trees))
    base = attrs.get('base_values')
    if base:
        out += np.asarray(base, dtype=np.float64)
    return out.astype(np.float32)


def _variadic(f, args):
    y = args[0]
    for x in args[1:]:
        y = f(y, x)
    return y


def _sigmoid(x):
    return (1 / (1 + np.exp(-x))).astype(x.dtype)


_OPS = {
    'Abs': _unary(np.abs),
    'Add': _binary(np.add),
    'Cast': _cast,
    'Concat': lambda a, attrs: np.concatenate(a, axis=attrs['axis']),
    'Div': _div,
    'Elu': lambda a, attrs: np.where(a[0] > 0, a[0], np.asarray(attrs.get('alpha', 1.0), a[0].dtype) * (np.exp(a[0]) - 1)).astype(a[0].dtype),
    'Equal': _binary(np.equal),
    'Conv': _conv,
    'Exp': _unary(np.exp),
    'Gemm': _gemm,
    'Gather': lambda a, attrs: np.take(a[0], a[1], axis=attrs.get('axis', 0)),
    'GreaterOrEqual': _binary(np.greater_equal),
    'IsNaN': _unary(np.isnan),
    'LabelEncoder': _label_encoder,
    'LeakyRelu': lambda a, attrs: np.where(a[0] >= 0, a[0], np.asarray(attrs.get('alpha', 0.01), a[0].dtype) * a[0]),
    'Log': _unary(np.log),
    'MatMul': _binary(np.matmul),
    'Max': lambda a, _: _variadic(np.maximum, a),
    'MaxPool': _max_pool,
    'Min': lambda a, _: _variadic(np.minimum, a),
    'Mul': _binary(np.multiply),
    'Pad': _pad,
    'ReduceSum': _reduce_sum,
    'Relu': lambda a, _: np.maximum(a[0], np.asarray(0, a[0].dtype)),
    'Reshape': _reshape,
    'Resize': _resize,
    'Sigmoid': _unary(_sigmoid),
    'Sign': _unary(np.sign),
    'Sub': _binary(np.subtract),
    'Tanh': _unary(np.tanh),
    'Transpose': lambda a, attrs: np.transpose(a[0], attrs.get('perm')),
    'TreeEnsembleRegressor': _tree_ensemble_regressor,
    'Unsqueeze': _unsqueeze,
    'Where': lambda a, _: np.where(a[0], a[1], a[2]),
}
assert set(_OPS) == SUPPORTED[''] | SUPPORTED['ai.onnx.ml']


class OrtModel:
    """The same file run by onnxruntime (a real cluster: `pip install onnxruntime` on the workers)."""

    def __init__(self, data, source='model.onnx'):
        import onnx
        import onnxruntime

        props = {p.key: p.value for p in onnx.load_from_string(data).metadata_props}
        self.columns = json.loads(props['columns'])
        self.threshold = float(props['threshold']) if props.get('threshold') else None
        self.session = onnxruntime.InferenceSession(data, providers=['CPUExecutionProvider'])
        self.outputs = [o.name for o in self.session.get_outputs()]

    def run(self, feeds):
        return dict(zip(self.outputs, self.session.run(None, feeds)))


def _model_on_worker(data, digest, runtime):
    """The model parsed once per worker process (kept on the dask Worker), else once per task."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        worker = None
    cache = getattr(worker, '_residual_models', None) if worker is not None else None
    if cache is None:
        cache = {}
        if worker is not None:
            worker._residual_models = cache
    key = (digest, runtime)
    if key not in cache:
        cache[key] = (OrtModel if runtime == 'onnxruntime' else NumpyModel)(data)
    return cache[key]


def read_partition(path, columns, id_column):
    """The model's input columns of one CSV partition: float64 for numeric (empty → NaN), str for categorical ("" = missing)."""
    with open(path, newline='', encoding='utf-8') as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise ModelError(f'{path}: the file is empty; a partition needs a header row naming the model\'s columns.') from None
        index = {h: i for i, h in enumerate(header)}
        missing = [c['name'] for c in columns if c['name'] not in index]
        if missing:
            raise ModelError(f'{path}: line 1 (the header) lacks the model\'s column(s) {", ".join(missing)}; every partition needs all input columns by name.')
        if id_column is not None and id_column not in index:
            raise ModelError(f'{path}: line 1 (the header) has no id column "{id_column}" (--id-column).')
        rows = list(reader)
    width = len(header)
    for n, r in enumerate(rows):
        if len(r) != width:
            raise ModelError(f'{path}: line {n + 2} has {len(r)} fields where the header has {width}; fix the partition.')
    feeds = {}
    for c in columns:
        j = index[c['name']]
        if c['type'] == 'double':
            try:
                feeds[c['name']] = np.array([float(r[j]) if r[j].strip() else math.nan for r in rows], dtype=np.float64)
                continue
            except ValueError:
                pass  # the row-by-row pass below names the first bad value
            values = np.empty(len(rows), dtype=np.float64)
            for n, r in enumerate(rows):
                text = r[j].strip()
                if text == '':
                    values[n] = math.nan
                    continue
                try:
                    values[n] = float(text)
                except ValueError:
                    raise ModelError(f'{path}: line {n + 2}, column "{c["name"]}": "{r[j]}" is not a number (the model reads it as numeric); fix the value or leave it empty for missing.') from None
            feeds[c['name']] = values
        else:
            feeds[c['name']] = np.array([r[j] for r in rows], dtype=object)
    ids = [r[index[id_column]] for r in rows] if id_column is not None else list(range(len(rows)))
    return feeds, ids


def score_partition(path, out_dir, model_data, digest, runtime, id_column):
    """Scores one partition and writes OUT/NAME.scores.csv (through a temporary file renamed into place)."""
    started = time.perf_counter()
    model = _model_on_worker(model_data, digest, runtime)
    feeds, ids = read_partition(path, model.columns, id_column)
    result = model.run(feeds)
    scores = np.asarray(result['residual_score'], dtype=np.float32)
    flagged = result.get('residual_flagged')
    name = os.path.splitext(os.path.basename(path))[0]
    out = os.path.join(out_dir, f'{name}.scores.csv')
    tmp = f'{out}.{os.getpid()}.tmp'
    with open(tmp, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f)
        w.writerow(['row', 'score', 'flagged'])
        for i, rid in enumerate(ids):
            w.writerow([rid, repr(float(scores[i])), '' if flagged is None else ('true' if flagged[i] else 'false')])
    os.replace(tmp, out)
    return {'partition': path, 'out': out, 'rows': len(ids), 'flagged': int(np.count_nonzero(flagged)) if flagged is not None else None, 'seconds': time.perf_counter() - started}


def main(argv=None):
    p = argparse.ArgumentParser(description='Score a folder of CSV partitions on Dask distributed with a model Residual exported as ONNX.')
    p.add_argument('--model', required=True, help='the .onnx file from `residual export-model`')
    p.add_argument('--input', required=True, help='a folder of CSV partitions (*.csv), each with a header row')
    p.add_argument('--out', required=True, help='the folder for NAME.scores.csv per partition (created if missing)')
    where = p.add_mutually_exclusive_group()
    where.add_argument('--workers', type=int, default=2, help='worker processes of a LocalCluster on this machine (default 2)')
    where.add_argument('--scheduler', help='the address of a running Dask scheduler (a real cluster), e.g. tcp://host:8786')
    p.add_argument('--id-column', help='the column whose value identifies a row in the output (default: its index in the partition)')
    p.add_argument('--runtime', choices=['numpy', 'onnxruntime'], default='numpy', help='numpy (this recipe\'s evaluator) or onnxruntime (installed on the workers)')
    p.add_argument('--json', action='store_true', help='print the summary as one JSON object')
    args = p.parse_args(argv)

    try:
        with open(args.model, 'rb') as f:
            data = f.read()
    except OSError as e:
        print(f'dask_score: cannot read the model {args.model}: {e.strerror}. Export it with `residual export-model --out model.onnx`.', file=sys.stderr)
        return 2
    try:
        # Parse here first, so that a file we cannot evaluate is refused before a cluster starts.
        (OrtModel if args.runtime == 'onnxruntime' else NumpyModel)(data, args.model)
    except ModelError as e:
        print(f'dask_score: {e}', file=sys.stderr)
        return 2
    if not os.path.isdir(args.input):
        print(f'dask_score: --input {args.input} is not a folder; give the folder of CSV partitions.', file=sys.stderr)
        return 2
    parts = sorted(glob.glob(os.path.join(os.path.abspath(args.input), '*.csv')))
    if not parts:
        print(f'dask_score: {args.input} has no *.csv partitions.', file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 1:
        print('dask_score: --workers must be 1 or more.', file=sys.stderr)
        return 2
    out_dir = os.path.abspath(args.out)
    os.makedirs(out_dir, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()

    from distributed import Client, LocalCluster

    cluster = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        import logging

        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        workers = len(client.scheduler_info()['workers'])
        model_future = client.scatter(data, broadcast=True)
        started = time.perf_counter()
        futures = client.map(score_partition, parts, out_dir=out_dir, model_data=model_future, digest=digest, runtime=args.runtime, id_column=args.id_column, pure=False)
        try:
            results = client.gather(futures)
        except Exception as e:  # noqa: BLE001 - a worker's ModelError arrives as its own (pickled) class
            if type(e).__name__ != 'ModelError':
                raise
            print(f'dask_score: {e}', file=sys.stderr)
            return 2
        seconds = time.perf_counter() - started
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    rows = sum(r['rows'] for r in results)
    summary = {'partitions': len(results), 'rows': rows, 'workers': workers, 'seconds': seconds, 'rows_per_second': rows / seconds if seconds > 0 else None, 'runtime': args.runtime, 'out': out_dir, 'results': results}
    if args.json:
        print(json.dumps(summary))
    else:
        for r in results:
            print(f'{r["out"]}: {r["rows"]} rows')
        print(f'Scored {rows} rows in {len(results)} partitions on {workers} worker(s) in {seconds:.2f} s: {rows / seconds:,.0f} rows/s ({args.runtime}).')
    return 0


if __name__ == '__main__':
    sys.exit(main())
