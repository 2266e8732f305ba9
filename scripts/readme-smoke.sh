#!/usr/bin/env bash
# The newcomer path, proven: from a fresh clone, run the README's start command exactly as written, then
# every curl and `npm run mock` example of the README, and fail if any of them does not work as written.
# (The README's test command is what .ci/run itself runs.) Needs port 8000 free, as the README says.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/hookscope-readme-XXXXXX)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM -- "-$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Code blocks of the README, numbered, in a form bash can source: one file per ```sh block.
git clone -q "$repo" "$work/clone"
cd "$work/clone"
python3 - "$work" <<'PY'
import re, sys
work = sys.argv[1]
blocks = re.findall(r"```sh\n(.*?)```", open("README.md").read(), re.S)
start = [b for b in blocks if "npm start" in b]
examples = [b for b in blocks if "curl" in b or "npm run mock" in b]
assert len(start) == 1, "the README must have exactly one start command block"
assert examples, "the README has no curl examples"
open(f"{work}/start.sh", "w").write(start[0])
for i, block in enumerate(examples):
    open(f"{work}/example-{i:02d}.sh", "w").write(block)
PY
if curl -s -o /dev/null http://127.0.0.1:8000/healthz; then echo "FAIL: port 8000 is already in use"; exit 1; fi

echo "== README start command: $(grep -v '^\s*$' "$work/start.sh" | head -1)"
setsid bash "$work/start.sh" >"$work/start.log" 2>&1 &
server_pid=$!
# npm ci and the build come first: allow them up to 25 minutes on a slow, shared machine.
deadline=$((SECONDS + 1500))
while [ "$SECONDS" -lt "$deadline" ]; do
  curl -fs http://127.0.0.1:8000/healthz >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { tail -40 "$work/start.log"; echo "FAIL: the start command exited"; exit 1; }
  sleep 0.5
done
curl -fs http://127.0.0.1:8000/healthz >/dev/null || { tail -40 "$work/start.log"; echo "FAIL: not healthy"; exit 1; }
curl -fs http://127.0.0.1:8000/dashboard/ | grep -q '<div id="root"' || { echo "FAIL: no dashboard"; exit 1; }
curl -fs http://127.0.0.1:8000/graphiql | grep -q '<div id="root"' || { echo "FAIL: no query IDE at /graphiql"; exit 1; }
echo "   healthy, dashboard and query IDE served"

failed=0
for example in "$work"/example-*.sh; do
  echo "== README example: $(grep -v '^\s*$' "$example" | head -1 | cut -c1-100)"
  if ! out=$(bash -e "$example" 2>"$work/stderr.log"); then echo "$out" | tail -5; tail -5 "$work/stderr.log"; echo "   FAIL: exit code"; failed=1; continue; fi
  if echo "$out" | grep -Eq '^HTTP/[0-9.]+ [^2]'; then echo "$out" | grep -E '^HTTP/'; echo "   FAIL: non-2xx answer"; failed=1; continue; fi
  # A GraphQL error list, or a REST error answer: not a field named "error" inside data (a delivery's).
  if echo "$out" | grep -Eq '"errors": *\[|^\{ *"error":'; then echo "$out" | tail -3; echo "   FAIL: error in answer"; failed=1; continue; fi
  echo "   ok"
done
if [ "$failed" != 0 ]; then echo "--- server output (tail)"; tail -30 "$work/start.log"; exit 1; fi
echo "README start command and examples: all work as written"
