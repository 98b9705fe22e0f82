# Sourced by ./boson and bench/run: find_jdk prints the newest JDK >= 21 (JAVA_HOME if it is one).
# The default java on many hosts is older; Boson needs 21+ to build and run.
# The JDK's release file answers without starting a JVM (a start costs a good part of a second on a busy machine).
java_major() {
  local v
  v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null)"
  if [ -n "$v" ]; then echo "$v"; return; fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1
}

find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
    echo "$JAVA_HOME"; return
  fi
  local best="" best_v=0 dir v
  for dir in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -x "$dir/bin/javac" ] || continue
    v="$(java_major "$dir" 2>/dev/null || echo 0)"
    if [ "${v:-0}" -ge 21 ] 2>/dev/null && [ "$v" -gt "$best_v" ]; then best="$dir"; best_v="$v"; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null; then
    dir="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    v="$(java_major "$dir" 2>/dev/null || echo 0)"
    [ "${v:-0}" -ge 21 ] 2>/dev/null && best="$dir"
  fi
  if [ -z "$best" ]; then
    echo "${0##*/}: no JDK 21 or newer found. Install one (e.g. Temurin 21+) or set JAVA_HOME to it." >&2
    exit 1
  fi
  echo "$best"
}

