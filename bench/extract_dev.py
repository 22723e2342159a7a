"""Extraction speed on real texts: `extract_many` against raw `nlp.pipe` of the full model, on a labelled corpus.

    .venv/bin/python bench/extract_dev.py --corpus ../shared/corpus/dev [--repeat 3]

The synthetic bench (bench/run.py) gives the guard rail's ratio on its mix; this gives it on real documents,
which are longer and denser in deal sentences.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, required=True, help="directory of NAME.txt (dev format)")
    p.add_argument("--repeat", type=int, default=3, help="alternated passes of each side; the median is printed")
    args = p.parse_args(argv)

    import spacy

    from extractors import build_nlp, extract_many, model_name
    from extractors.learning.corpus import read_text_file

    texts = [read_text_file(path) for path in sorted(args.corpus.glob("*.txt"))]
    if not texts:
        print(f"{args.corpus}: no .txt documents", file=sys.stderr)
        return 1
    nlp = build_nlp()
    name = model_name(nlp).split()[0]
    raw = spacy.load(name)  # every component the model ships, as a user would run it
    extract_many(texts[:3], nlp), list(raw.pipe(texts[:3]))  # warm up
    ours, theirs = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        extract_many(texts, nlp)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in raw.pipe(texts, batch_size=32):
            pass
        theirs.append(time.perf_counter() - start)
    chars = sum(len(t) for t in texts)
    mine, full = statistics.median(ours), statistics.median(theirs)
    print(f"{len(texts)} documents, {chars:,} characters, model {model_name(nlp)}")
    print(f"  extract_many:        {mine:6.2f} s  ({len(texts) / mine:6.1f} docs/s)")
    print(f"  raw nlp.pipe (full): {full:6.2f} s  ({len(texts) / full:6.1f} docs/s)")
    print(f"  speed-up: {full / mine:.1f}x (the >= 10x guard rail is on the bench's mix, mostly documents without "
          f"a deal: bench/run.py; real deal texts route most sentences to the model)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
