#!/usr/bin/env bash
# Set-up and everyday commands. Each one creates .venv and installs what it needs first.
#   ./dev.sh demo [--port 8501] [--no-serve]   the demo: seeded AWS emulator -> collectors -> dashboard
#   ./dev.sh test [pytest args]                the whole test suite, on SQLite and PostgreSQL
#   ./dev.sh lint                              ruff, mypy and deptry (every import declared)
#   ./dev.sh deps-upgrade [pytest args]        newest allowed versions; uv.lock rewritten only if green
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY="$VENV/bin/python"
UV_VERSION=0.13.9  # the installer that reads uv.lock; bootstrapped into .uv/ by pip, nothing else
UV=.uv/bin/uv
export UV_PROJECT_ENVIRONMENT="$VENV" UV_PYTHON_DOWNLOADS=never UV_PYTHON="${UV_PYTHON:-python3}"

say() { printf '==> %s\n' "$*" >&2; }

ensure_uv() {
    if [ ! -x "$UV" ] || [[ "$("$UV" --version 2>/dev/null)" != "uv $UV_VERSION "* ]]; then
        say "Fetching uv $UV_VERSION, the installer that reads uv.lock (first run only)"
        if ! python3 -c 'import ensurepip' 2>/dev/null; then
            # Debian and Ubuntu ship venv's pip bootstrap separately.
            as_root apt-get update -qq
            DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq python3-venv >/dev/null
        fi
        python3 -m venv .uv
        .uv/bin/python -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION" || exit 1
    fi
}

ensure_venv() {
    # Installs exactly what uv.lock records (the versions CI tested), and the project itself
    # (editable). `--locked` refuses a lock that no longer matches pyproject.toml.
    local extra="$1"
    ensure_uv
    if [ "$extra" = demo ] && [ -f "$VENV/.synced-dev" ]; then
        extra=dev  # dev includes demo: don't remove the test tools to run the demo
    fi
    if [ ! -f "$VENV/.synced-$extra" ] || [ uv.lock -nt "$VENV/.synced-$extra" ] \
        || [ pyproject.toml -nt "$VENV/.synced-$extra" ]; then
        [ -x "$PY" ] || say "Creating the environment in $VENV and installing from uv.lock (first run only)"
        "$UV" sync --locked --extra "$extra" || exit 1
        rm -f "$VENV"/.synced-*
        touch "$VENV/.synced-$extra"
    fi
}

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "need root for: $*" >&2; return 1; fi
}

ensure_system_packages() {
    # Headless Chromium drives the dashboard in the browser tests; never `playwright install`.
    local missing=()
    command -v chromium >/dev/null || missing+=(chromium)
    command -v pdftotext >/dev/null || missing+=(poppler-utils)
    # WeasyPrint subsets the report's fonts with HarfBuzz; without it, fontTools' fallback
    # makes PDF bytes differ from run to run (the report's reproducibility test).
    ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing+=(libharfbuzz-subset0)
    if [ ${#missing[@]} -gt 0 ]; then
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

ensure_postgres() {
    # The PostgreSQL server on 127.0.0.1:5432 (trust auth); start it if it is installed but down.
    if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
        if command -v pg_ctlcluster >/dev/null; then
            as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
        fi
        for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
    pg_isready -h 127.0.0.1 -p 5432 >/dev/null || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
}

rabbitmq_up() {
    (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null
}

ensure_rabbitmq() {
    # The RabbitMQ server on 127.0.0.1:5672 (guest/guest) for the task-queue tests; start it
    # (installing Debian's package if missing) if it is down; it takes a few seconds to open its port.
    if ! rabbitmq_up; then
        local server
        server="$(command -v rabbitmq-server || echo /usr/sbin/rabbitmq-server)"
        if [ ! -x "$server" ]; then
            as_root apt-get update -qq
            DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq rabbitmq-server >/dev/null || true
        fi
        if [ -x "$server" ]; then
            as_root "$server" -detached || true
        fi
        for _ in $(seq 1 60); do rabbitmq_up && break; sleep 1; done
    fi
    rabbitmq_up || { echo "RabbitMQ is not reachable on 127.0.0.1:5672" >&2; exit 1; }
}

run_tests() {
    ensure_venv dev
    ensure_system_packages
    ensure_postgres
    ensure_rabbitmq
    local status=0
    # On every core (pytest-xdist); tests sharing an expensive session fixture (the demo run, the
    # served demo, the fresh venv) form one group, run by one worker (tests/conftest.py).
    # `-n 0` among the arguments runs it in this one process.
    "$PY" -m pytest -n "${VAULTWARD_TEST_WORKERS:-auto}" --dist loadgroup "$@" || status=$?
    if [ "$status" = 5 ]; then
        echo "pytest collected no tests: treating as a failure" >&2
        return 1
    fi
    return "$status"
}

run_lint() {
    # Chained, not left to `set -e`: deps-upgrade calls this inside a condition.
    ensure_venv dev
    "$VENV/bin/ruff" check . && "$VENV/bin/ruff" format --check . && "$VENV/bin/mypy" && "$VENV/bin/deptry" . \
        && "$VENV/bin/lint-imports" --no-cache --no-logo
}

deps_upgrade() {
    # Re-resolve every dependency to the newest version pyproject.toml allows, then lint and
    # run the whole suite on it; keep the new lock only if both are green.
    ensure_uv
    local before=.uv/uv.lock.before moved=.uv/uv.lock.moved
    cp uv.lock "$before"
    say "Resolving the newest allowed versions"
    "$UV" lock --upgrade 2>&1 | tee "$moved"
    if cmp -s uv.lock "$before"; then
        say "Nothing moved: uv.lock is already at the newest allowed versions"
        return 0
    fi
    # Whatever stops the run (a red suite, a service down, Ctrl-C) puts the tested lock back.
    trap 'cp "$before" uv.lock; say "Not green on the new versions: uv.lock put back as it was"' EXIT
    # A subshell: the set-up steps `exit` on failure, which must end only the attempt.
    if ( run_lint && run_tests "$@" ); then
        trap - EXIT
        say "Green on the new versions: uv.lock rewritten (review and commit it):"
        grep -E '^(Updated|Added|Removed) ' "$moved" >&2 || true
        return 0
    fi
    cp "$before" uv.lock
    trap - EXIT
    say "Not green on the new versions: uv.lock put back as it was"
    ensure_venv dev
    return 1
}

command="${1:-help}"
shift || true
case "$command" in
    demo)
        ensure_venv demo
        say "Starting the demo: seeded AWS emulator and vendor fakes -> collectors -> checks -> dashboard"
        exec "$VENV/bin/vaultward" demo "$@"
        ;;
    test)
        run_tests "$@"
        ;;
    lint)
        run_lint
        ;;
    deps-upgrade)
        deps_upgrade "$@"
        ;;
    *)
        sed -n '2,8p' "$0"
        exit 2
        ;;
esac
