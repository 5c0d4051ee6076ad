# Shell functions shared by the HTTP benchmarks (bench/httpd.sh, bench/idle.sh); sourced.

# A free TCP port on the host's loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits up to two minutes for URL $1 to answer; stops the benchmark if it never does.
wait_http() {
  for _ in $(seq 1 600); do
    curl -s -m 2 -o /dev/null "$1" && return 0
    sleep 0.2
  done
  echo "$(basename "$0"): $1 never answered" >&2
  exit 1
}
