# syntax=docker/dockerfile:1
# Vaultward as a container image: the wheel installed into a venv whose dependencies are
# exactly those uv.lock records (extras postgres and pdf), on python:3.11-slim with only the
# libraries WeasyPrint loads at run time. No compiler, no uv, no pip in the final image.
#   docker build -t vaultward:0.1.0 .
#   docker run --rm vaultward:0.1.0 --help
# The same base image in both stages: the venv's python links to /usr/local/bin/python3.11.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
# The installer that reads uv.lock, pinned as in dev.sh (UV_VERSION).
ARG UV_VERSION=0.13.9
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1
RUN python -m pip install "uv==${UV_VERSION}"
WORKDIR /src
# Dependencies first, so this layer is rebuilt only when the lock changes. --locked refuses
# a uv.lock that no longer matches pyproject.toml; --no-dev: no dependency group either.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --extra postgres --extra pdf --no-install-project
# Then the project itself, built as a wheel and installed into the venv (not editable: the
# venv must not need /src, which stays in this stage).
COPY . .
RUN uv sync --locked --no-dev --extra postgres --extra pdf --no-editable \
    && uv pip check --python /opt/venv/bin/python \
    && /opt/venv/bin/vaultward --help >/dev/null

FROM ${PYTHON_IMAGE}
# WeasyPrint's run-time libraries as its documentation lists them for Debian (Pango, its
# FreeType backend, HarfBuzz subsetting) and the fonts the report's CSS names (DejaVu).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# A fixed, unprivileged uid, so volume ownership is the same on every host.
ARG VAULTWARD_UID=10001
RUN groupadd --system --gid "${VAULTWARD_UID}" vaultward \
    && useradd --system --uid "${VAULTWARD_UID}" --gid vaultward --create-home \
        --home-dir /home/vaultward --shell /usr/sbin/nologin vaultward \
    && mkdir -p /var/lib/vaultward /etc/vaultward \
    && chown vaultward:vaultward /var/lib/vaultward
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
USER vaultward
# The data dir: relative [store] data_dir and [report] out_dir land here (reports, and the
# SQLite store when no VAULTWARD_DATABASE_URL is set). Mount a volume on it.
WORKDIR /var/lib/vaultward
VOLUME ["/var/lib/vaultward"]
EXPOSE 8501
# The dashboard's health endpoint (slim has no curl). Other commands (worker, queue-worker)
# override it: see docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4).status != 200)"]
ENTRYPOINT ["vaultward"]
# Beyond loopback the dashboard needs a login (OIDC or VAULTWARD_DASHBOARD_PASSWORD), else
# it refuses to start (exit 2): it is never served open.
CMD ["serve", "--address", "0.0.0.0"]
