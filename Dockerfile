# Drover's control plane as a non-root container image: `drover` published self-contained as one file (the same
# publish as README.md "Install") on the runtime-deps base, which has no .NET runtime or SDK.
#   docker build -t drover:latest \
#     --build-arg VERSION=1.0.0 --build-arg REVISION=$(git rev-parse HEAD) .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# Set by BuildKit from --platform (amd64 or arm64); dotnet publish takes both names.
ARG TARGETARCH=amd64
WORKDIR /src
COPY . .
RUN dotnet publish src/Drover/Drover.csproj -c Release --os linux --arch "$TARGETARCH" --self-contained \
      -p:PublishSingleFile=true -o /app --nologo

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
ARG VERSION=dev
ARG REVISION=unknown
ARG SOURCE=https://github.com/drover/drover
# No license file in the repository yet: NOASSERTION (SPDX) until there is one.
ARG LICENSES=NOASSERTION
LABEL org.opencontainers.image.title="drover" \
      org.opencontainers.image.description="Drover: one control plane for self-hosted GitHub Actions and GitLab CI runner fleets" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="${LICENSES}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
WORKDIR /app
COPY --from=build /app/drover /app/drover
# The image's unprivileged `app` user (uid 1654); state, backups and runner work directories live in /var/lib/drover.
RUN mkdir -p /var/lib/drover && chown 1654:1654 /var/lib/drover
USER 1654:1654
# The single file extracts its SQLite native library on first start; /tmp is writable under the chart's read-only root.
ENV DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_BUNDLE_EXTRACT_BASE_DIR=/tmp/.net
EXPOSE 8080
ENTRYPOINT ["/app/drover"]
CMD ["serve", "--urls", "http://0.0.0.0:8080"]
