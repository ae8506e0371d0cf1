"""Runs ../shared/bench/reference.py's own code for its iforest and ecod detectors (torch stubbed: not used by them) at
seeds 0..SEEDS-1, and prints one JSON object: reference.py's output per seed and ECOD's per-row scores (seed 0).
Usage: classical-reference.py REFERENCE SEEDS CSV LABEL POSITIVE [--drop COL]"""
import contextlib, io, json, sys, types
import numpy as np

sys.modules.setdefault('torch', types.ModuleType('torch'))
ref, seeds, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
code = compile(open(ref).read(), ref, 'exec')
runs = []
for seed in range(seeds):
    sys.argv = [ref, *args, '--detectors', 'iforest,ecod', '--seed', str(seed)]
    g = {'__name__': '__main__'}
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            exec(code, g)
        except SystemExit:
            pass
    runs.append(g)
print(json.dumps({'runs': [g['out'] for g in runs], 'ecod': runs[0]['ecod'](runs[0]['X'].astype(np.float64)).tolist()}))
