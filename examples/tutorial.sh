#!/usr/bin/env bash
# SPEC.md's walk-through as a script: run `npm start` in one terminal, then this in another.
# It prints each request and the server's answer.
#
#   ISSUER         the server (default http://localhost:8787, `npm start`'s)
#   SERVER_SECRET  secret of the static client `server` (default: DEMO_SERVER_SECRET from .dev.vars)
#   TEMPLATE       the template to register an instance of (default template-client)
set -euo pipefail
cd "$(dirname "$0")/.."

ISSUER="${ISSUER:-http://localhost:8787}"
TEMPLATE="${TEMPLATE:-template-client}"
if [[ -z "${SERVER_SECRET:-}" ]]; then
  SERVER_SECRET="$(sed -n "s/^DEMO_SERVER_SECRET=['\"]\{0,1\}\([^'\"]*\)['\"]\{0,1\}$/\1/p" .dev.vars 2>/dev/null || true)"
  [[ -n "$SERVER_SECRET" ]] || { echo "No SERVER_SECRET given and none in .dev.vars: run \`npm start\` first." >&2; exit 1; }
fi

# JSON helpers in Node (which `npm start` needs anyway), so nothing else has to be installed.
pretty() { node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.stringify(JSON.parse(s), null, 2)))'; }
field() { node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }

# An argument as a reader would type it: bare when safe, else in single quotes.
shell_quoted() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:=@%+-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
# Shows the command on stderr (secrets included: this is a local tutorial), runs it, and stops on an HTTP error
# after printing its body.
call() {
  { printf '$ curl'; for arg in "$@"; do printf ' %s' "$(shell_quoted "$arg")"; done; printf '\n'; } >&2
  local answer
  if ! answer="$(curl -sS --fail-with-body "$@")"; then
    printf '%s\n' "$answer" >&2
    return 1
  fi
  printf '%s' "$answer"
}

step "Step 2: the static client 'server' gets a one-time initial access token (IAT)"
IAT_ANSWER="$(call -X POST "$ISSUER/oauth/v2/oauth-token" \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  -d "grant_type=client_credentials&client_id=server&client_secret=$SERVER_SECRET&scope=dcr")"
pretty <<<"$IAT_ANSWER"
IAT="$(field access_token <<<"$IAT_ANSWER")"

step "Step 3: 'server' registers an instance of $TEMPLATE with the IAT"
INSTANCE="$(call -X POST "$ISSUER/oauth/v2/oauth-dynamic-client-registration" \
  -H "Authorization: Bearer $IAT" -H 'Content-Type: application/json' \
  -d "{\"software_id\": \"$TEMPLATE\"}")"
pretty <<<"$INSTANCE"

step "The IAT works once: using it again is refused"
printf '$ curl ... -H "Authorization: Bearer $IAT" (again)\n'
curl -sS -X POST "$ISSUER/oauth/v2/oauth-dynamic-client-registration" \
  -H "Authorization: Bearer $IAT" -H 'Content-Type: application/json' \
  -d "{\"software_id\": \"$TEMPLATE\"}" -w '\nHTTP %{http_code}\n'
