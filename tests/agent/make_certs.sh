#!/usr/bin/env bash
# Makes the test PKI in $1 with the openssl CLI (as docs/agent.md shows):
#   ca        the agents' client CA (also signs the server certificate)
#   server    SAN IP:127.0.0.1, serverAuth
#   server2   the same with another key and serial (a renewed certificate)
#   client    SANs DNS:central.example.org, URI:spiffe://corp/central, clientAuth
#   intruder  SAN DNS:intruder.example.org, clientAuth, signed by ca (not allowed)
#   stranger  same SANs as client but signed by other-ca
set -euo pipefail
dir="$1"
mkdir -p "$dir"
cd "$dir"
ossl() { openssl "$@" 2>/dev/null; }

make_ca() {  # name
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=$1" -keyout "$1.key" -out "$1.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}

make_leaf() {  # name ca cn extensions
  ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$3" \
    -keyout "$1.key" -out "$1.csr"
  printf '%b' "$4" > "$1.ext"
  ossl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.pem"
  rm -f "$1.csr" "$1.ext"
}

make_ca ca
make_ca other-ca
make_leaf server ca agent 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
make_leaf server2 ca agent 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'
make_leaf client ca central \
  'subjectAltName=DNS:central.example.org,URI:spiffe://corp/central\nextendedKeyUsage=clientAuth\n'
make_leaf intruder ca intruder 'subjectAltName=DNS:intruder.example.org\nextendedKeyUsage=clientAuth\n'
make_leaf stranger other-ca central \
  'subjectAltName=DNS:central.example.org,URI:spiffe://corp/central\nextendedKeyUsage=clientAuth\n'
chmod 600 ./*.key
