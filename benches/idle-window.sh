#!/usr/bin/env bash
# CPU time and peak memory of the window while idle (a scripted whole-process run).
# usage: benches/idle-window.sh target/release/hybrid-setup   (needs xvfb)
set -u
bin=$1; home=$(mktemp -d)
Xvfb :71 -screen 0 1280x800x24 >/dev/null 2>&1 & x=$!; sleep 1
DISPLAY=:71 HYBRID_SETUP_HOME=$home "$bin" >/dev/null 2>&1 & p=$!
sleep 8
t0=$(awk '{print $14+$15}' /proc/$p/stat); sleep 30; t1=$(awk '{print $14+$15}' /proc/$p/stat)
hz=$(getconf CLK_TCK)
echo "idle CPU over 30 s: $(( (t1-t0) * 1000 / hz )) ms ($(awk -v d=$((t1-t0)) -v hz=$hz 'BEGIN{printf "%.2f", d/hz/30*100}')% of one core); RSS $(( $(awk '/VmHWM/{print $2}' /proc/$p/status) / 1024 )) MB peak"
kill $p $x; rm -rf "$home"
