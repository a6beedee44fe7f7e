#!/usr/bin/env bash
# Packs what the project's GPU device machines lack (they have CUDA but no Debian packages) into
# .devrun/pack.tar.xz: the programs built here, their Debian libraries, and Debian's Open MPI runtime
# (mpirun, its plugins and help files, PMIx), relocatable through OPAL_PREFIX / PMIX_PREFIX.
# On the device:  mkdir -p /opt/fxs && tar xJf .devrun/pack.tar.xz -C /opt/fxs && source /opt/fxs/env.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/release/bin}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib" "$stage/ompi/usr/bin" "$stage/ompi/usr/lib/x86_64-linux-gnu" "$stage/ompi/usr/share"
for p in fxs-worker fxs-bench fxs fxs-probe tst_GpuC2Accumulator tst_GpuRawRemap tst_GpuBinding; do
  [ -x "$bin/$p" ] && cp "$bin/$p" "$stage/bin/"
done
cp /usr/bin/orterun "$stage/ompi/usr/bin/" && ln -s orterun "$stage/ompi/usr/bin/mpirun"
cp /usr/bin/orted "$stage/ompi/usr/bin/"
cp -a /usr/lib/x86_64-linux-gnu/openmpi "$stage/ompi/usr/lib/x86_64-linux-gnu/"
cp -a /usr/share/openmpi "$stage/ompi/usr/share/"
cp -a /usr/lib/x86_64-linux-gnu/pmix2 "$stage/pmix2"
# HDF5's filter plugins (LZ4, bitshuffle: hdf5-filter-plugin, bitshuffle) for compressed CXI stacks
mkdir -p "$stage/plugins" && cp -L /usr/lib/x86_64-linux-gnu/hdf5/serial/plugins/*.so "$stage/plugins/"
rm -rf "$stage/pmix2/include" "$stage/ompi/usr/lib/x86_64-linux-gnu/openmpi/include"
# Every Debian library these need, except the C/C++ runtime and CUDA's own (the device has both).
skip='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread|libdl\.so|librt\.so|libstdc\+\+|libgcc_s|libcuda|libcudart|libcufft|libcublas|libnvidia)'
find "$stage/bin" "$stage/ompi" "$stage/pmix2" "$stage/plugins" -type f \( -perm -u+x -o -name '*.so*' \) -print0 |
  xargs -0 -n1 ldd 2>/dev/null | awk '$3 ~ /^\// {print $1, $3}' | sort -u |
  while read -r name path; do
    [[ $name =~ $skip ]] || cp -L "$path" "$stage/lib/$name"
  done
cat > "$stage/env.sh" <<'ENV'
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LD_LIBRARY_PATH=$here/lib:/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export OPAL_PREFIX=$here/ompi/usr PMIX_PREFIX=$here/pmix2 PATH=$here/bin:$here/ompi/usr/bin:$PATH
export HDF5_PLUGIN_PATH=$here/plugins
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1 OMPI_MCA_mtl=^ofi OMPI_MCA_osc=^ucx
ENV
mkdir -p "$root/.devrun"
tar cJf "$root/.devrun/pack.tar.xz" -C "$stage" .
ls -l "$root/.devrun/pack.tar.xz"
