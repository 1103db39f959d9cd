import numpy as np
from barron import *
print("Lq-limit efficiency (k->0.02) and k95 vs alpha")
for a in [-np.inf,-20,-8,-4,-2,-1,-0.5,0,0.25,0.5,0.75,1,1.2,1.4,1.5,1.55,1.6,1.65,1.7,1.8,1.9,1.99]:
    print(f"{a:7.2f} eff(k=0.02)={eff(a,0.02):.4f} eff(k=0.5)={eff(a,0.5):.4f} eff(k=1)={eff(a,1.0):.4f} k95={k95(a):.4f}")
# monotonicity check of eff in k
for a in [1.0,1.4,1.5,1.6,1.7]:
    ks=np.linspace(0.02,5,200); e=np.array([eff(a,k) for k in ks])
    print(a, "eff monotone in k:", np.all(np.diff(e)>-1e-9), "min", e.min())
# classical checks
p,dp,w=huber_fns(1.345); print("huber 1.345 eff", eff_fns(p,dp,1.0))
p,dp,w=tukey_fns(); print("tukey 4.685 eff", eff_fns(p,dp,4.685))
from scipy.optimize import brentq
a0=brentq(lambda a: eff(a,0.02)-0.95,1.4,1.9); print("alpha* where Lq-limit eff=0.95:",a0)
