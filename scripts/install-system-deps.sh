#!/usr/bin/env bash
# Debian packages LMR Studio needs: Python venv, X virtual framebuffer, Mesa OpenGL/EGL and the
# xcb libraries Qt's xcb platform plugin loads; Node.js and npm for the tests' Khronos glTF
# validator (tools/gltf-validator). Installs only what is missing; idempotent.
set -euo pipefail
pkgs=(python3-venv xvfb xauth libgl1 libegl1 libgl1-mesa-dri libglx-mesa0 libopengl0 libglu1-mesa
      libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
      libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0
      libxrender1 libxi6 libsm6 libice6 libfontconfig1 libdbus-1-3 libegl-mesa0 fonts-dejavu-core)
missing=()
command -v node >/dev/null || missing+=(nodejs)   # a Node.js from elsewhere (e.g. nodesource) will do
command -v npm >/dev/null || missing+=(npm)
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
