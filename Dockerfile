# Multi-stage build: the SDK compiles and publishes, the ASP.NET runtime image runs it as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/Rewards.Api/Rewards.Api.csproj src/Rewards.Api/
RUN dotnet restore src/Rewards.Api/Rewards.Api.csproj
COPY src/ src/
RUN dotnet publish src/Rewards.Api/Rewards.Api.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
# The official images define the unprivileged 'app' user (APP_UID).
USER $APP_UID
ENTRYPOINT ["dotnet", "Rewards.Api.dll"]
