# Shared helpers for the scripts that run the app under Xvfb (sourced, not run).

# Starts Xvfb on a free display and exports DISPLAY; the caller's EXIT trap should call stop_xvfb.
start_xvfb() {
  local n
  for n in $(seq 90 140); do
    if [ ! -e "/tmp/.X${n}-lock" ] && [ ! -e "/tmp/.X11-unix/X${n}" ]; then
      Xvfb ":$n" -screen 0 "${XVFB_SIZE:-1400x900x24}" -nolisten tcp >/dev/null 2>&1 &
      XVFB_PID=$!
      export DISPLAY=":$n"
      for _ in $(seq 50); do xdpyinfo >/dev/null 2>&1 && return 0; sleep 0.1; done
      echo "Xvfb did not start on :$n" >&2; return 1
    fi
  done
  echo "no free X display" >&2; return 1
}

stop_xvfb() { [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null; wait "${XVFB_PID:-}" 2>/dev/null || true; }

# A free TCP port on 127.0.0.1.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits until a window whose name contains $1 is mapped (up to $2 seconds).
wait_window() {
  local i
  for i in $(seq $(( ${2:-20} * 10 ))); do
    xwininfo -root -tree 2>/dev/null | grep -q "\"$1" && return 0
    sleep 0.1
  done
  return 1
}
