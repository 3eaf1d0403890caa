#!/usr/bin/env bash
# Encrypts plan artifacts (and a failed apply's errored.tfstate) for one deploy environment, and decrypts them there.
#
#   seal.sh seal <public-key.pem> <input-file> <output.sealed>      prints the sealed file's SHA-256
#   seal.sh open <private-key.pem> <input.sealed> <output-file> <sha256>
#
# Envelope encryption with OpenSSL only (present on every runner; nothing to install): a fresh random 256-bit data
# key and a 256-bit MAC key per file, both wrapped with the environment's RSA public key (RSA-OAEP, SHA-256). The
# payload is AES-256-CBC (key and IV derived with PBKDF2 from the data key), then HMAC-SHA256 over the ciphertext
# (encrypt-then-MAC). `open` checks the MAC before decrypting: a wrong key, a truncated or altered file all fail.
# The public key may be public (repository variable); the private key lives only in the environment's secrets.
#
# Anyone with the public key can seal a file that decrypts and passes the MAC: the MAC detects corruption, not
# substitution. So `open` first checks the sealed file's SHA-256 against the digest the sealing job printed (the
# plan job's output in .github/workflows/apply.yml, which no other workflow or job can write) and refuses any other
# file before the key or the file is read at all.
set -euo pipefail

die() {
  echo "seal.sh: $*" >&2
  exit 1
}

usage="usage: seal.sh seal <public-key.pem> <in> <out.sealed> | seal.sh open <private-key.pem> <in.sealed> <out> <sha256>"
mode="${1:-}"
case "$mode" in
  seal) [[ $# -eq 4 ]] || die "$usage" ;;
  open) [[ $# -eq 5 ]] || die "${usage} (open needs the sealed file's SHA-256, printed when it was sealed)" ;;
  *) die "unknown mode ${mode}: expected seal or open" ;;
esac
key="$2"
in="$3"
out="$4"
[[ -f "$in" ]] || die "input ${in} not found"

sha256_of() {
  openssl dgst -sha256 -r "$1" | cut -d' ' -f1
}

# Before anything else: exactly the file that was sealed, or nothing.
if [[ "$mode" == open ]]; then
  expected="$5"
  [[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "expected SHA-256 '${expected}' is not 64 lowercase hex digits"
  actual="$(sha256_of "$in")"
  [[ "$actual" == "$expected" ]] || die "${in}: SHA-256 ${actual} is not the sealed plan's ${expected} (substituted or altered); nothing was opened"
fi
[[ -s "$key" ]] || die "key file ${key} is missing or empty"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
umask 077

hmac_of() {
  # HMAC-SHA256 of file $1 with the hex key in file $2, as lowercase hex. OpenSSL takes the MAC key only as an
  # argument, so it is visible in the process list for a moment; that is acceptable on a single-job, throw-away
  # runner (the data key itself is passed as a file), and the MAC key alone decrypts nothing.
  openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(cat "$2")" -r "$1" | cut -d' ' -f1
}

case "$mode" in
  seal)
    openssl pkey -pubin -in "$key" -noout 2>/dev/null || die "${key} is not a PEM public key"
    openssl rand -hex 32 | tr -d '\n' > "${work}/data.key"
    openssl rand -hex 32 | tr -d '\n' > "${work}/mac.key"
    cat "${work}/data.key" "${work}/mac.key" > "${work}/keys"
    mkdir "${work}/box"
    openssl pkeyutl -encrypt -pubin -inkey "$key" -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
      -in "${work}/keys" -out "${work}/box/key.enc"
    openssl enc -aes-256-cbc -pbkdf2 -iter 100000 -salt -pass "file:${work}/data.key" -in "$in" -out "${work}/box/payload.enc"
    hmac_of "${work}/box/payload.enc" "${work}/mac.key" > "${work}/box/payload.hmac"
    echo "cci-lite-sealed-v1 rsa-oaep-sha256 aes-256-cbc-pbkdf2 hmac-sha256" > "${work}/box/FORMAT"
    tar -C "${work}/box" -cf "$out" FORMAT key.enc payload.enc payload.hmac
    sha256_of "$out"
    ;;
  open)
    openssl pkey -in "$key" -noout 2>/dev/null || die "${key} is not a PEM private key"
    mkdir "${work}/box"
    tar -C "${work}/box" -xf "$in" FORMAT key.enc payload.enc payload.hmac 2>/dev/null || die "${in} is not a sealed file"
    grep -q '^cci-lite-sealed-v1 ' "${work}/box/FORMAT" || die "${in}: unknown format"
    openssl pkeyutl -decrypt -inkey "$key" -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
      -in "${work}/box/key.enc" -out "${work}/keys" 2>/dev/null || die "${in}: cannot unwrap the data key (wrong private key?)"
    [[ "$(wc -c < "${work}/keys")" -eq 128 ]] || die "${in}: unexpected key material"
    head -c 64 "${work}/keys" > "${work}/data.key"
    tail -c 64 "${work}/keys" > "${work}/mac.key"
    [[ "$(hmac_of "${work}/box/payload.enc" "${work}/mac.key")" == "$(cat "${work}/box/payload.hmac")" ]] ||
      die "${in}: integrity check failed (altered or truncated)"
    openssl enc -d -aes-256-cbc -pbkdf2 -iter 100000 -pass "file:${work}/data.key" -in "${work}/box/payload.enc" -out "${work}/plain" ||
      die "${in}: decryption failed"
    mv "${work}/plain" "$out"
    ;;
esac
