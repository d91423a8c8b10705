#!/bin/sh
# A new user's first ten minutes, as the README's "Quick start" and "Start your own
# explainer" tell them: a fresh clone, make build, their own site.yaml, actor and article,
# then the preview, showing the draft. Every command below marked "README:" stands in the
# README word for word (tests/test_newcomer.py checks that), so the two cannot drift apart.
# Usage: tools/newcomer.sh REPOSITORY WORK-FOLDER; prints the preview's address of the article.
set -eu
repository=$1
work=$2
git clone -q "$repository" "$work/explainer"
cd "$work/explainer"
make build                                                  # README: make build
# 2. site.yaml: the title and the address the site will have
sed -i 's|^title: .*|title: "Harbour watch"|; s|^base_url: .*|base_url: https://newsroom.github.io/harbour/|' site.yaml
# 3. the demo's files out, the editor's own in
rm content/articles/* content/actors/*
.venv/bin/explainer new actor "Zhao Lijian" --kind person   # README: .venv/bin/explainer new actor "Zhao Lijian" --kind person
.venv/bin/explainer new article "Russia asks China for aid" # README: .venv/bin/explainer new article "Russia asks China for aid"
article=content/articles/russia-asks-china-for-aid.md
# the editor fills in a source, a quote and the text, as the file's comments show
sed -i 's|^sources: \[\]|sources:\n  - publisher: Example Wire|; s|^quotes: \[\]|quotes:\n  - speaker: zhao-lijian\n    text: "We said what we said."|' "$article"
printf '\n[[zhao-lijian]] said: "We said what we said."\n' >> "$article"
make check                                                  # README: make check
# 4. the preview, drafts included
.venv/bin/explainer serve --port 0 > serve.log 2>&1 &       # README: --port 0
echo $! > serve.pid
while ! grep -q "^Serving on " serve.log; do
    kill -0 "$(cat serve.pid)" 2>/dev/null || { cat serve.log; exit 1; }
    sleep 0.2
done
echo "$(sed -n 's/^Serving on //p' serve.log)articles/russia-asks-china-for-aid/"
