# One image for every Switchboard program. The command picks it:
#   docker run IMAGE conditions-api | controller | mctl ... | stack ... | sandbox-bmcs ...
#
#   docker build -t switchboard .                         # from the public Node 20 image
#   docker build --build-arg BASE_IMAGE=switchboard-base:local -t switchboard .
#                                                         # no registry: deploy/local-base-image.sh
#   docker build --target sandbox-bmcs -t switchboard-sandbox-bmcs .   # + simulated BMCs
#
# BASE_IMAGE must be Debian-based with Node 20 and npm (node:20-bookworm-slim or the local
# base). NPM_CACHE (optional) names a directory of the build context holding an npm cache
# with every package of package-lock.json: npm ci then runs --offline from it, for builds that
# must not reach the registry (the CI container test builds with --network none).
ARG BASE_IMAGE=node:20-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
COPY . .
ARG NPM_CACHE=
RUN set -eu; \
    if [ -n "$NPM_CACHE" ]; then offline="--offline --cache $NPM_CACHE"; else offline=""; fi; \
    npm ci --no-audit --no-fund $offline; \
    npm run build; \
    npm prune --omit=dev --no-audit --no-fund $offline; \
    # What the runtime needs: each workspace's package.json, dist (without types and maps)
    # and assets, the production node_modules (workspace links included) and the examples.
    mkdir -p /out; \
    cp -a package.json node_modules examples /out/; \
    for p in libs/* apps/*; do \
      mkdir -p "/out/$p"; cp "$p/package.json" "/out/$p/"; \
      cp -a "$p/dist" "/out/$p/"; \
      if [ -d "$p/assets" ]; then cp -a "$p/assets" "/out/$p/"; fi; \
    done; \
    find /out/libs /out/apps -name '*.d.ts' -delete -o -name '*.map' -delete; \
    rm -rf /out/node_modules/.cache /out/node_modules/.package-lock.json "${NPM_CACHE:-/nonexistent}"

FROM ${BASE_IMAGE} AS runtime
# ipmitool for the IPMI driver, tini as PID 1 (signals reach Node, zombies are reaped),
# procps for the example commands. Installed only when the base lacks them: the local base
# image carries them already, so building on it downloads nothing.
RUN set -eu; missing=""; \
    for p in ipmitool tini procps; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done; \
    if [ -n "$missing" ]; then \
      apt-get update && apt-get install -y --no-install-recommends $missing && \
      rm -rf /var/lib/apt/lists/*; \
    fi; \
    groupadd --system --gid 10001 switchboard; \
    useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/switchboard --create-home \
      --shell /usr/sbin/nologin switchboard; \
    # Mount points, owned by the user so that a new volume mounted there is too: generated
    # secrets, state (simulated BMCs), the demo platform's shared files.
    install -d -o 10001 -g 10001 -m 0700 /var/lib/switchboard/secrets; \
    # NATS credentials (docker-compose.yml): the generator's own, the servers', and one
    # directory per role, so that each container mounts only its own.
    install -d -o 10001 -g 10001 -m 0700 /var/lib/switchboard/nats-credentials \
      /var/lib/switchboard/nats-auth /var/lib/switchboard/nats-api \
      /var/lib/switchboard/nats-controller; \
    install -d -o 10001 -g 10001 /var/lib/switchboard/data /var/lib/switchboard/demo
WORKDIR /app
COPY --from=build /out/ /app/
COPY deploy/image/switchboard /usr/local/bin/switchboard
RUN for c in conditions-api controller mctl stack sandbox-bmcs nats-credentials; do \
      ln -s switchboard "/usr/local/bin/$c"; \
    done
ENV NODE_ENV=production
# Numeric, so Kubernetes' runAsNonRoot can check it.
USER 10001:10001
# API 9001, controller health and metrics 9464.
EXPOSE 9001 9464
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/switchboard"]
CMD ["conditions-api"]

# The runtime plus OpenIPMI's ipmi_sim: the sandbox's simulated BMCs in a container of their own.
FROM runtime AS sandbox-bmcs
USER root
RUN set -eu; \
    if ! dpkg -s openipmi >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends openipmi && \
      rm -rf /var/lib/apt/lists/*; \
    fi
USER 10001:10001
CMD ["sandbox-bmcs"]

# The default target: the runtime image.
FROM runtime
