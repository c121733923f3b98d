# Shared helpers for the scripts: install and start a local redis-server. Source it; don't run it.
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

# Installs redis-server (with redis-cli) from Debian's packages when it is missing.
ensure_redis_server() { ensure_command redis-server; }

# program_key PROGRAM [SUFFIX]: a key of the program as RedisKeys (src/Rewards.Api/Infrastructure/Redis/RedisKeys.cs) spells
# it, e.g. program_key p1 members -> rw:{p1}:members; the one spelling of the prefix in scripts/ (a .NET test checks it).
program_key() { printf 'rw:{%s}:%s' "$1" "${2:-}"; }

# free_port [BELOW]: prints a TCP port on 127.0.0.1 that nothing listens on, from 20,000 up to the kernel's ephemeral range
# (or BELOW - 1 when given): a port in that range may be the local end of an outgoing connection (or of one in TIME_WAIT
# after a load test's thousands of them), which a connect test does not see and a listener then fails to bind.
free_port() {
  local port low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 21000 ] 2>/dev/null || low=32768
  low=${1:-$low}
  for _ in $(seq 1 200); do
    port=$(( (RANDOM % (low - 20000)) + 20000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "no free port found" >&2; return 1
}

# start_redis PORT DIR [extra redis-server args...]: starts a daemonized redis-server, waits until it answers PONG
# (while it loads its AOF or RDB it answers LOADING, and redis-cli exits 0 for that too).
start_redis() {
  local port=$1 dir=$2; shift 2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" "$@"
  for _ in $(seq 1 300); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then return 0; fi
    sleep 0.1
  done
  echo "redis-server on port $port did not start; see $dir/redis.log" >&2; return 1
}

# stop_redis DIR: stops the redis-server started in DIR by its pid and waits until it has exited.
stop_redis() {
  local pidfile="$1/redis.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
}

# Prints a free port on 127.0.0.1 whose cluster bus port (port + 10000) is free too, both below the ephemeral range.
free_cluster_port() {
  local port low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 31000 ] 2>/dev/null || low=32768
  for _ in $(seq 1 50); do
    port=$(free_port $((low - 10000))) || return 1
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$((port + 10000))") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "no free port pair (port, port + 10000) found" >&2; return 1
}

# start_redis_cluster DIR COUNT [extra redis-server args...]: starts COUNT cluster-mode redis-servers on free loopback
# ports (one sub-directory DIR/node<i> each), makes them the masters of one cluster without replicas, and waits
# until every node reports cluster_state:ok. Prints the endpoints, comma-separated (a StackExchange.Redis
# connection string). Stop them with stop_redis_cluster DIR, also after a failure here.
start_redis_cluster() {
  local dir=$1 count=$2 port node i endpoint endpoints=() ok
  shift 2
  for i in $(seq 1 "$count"); do
    port=$(free_cluster_port) || return 1
    node="$dir/node$i"
    start_redis "$port" "$node" --cluster-enabled yes --cluster-config-file "$node/nodes.conf" \
      --cluster-node-timeout 5000 "$@" || return 1
    endpoints+=("127.0.0.1:$port")
  done
  if ! redis-cli --cluster create "${endpoints[@]}" --cluster-replicas 0 --cluster-yes >"$dir/create.log" 2>&1; then
    echo "redis-cli --cluster create failed:" >&2; cat "$dir/create.log" >&2; return 1
  fi
  for _ in $(seq 1 200); do
    ok=0
    for endpoint in "${endpoints[@]}"; do
      if redis-cli -p "${endpoint##*:}" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; then ok=$((ok + 1)); fi
    done
    if [ "$ok" -eq "$count" ]; then (IFS=,; echo "${endpoints[*]}"); return 0; fi
    sleep 0.1
  done
  echo "the redis cluster did not reach cluster_state:ok; see $dir/node*/redis.log" >&2; return 1
}

# stop_redis_cluster DIR: stops every node that start_redis_cluster started in DIR, by pid.
stop_redis_cluster() {
  local node
  for node in "$1"/node*/; do
    [ -d "$node" ] && stop_redis "${node%/}"
  done
  return 0
}
