#!/usr/bin/env bash
# Produces the engine's weight files (weights/<model>.mnv2, ignored by git) from the public
# TFLite models:
#   1. find each model's .tflite and label file in $MNV2_MODELS, else in ../shared/models
#      beside the repository, else download them into build/models (curl);
#   2. check their SHA-256 against the pinned values below, always, wherever they came from;
#   3. build the native converter (build/native, target mnv2-convert) when it is missing or out
#      of date, and convert, unless the output is already newer than its inputs and the
#      converter.
#
# Usage: scripts/fetch-weights.sh [MODEL ...]     (default: every model in the table)
set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$script_dir/.." && pwd)"
shared_models="$(dirname "$0")/../../shared/models"
cache="$repo/build/models"
build_dir="$repo/build/native"
converter="$build_dir/mnv2-convert"
weights_dir="$repo/weights"

# The models: one entry each, fields separated by blanks or line breaks:
#   name (output weights/<name>.mnv2)   kind (which conversion)   source address
#   TFLite file and its SHA-256
#   label file and its SHA-256
# Files download from <source address>/<file>. The addresses and SHA-256 values are those
# published in shared/models/SOURCES.md, except for voc_labels_20.txt: SOURCES.md gives no
# SHA-256 and no address for it (the detector's repository has no label file), so its hash was
# computed from the shared copy, and elsewhere the file is derived from the Pascal VOC label
# map published with the TensorFlow Object Detection API (see derive_voc_labels).
readonly CORAL=https://github.com/google-coral/test_data/raw/104342d2d3480b3e66203073dac24f4e2dbb4c41
readonly PINTO=https://github.com/PINTO0309/TensorflowLite-bin/raw/3c2b86646ade3b2c7b32fabcac924b3f791bd931/models
readonly MODELS=(
  "mobilenet_v2_1.0_224  classifier  $CORAL
     mobilenet_v2_1.0_224_quant.tflite
       7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776
     imagenet_labels.txt
       b8aaeb5630c62626a7d124a05c0e14230a7ffdd2136a31d0190a4fb71c1d82f1"
  "tf2_mobilenet_v2_1.0_224_ptq  classifier  $CORAL
     tf2_mobilenet_v2_1.0_224_ptq.tflite
       5d3137241276e79c86d14a74fe43581398ae0e815191d3dba45495b810840e8c
     imagenet_labels.txt
       b8aaeb5630c62626a7d124a05c0e14230a7ffdd2136a31d0190a4fb71c1d82f1"
  "ssdlite_mobilenet_v2_voc_300  detector  $PINTO
     ssdlite_mobilenet_v2_voc_300_integer_quant_with_postprocess.tflite
       768a32e5cb1f3b58ae46f737d70bbe4a174fa7befce45ae82a99b34292bb5aea
     voc_labels_20.txt
       f14861775969fd006b382e005f96dc811ef062ea4a37356efb70d7775e90f743"
)

die() {
  echo "fetch-weights: $*" >&2
  exit 1
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "neither sha256sum nor shasum is installed; cannot check $1"
  fi
}

check_sha256() {  # file expected
  local actual
  actual="$(sha256_of "$1")"
  if [[ "$actual" != "$2" ]]; then
    die "SHA-256 mismatch for $1
  expected $2
  actual   $actual
The file is corrupted or not the pinned version; delete it (if it is in build/models) and retry."
  fi
}

# Prints the path of a verified copy of FILE: from $MNV2_MODELS, ../shared/models,
# or the download cache, downloading it there when it is nowhere.
locate() {  # file sha256 address
  local file="$1" sha="$2" address="$3" dir
  for dir in "${MNV2_MODELS:-}" "$shared_models" "$cache"; do
    if [[ -n "$dir" && -f "$dir/$file" ]]; then
      check_sha256 "$dir/$file" "$sha"
      echo "$dir/$file"
      return
    fi
  done
  command -v curl >/dev/null 2>&1 || die "$file not found locally and curl is not installed"
  mkdir -p "$cache"
  if [[ "$file" == voc_labels_20.txt ]]; then
    derive_voc_labels "$cache/$file" "$sha"
    echo "$cache/$file"
    return
  fi
  echo "fetch-weights: downloading $address/$file" >&2
  # Download to a temporary name so an interrupted or bad download never sits in the cache.
  if ! curl -fL --retry 3 --silent --show-error -o "$cache/$file.part" "$address/$file"; then
    rm -f "$cache/$file.part"
    die "download of $address/$file failed"
  fi
  if [[ "$(sha256_of "$cache/$file.part")" != "$sha" ]]; then
    rm -f "$cache/$file.part"
    die "the download of $address/$file does not have the pinned SHA-256 $sha"
  fi
  mv "$cache/$file.part" "$cache/$file"
  echo "$cache/$file"
}

# The 20 VOC class names in id order, one per line, from the label map of the TensorFlow
# Object Detection API (the training setup of the SSDLite model); checked against the pinned
# SHA-256 like any download.
readonly VOC_LABEL_MAP=https://raw.githubusercontent.com/tensorflow/models/master/research/object_detection/data/pascal_label_map.pbtxt
derive_voc_labels() {  # output sha256
  echo "fetch-weights: deriving $(basename "$1") from $VOC_LABEL_MAP" >&2
  curl -fL --retry 3 --silent --show-error "$VOC_LABEL_MAP" |
    sed -n "s/^ *name: *'\([^']*\)'.*/\1/p" >"$1.part" ||
    { rm -f "$1.part"; die "download of $VOC_LABEL_MAP failed"; }
  if [[ "$(sha256_of "$1.part")" != "$2" ]]; then
    rm -f "$1.part"
    die "the labels derived from $VOC_LABEL_MAP do not have the pinned SHA-256 $2"
  fi
  mv "$1.part" "$1"
}

converter_built=0

build_converter() {
  ((converter_built)) && return
  converter_built=1
  if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    echo "fetch-weights: configuring the native build in $build_dir" >&2
    cmake -S "$repo" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >&2
  fi
  # Incremental: a no-op when the converter is up to date, so it is never stale.
  cmake --build "$build_dir" --target mnv2-convert -j2 >&2
  [[ -x "$converter" ]] || die "the build did not produce $converter"
}

# True when $1 exists and is newer than every other argument.
up_to_date() {
  local output="$1" input
  shift
  [[ -f "$output" ]] || return 1
  for input in "$@"; do
    [[ "$output" -nt "$input" ]] || return 1
  done
}

convert() {  # kind tflite labels output
  case "$1" in
    classifier) "$converter" --labels "$3" "$2" "$4" ;;
    detector) "$converter" --detector --labels "$3" "$2" "$4" ;;
    *) die "no converter for model kind '$1'" ;;
  esac
}

fetch_model() {  # name kind address tflite tflite_sha labels labels_sha
  local name="$1" kind="$2" address="$3" tflite labels output
  tflite="$(locate "$4" "$5" "$address")"
  labels="$(locate "$6" "$7" "$address")"
  output="$weights_dir/$name.mnv2"
  build_converter
  if up_to_date "$output" "$tflite" "$labels" "$converter"; then
    echo "fetch-weights: $output is up to date"
    return
  fi
  mkdir -p "$weights_dir"
  convert "$kind" "$tflite" "$labels" "$output"
}

main() {
  local entry fields name want
  local -a names=()
  for entry in "${MODELS[@]}"; do
    read -r -a fields <<<"$entry"
    names+=("${fields[0]}")
  done
  for want in "$@"; do
    [[ " ${names[*]} " == *" $want "* ]] || die "unknown model '$want'; known: ${names[*]}"
  done
  for entry in "${MODELS[@]}"; do
    read -r -d '' -a fields <<<"$entry" || true  # all lines; read returns 1 at the end
    ((${#fields[@]} == 7)) || die "malformed MODELS entry: $entry"
    name="${fields[0]}"
    if (($# > 0)) && [[ " $* " != *" $name "* ]]; then
      continue
    fi
    fetch_model "${fields[@]}"
  done
}

main "$@"
