# Shared paths and settings of the platform scripts (sourced, not run).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VAR="${SOCIOGRAPH_VAR_DIR:-$ROOT/var}"
VENV="${SOCIOGRAPH_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
LOG_DIR="$VAR/log"
PID_DIR="$VAR/run"
mkdir -p "$LOG_DIR" "$PID_DIR"

say() { printf '[sociograph] %s\n' "$*"; }
die() { printf '[sociograph] error: %s\n' "$*" >&2; exit 1; }

# is_running PIDFILE: the process named in PIDFILE is alive.
is_running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile NAME PIDFILE: TERM, wait up to 30 s, then KILL.
stop_pidfile() {
  local name=$1 pidfile=$2 pid
  if ! is_running "$pidfile"; then rm -f "$pidfile"; say "$name: not running"; return 0; fi
  pid=$(cat "$pidfile")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  rm -f "$pidfile"
  say "$name: stopped"
}

# port_in_use PORT
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then die "missing system packages ($*); install them: sudo apt-get install $*"; fi
  if [ ! -f "$VAR/.apt-updated" ]; then apt-get update -q >"$LOG_DIR/apt.log" 2>&1 && touch "$VAR/.apt-updated"; fi
  say "installing $* (apt)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >>"$LOG_DIR/apt.log" 2>&1 \
    || die "apt-get install $* failed; see $LOG_DIR/apt.log"
}
