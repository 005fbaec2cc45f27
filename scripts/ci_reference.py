import numpy as np, scipy.stats as st
from statsmodels.stats.proportion import proportion_confint
print("norm")
for c in [0.95,0.90,0.99,0.999]: print(c, repr(st.norm.ppf(0.5+c/2)))
print("t")
for c,df in [(0.95,1),(0.95,2),(0.95,9),(0.95,29),(0.99,4),(0.95,1000),(0.90,19),(0.95,7)]: print(c,df, repr(st.t.ppf(0.5+c/2,df)))
print("cdf", repr(st.norm.cdf(-1.0)))
print("wilson")
for k,n,c in [(8,10,.95),(0,10,.95),(10,10,.95),(0,1,.95),(1,1,.95),(3,7,.90),(65,100,.95),(13,20,.95)]:
    lo,hi = proportion_confint(k,n,alpha=1-c,method="wilson"); print(k,n,c,repr(lo),repr(hi))
print("t intervals")
for xs,c in [([2,4,4,4,5,5,7,9],.95),([1,2],.95),([10,12,9,11,13,8],.99),([1,1,1,1,1,0,0,0,-1,-1],.95)]:
    x=np.array(xs,float); lo,hi=st.t.interval(c,len(x)-1,loc=x.mean(),scale=st.sem(x)); print(xs,c,repr(lo),repr(hi))

# tests/fixtures/ci (tests/all/report.rs): per team and overall, at 95 %.
print("fixture")
for k, n in [(0, 5), (3, 3), (1, 1), (12, 19)]:
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson"); print("wilson", k, n, repr(100 * lo), repr(100 * hi))
scores = [2, 4, 4, 4, 5, 5, 7, 9] + [3] * 5 + [4] * 3 + [6]
x = np.array(scores, float); print("mean all", repr(x.mean()), st.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=st.sem(x)))
rec = [10] * 5 + [8] * 3 + [3] * 2 + [5] * 5 + [9] * 3 + [10]
s = np.array([1 if r >= 9 else -1 if r <= 6 else 0 for r in rec], float) * 100
print("nps all", repr(s.mean()), st.t.interval(0.95, len(s) - 1, loc=s.mean(), scale=st.sem(s)))
