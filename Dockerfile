# Drover's control plane as a non-root container image.
#   docker build -t drover:latest .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Drover/Drover.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# The image's unprivileged `app` user (uid 1654); state, backups and runner work directories live in /var/lib/drover.
RUN mkdir -p /var/lib/drover && chown 1654:1654 /var/lib/drover
USER 1654:1654
ENV DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 8080
ENTRYPOINT ["dotnet", "/app/drover.dll"]
CMD ["serve", "--urls", "http://0.0.0.0:8080"]
