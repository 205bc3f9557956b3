# Builds notecheck/data/words.txt from Debian's wdutch (OpenTaal).
MINPART=4
import unicodedata, sys
def fold(s):
    return ''.join(c for c in unicodedata.normalize('NFD',s.lower()) if unicodedata.category(c)!='Mn')
low=set()
for w in open('/usr/share/dict/dutch',encoding='utf-8').read().split('\n'):
    if not w or not w[0].islower() or ' ' in w or '.' in w or any(c.isdigit() for c in w): continue
    f=fold(w).replace('\u2019',"'")
    if not f.isascii(): continue
    low.add(f)
kept=set()
def ordinary(w,depth):
    if w in kept: return True
    if depth==0 or len(w)<2*MINPART: return False
    for i in range(MINPART,len(w)-MINPART+1):
        a,b=w[:i],w[i:]
        if not ordinary(b,depth-1): continue
        if a in kept: return True
        for link in ('s','e','en'):
            if a.endswith(link) and len(a)-len(link)>=MINPART and a[:-len(link)] in kept: return True
    return False
for w in sorted(low,key=lambda x:(len(x),x)):
    if not ordinary(w,3): kept.add(w)
print(len(low),len(kept),file=sys.stderr)
print('# Ordinary Dutch words, lower case, folded (no accents): the words of OpenTaal\'s')
print('# list (Debian package wdutch 1:2.20.19, /usr/share/dict/dutch) that start with a')
print('# lower-case letter, less the compounds that notecheck recognises from their')
print('# parts (see README.md). Licence: BSD or CC BY 3.0, as OpenTaal distributes it.')
for w in sorted(kept): print(w)
