#!/usr/bin/env bash
# Set-up and everyday commands. Each one creates .venv and installs what it needs first.
#   ./dev.sh demo [--port 8501] [--no-serve]   the demo: seeded AWS emulator -> collectors -> dashboard
#   ./dev.sh test [pytest args]                the whole test suite, on SQLite and PostgreSQL
#   ./dev.sh lint                              ruff and mypy
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PY="$VENV/bin/python"

ensure_venv() {
    local extras="$1" stamp
    if [ ! -x "$PY" ]; then
        python3 -m venv "$VENV"
    fi
    stamp="$VENV/.installed-$extras-$(sha256sum pyproject.toml | cut -c1-16)"
    if [ ! -f "$stamp" ]; then
        "$PY" -m pip install --quiet --upgrade pip
        "$PY" -m pip install --quiet -e ".[$extras]"
        touch "$stamp"
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

command="${1:-help}"
shift || true
case "$command" in
    demo)
        ensure_venv demo
        exec "$VENV/bin/vaultward" demo "$@"
        ;;
    test)
        ensure_venv dev
        ensure_system_packages
        ensure_postgres
        ensure_rabbitmq
        set +e
        "$PY" -m pytest "$@"
        status=$?
        set -e
        if [ "$status" = 5 ]; then
            echo "pytest collected no tests: treating as a failure" >&2
            exit 1
        fi
        exit "$status"
        ;;
    lint)
        ensure_venv dev
        "$VENV/bin/ruff" check .
        "$VENV/bin/ruff" format --check .
        "$VENV/bin/mypy"
        ;;
    *)
        sed -n '2,6p' "$0"
        exit 2
        ;;
esac
