#!/usr/bin/env bash
# Builds dist/: the Linux .deb, the Windows .msi, and SHA256SUMS.
# Needs (Debian): imagemagick, dpkg-dev, gcc-mingw-w64-x86-64, wixl; cargo-deb
# (`cargo install cargo-deb`); the Rust target x86_64-pc-windows-gnu.
# `.ci/run` installs all of these. Usage: packaging/build.sh [--linux-only]
set -euo pipefail
cd "$(dirname "$0")/.."
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
mkdir -p dist
rm -f dist/*.deb dist/*.msi dist/SHA256SUMS

echo "== icons (hicolor sizes from assets/icon.png)"
for size in 16 32 48 64 128 256; do
  dir=packaging/linux/icons/${size}x${size}
  mkdir -p "$dir"
  convert assets/icon.png -resize "${size}x${size}" -strip "$dir/org.hybridsetup.HybridSetup.png"
done

# The `dist` profile (Cargo.toml): the release profile with thin LTO and one
# codegen unit, for smaller installers.
echo "== Linux .deb"
cargo build --profile dist --locked
cargo deb --no-build --profile dist --output dist/

if [ "${1:-}" != "--linux-only" ]; then
  echo "== Windows .exe (x86_64-pc-windows-gnu) and .msi"
  cargo build --profile dist --locked --target x86_64-pc-windows-gnu
  exe="$target_dir/x86_64-pc-windows-gnu/dist/hybrid-setup.exe"
  # wixl wants source paths relative to the working folder.
  mkdir -p dist/stage
  x86_64-w64-mingw32-strip -o dist/stage/hybrid-setup.exe "$exe"
  wixl --arch x64 -D Version="$version" -D Exe=dist/stage/hybrid-setup.exe -D Icon=assets/icon.ico \
    -o "dist/hybrid-setup-$version-x64.msi" packaging/windows/hybrid-setup.wxs
  mv dist/stage/hybrid-setup.exe "dist/hybrid-setup-$version-x64.exe"
  rmdir dist/stage
fi

(cd dist && sha256sum -- * > SHA256SUMS.tmp && grep -v SHA256SUMS SHA256SUMS.tmp > SHA256SUMS && rm SHA256SUMS.tmp)
ls -l dist/
