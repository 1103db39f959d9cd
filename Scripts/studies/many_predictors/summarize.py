import json, glob, numpy as np, collections, sys
R = [json.load(open(f)) for f in glob.glob('results/*.json')]
D = collections.defaultdict(list)
for r in R: D[(r['contam'], r['method'], r['pn'])].append(r)
meths = ['none', 'post', 'lev', 'loo_w', 'loo_m', 'reml_c', 'reml_cz', 'lap_w', 'lap_d']
def fmt(v, f='%.2f'): return ','.join(f % x for x in v)
for contam in (False, True):
    print(f"\n### {'10 % gross outliers (y + U(10,40))' if contam else 'Gaussian noise, sigma = 1'}\n")
    print('| method | p/n | alpha (per seed) | c | flagged raw | flagged lev | flagged loo |' + (' TP raw/lev/loo (of 100) |' if contam else ''))
    print('|---|---|---|---|---|---|---|' + ('---|' if contam else ''))
    for m in meths:
        for pn in sorted({k[2] for k in D if k[0] == contam}):
            src = 'none' if m == 'post' else m
            rs = sorted(D.get((contam, src, pn), []), key=lambda r: r['seed'])
            if not rs: continue
            a = [r['alpha'] for r in rs]; c = [r['c'] * (np.sqrt(1 / (1 - pn)) if m == 'post' else 1) for r in rs]
            line = f"| {m} | {pn} | {fmt(a)} | {fmt(c)} | {fmt([r['flag_raw'] for r in rs], '%d')} | {fmt([r['flag_lev'] for r in rs], '%d')} | {fmt([r['flag_loo'] for r in rs], '%d')} |"
            if contam: line += f" {fmt([r['tp_raw'] for r in rs], '%d')} / {fmt([r['tp_lev'] for r in rs], '%d')} / {fmt([r['tp_loo'] for r in rs], '%d')} |"
            print(line)
