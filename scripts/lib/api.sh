# Shared helpers for scripts that run the API as a separate Release process. Source it after lib/redis.sh.

# start_api PORT REDIS_PORT WORKDIR [SIGNING_KEY_FILE]: runs the Release build (API_DLL, default this tree's) in the background (Production settings),
# waits until ready. The signing key file (default WORKDIR/signing-key.pem) is created when missing: start one instance
# first, then give the others the same file and they accept each other's tokens.
start_api() {
  local port=$1 redis_port=$2 dir=$3 key=${4:-$3/signing-key.pem}
  mkdir -p "$dir"
  ConnectionStrings__Redis="127.0.0.1:$redis_port" \
  ASPNETCORE_ENVIRONMENT=Production \
  Logging__LogLevel__Default=Warning \
  Rewards__Admin__ClientId=bench-operator \
  Rewards__Admin__ClientSecret=bench-operator-secret-0123456789 \
  Rewards__Auth__SigningKeyPath="$key" \
  Rewards__Auth__CreateSigningKey=true \
  Rewards__RateLimit__PermitsPerSecond=1000000 \
  Rewards__RateLimit__Burst=1000000 \
  Rewards__RateLimit__TokenPermitsPerSecond=1000 \
  Rewards__RateLimit__TokenBurst=1000 \
    dotnet "${API_DLL:-src/Rewards.Api/bin/Release/net10.0/Rewards.Api.dll}" --urls "http://127.0.0.1:$port" >"$dir/api.log" 2>&1 &
  echo $! >"$dir/api.pid"
  for _ in $(seq 1 150); do
    if curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "API did not become ready; see $dir/api.log" >&2; return 1
}

stop_api() {
  local pidfile="$1/api.pid"
  if [ -f "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; wait "$(cat "$pidfile")" 2>/dev/null || true; fi
}

# json_field NAME: reads JSON on stdin and prints the string value of a top-level field.
json_field() { tr -d ' \n' | sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

# api_token URL CLIENT_ID SECRET
api_token() {
  curl -s "$1/connect/token" -d grant_type=client_credentials -d "client_id=$2" -d "client_secret=$3" | json_field access_token
}
