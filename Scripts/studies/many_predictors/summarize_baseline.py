import json, numpy as np, glob
from gen_data import PN, SEEDS
rows = []
print('| data | p/n | alpha (s1,s2,s3) | c | sigma_hat(MAD) | flagged | true outliers flagged | converged |')
print('|---|---|---|---|---|---|---|---|')
for contam in ('g', 'c'):
    for pn in PN:
        A, C, S, F, T, CV = [], [], [], [], [], []
        for s in SEEDS:
            d = json.load(open(f'out_rf/{contam}_pn{pn}_s{s}.json'))
            out = np.load(f'data/{contam}_pn{pn}_s{s}_out.npy')
            A.append(d['alpha']); C.append(d['scale']); S.append(d['sigma']); F.append(d['outlier_count'])
            fl = np.zeros(1000, bool); fl[np.array(d['outliers'], int) - (1 if min(d['outliers'] or [1]) >= 1 else 0)] = True
            T.append(int((fl & out).sum())); CV.append(d['converged'])
        f = lambda v: ','.join('%.2f' % x for x in v)
        print(f"| {'gauss' if contam=='g' else '10% out'} | {pn} | {f(A)} | {f(C)} | {f(S)} | {','.join(map(str,F))} | {','.join(map(str,T)) if contam=='c' else '-'} | {''.join('y' if c else 'n' for c in CV)} |")
