# Shared helper for the scripts: installs a missing tool from Debian's packages. Source it; don't run it.

# ensure_command COMMAND [PACKAGE]: installs PACKAGE (default: COMMAND) with apt-get when COMMAND is not on the PATH.
ensure_command() {
  local command=$1 package=${2:-$1}
  if command -v "$command" >/dev/null 2>&1; then return 0; fi
  echo "$command not found: installing $package (apt-get)..." >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$package" >/dev/null
}
